# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""RBAC rules as the access checks they stand for, and how to name a missing permission.

Pure logic for ackops.serverless.k8s_access_info: a PolicyRule (apiGroups x resources x verbs x
resourceNames) becomes one SelfSubjectAccessReview per combination, in a stable order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _rule_list(rule, *keys):
    """The first of keys (snake_case or RBAC camelCase) the rule has, as a list."""
    for key in keys:
        value = rule.get(key)
        if value is not None:
            return [value] if isinstance(value, str) else list(value)
    return []


def expand_rules(rules, namespace=None):
    """One check (dict of SelfSubjectAccessReview resourceAttributes) per group, resource, verb and name.

    `resources` entries may name a subresource (`queues/status`); a rule without resource names
    checks the verb on every object. A rule's own `namespace` replaces the given one. Duplicates are
    dropped, order is kept.
    """
    checks = []
    seen = set()
    for rule in rules:
        groups = _rule_list(rule, "api_groups", "apiGroups") or [""]
        resources = _rule_list(rule, "resources")
        verbs = _rule_list(rule, "verbs")
        names = _rule_list(rule, "resource_names", "resourceNames") or [None]
        if not resources or not verbs:
            raise ValueError("each rule needs resources and verbs, got {0!r}".format(rule))
        for group in groups:
            for resource in resources:
                resource_name, _sep, subresource = resource.partition("/")
                for verb in verbs:
                    for name in names:
                        check = {"verb": verb, "group": group, "resource": resource_name}
                        if subresource:
                            check["subresource"] = subresource
                        if name:
                            check["name"] = name
                        if rule.get("namespace") or namespace:
                            check["namespace"] = rule.get("namespace") or namespace
                        key = tuple(sorted(check.items()))
                        if key not in seen:
                            seen.add(key)
                            checks.append(check)
    return checks


def _target(check):
    """What a check is about, without its verb: 'queues.sqs.services.k8s.aws in namespace default'."""
    resource = check["resource"] + ("." + check["group"] if check.get("group") else "")
    if check.get("subresource"):
        resource += "/" + check["subresource"]
    if check.get("name"):
        resource += " " + check["name"]
    scope = "in namespace {0}".format(check["namespace"]) if check.get("namespace") else "(cluster-wide)"
    return "{0} {1}".format(resource, scope)


def describe(check):
    """`kubectl auth can-i` style: 'create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)'."""
    return "{0} {1}".format(check["verb"], _target(check))


def summarize(checks):
    """The verbs of each target, in first-seen order: 'namespaces (cluster-wide): get, create'."""
    verbs = {}
    for check in checks:
        verbs.setdefault(_target(check), []).append(check["verb"])
    return ["{0}: {1}".format(target, ", ".join(names)) for target, names in verbs.items()]


def review_body(check):
    return {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": dict(check)},
    }
