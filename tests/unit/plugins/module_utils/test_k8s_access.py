# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""RBAC rules as access checks, and how a missing permission is named."""

import pytest

from ansible_collections.ackops.serverless.plugins.module_utils.k8s_access import (
    describe,
    expand_rules,
    review_body,
    summarize,
)


def test_a_rule_becomes_one_check_per_group_resource_verb_and_name():
    checks = expand_rules([{"api_groups": ["", "apps"], "resources": ["deployments", "pods/log"],
                            "verbs": ["get", "list"], "resource_names": ["a"]}], namespace="ns")
    assert len(checks) == 2 * 2 * 2
    assert checks[0] == {"verb": "get", "group": "", "resource": "deployments", "name": "a", "namespace": "ns"}
    assert {"verb": "list", "group": "apps", "resource": "pods", "subresource": "log", "name": "a",
            "namespace": "ns"} in checks


def test_camel_case_rules_and_defaults():
    checks = expand_rules([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                            "verbs": ["bind"], "resourceNames": ["x"]}])
    assert checks == [{"verb": "bind", "group": "rbac.authorization.k8s.io", "resource": "clusterroles", "name": "x"}]
    assert expand_rules([{"resources": "namespaces", "verbs": "get"}]) == [
        {"verb": "get", "group": "", "resource": "namespaces"}]


def test_a_rule_of_its_own_namespace_next_to_cluster_wide_rules():
    rules = [{"resources": ["namespaces"], "verbs": ["get"]},
             {"resources": ["secrets"], "verbs": ["get"], "namespace": "pipeline"},
             {"resources": ["secrets"], "verbs": ["get"]}]
    assert expand_rules(rules) == [{"verb": "get", "group": "", "resource": "namespaces"},
                                   {"verb": "get", "group": "", "resource": "secrets", "namespace": "pipeline"},
                                   {"verb": "get", "group": "", "resource": "secrets"}]
    assert expand_rules(rules, namespace="ns")[0]["namespace"] == "ns"
    assert expand_rules(rules, namespace="ns")[1]["namespace"] == "pipeline"


def test_duplicates_are_dropped_in_order():
    rule = {"resources": ["secrets"], "verbs": ["get", "get", "list"]}
    assert [c["verb"] for c in expand_rules([rule, rule])] == ["get", "list"]


@pytest.mark.parametrize("rule", [{"resources": [], "verbs": ["get"]}, {"resources": ["pods"], "verbs": []}])
def test_a_rule_without_resources_or_verbs_is_an_error(rule):
    with pytest.raises(ValueError, match="resources and verbs"):
        expand_rules([rule])


def test_permissions_are_named_like_kubectl_auth_can_i():
    assert describe({"verb": "create", "group": "apiextensions.k8s.io", "resource": "customresourcedefinitions"}) == (
        "create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)")
    assert describe({"verb": "patch", "group": "sqs.services.k8s.aws", "resource": "queues", "subresource": "status",
                     "namespace": "default"}) == "patch queues.sqs.services.k8s.aws/status in namespace default"
    assert describe({"verb": "get", "group": "", "resource": "namespaces", "name": "default"}) == (
        "get namespaces default (cluster-wide)")


def test_summary_groups_verbs_by_target():
    checks = expand_rules([{"resources": ["namespaces"], "verbs": ["get", "create"]},
                           {"resources": ["secrets"], "verbs": ["list"]}])
    assert summarize(checks) == ["namespaces (cluster-wide): get, create", "secrets (cluster-wide): list"]


def test_review_body_is_a_self_subject_access_review():
    body = review_body({"verb": "get", "group": "", "resource": "pods", "namespace": "x"})
    assert body["kind"] == "SelfSubjectAccessReview"
    assert body["spec"]["resourceAttributes"] == {"verb": "get", "group": "", "resource": "pods", "namespace": "x"}
