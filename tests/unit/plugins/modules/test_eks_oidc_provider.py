# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests for ackops.serverless.eks_oidc_provider against moto's in-process mock (no sandbox)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import boto3
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from ansible_collections.ackops.serverless.plugins.modules import eks_oidc_provider
from ansible_collections.ackops.serverless.plugins.modules import eks_oidc_provider_info
from ansible_collections.ackops.serverless.plugins.module_utils import eks_oidc

REGION = "us-east-1"
CLUSTER = "unit-cluster"


class AnsibleExitJson(Exception):
    pass


class AnsibleFailJson(Exception):
    pass


def exit_json(*args, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def fail_json(*args, **kwargs):
    kwargs["failed"] = True
    raise AnsibleFailJson(kwargs)


@pytest.fixture(autouse=True)
def patch_exit(monkeypatch):
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


@pytest.fixture
def aws_env(aws_env):  # pylint: disable=redefined-outer-name
    """The shared dummy-credentials environment (conftest.py), inside in-process moto."""
    with mock_aws():
        yield aws_env


@pytest.fixture
def cluster(aws_env):
    eks = boto3.client("eks", region_name=REGION)
    resp = eks.create_cluster(
        name=CLUSTER,
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": []},
    )
    return resp["cluster"]["identity"]["oidc"]["issuer"]


def run(args, check_mode=False, diff=False, module=eks_oidc_provider):
    args = dict(args)
    args.setdefault("region", REGION)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with patch_module_args(args):
        with pytest.raises((AnsibleExitJson, AnsibleFailJson)) as exc:
            module.main()
    return exc.value.args[0]


def info(args):
    return run(args, module=eks_oidc_provider_info)


def providers():
    iam = boto3.client("iam", region_name=REGION)
    return [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]


def test_creates_provider_then_is_idempotent(cluster):
    host_path = cluster[len("https://"):]
    first = run({"cluster_name": CLUSTER, "tags": {"owner": "platform"}})
    assert first["changed"] is True
    assert first["exists"] is True
    assert first["issuer"] == cluster
    assert first["issuer_host_path"] == host_path
    assert first["arn"] == "arn:aws:iam::123456789012:oidc-provider/" + host_path
    assert first["client_ids"] == ["sts.amazonaws.com"]
    assert first["thumbprints"] == []
    assert providers() == [first["arn"]]

    iam = boto3.client("iam", region_name=REGION)
    stored = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=first["arn"])
    assert stored["ClientIDList"] == ["sts.amazonaws.com"]
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=first["arn"])["Tags"]
    assert tags == [{"Key": "owner", "Value": "platform"}]

    second = run({"cluster_name": CLUSTER, "tags": {"owner": "platform"}})
    assert second["changed"] is False
    assert second["arn"] == first["arn"]
    assert second["tags"] == {"owner": "platform"}
    assert providers() == [first["arn"]]


def test_check_mode_does_not_create(cluster):
    result = run({"cluster_name": CLUSTER}, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["exists"] is True
    assert result["arn"].startswith("arn:aws:iam::123456789012:oidc-provider/oidc.eks.")
    assert result["diff"]["before"]["exists"] is False
    assert result["diff"]["after"]["exists"] is True
    assert providers() == []


def test_info_reports_without_changing(cluster):
    before = info({"cluster_name": CLUSTER})
    assert before["changed"] is False
    assert before["exists"] is False
    assert before["arn"] == ""
    assert before["issuer"] == cluster
    assert providers() == []

    created = run({"cluster_name": CLUSTER})
    after = info({"cluster_name": CLUSTER})
    assert after["changed"] is False
    assert after["exists"] is True
    assert after["arn"] == created["arn"]


def test_thumbprints_set_and_updated(cluster):
    old = "a" * 40
    new = "B" * 40
    created = run({"cluster_name": CLUSTER, "thumbprints": [old]})
    assert created["thumbprints"] == [old]
    same = run({"cluster_name": CLUSTER, "thumbprints": [old]})
    assert same["changed"] is False
    # Omitting thumbprints leaves the existing ones alone.
    omitted = run({"cluster_name": CLUSTER})
    assert omitted["changed"] is False
    assert omitted["thumbprints"] == [old]

    checked = run({"cluster_name": CLUSTER, "thumbprints": [new]}, check_mode=True)
    assert checked["changed"] is True
    iam = boto3.client("iam", region_name=REGION)
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=created["arn"])["ThumbprintList"] == [old]

    updated = run({"cluster_name": CLUSTER, "thumbprints": [new]})
    assert updated["changed"] is True
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=created["arn"])["ThumbprintList"] == [new.lower()]


def test_tags_merge_and_purge(cluster):
    created = run({"cluster_name": CLUSTER, "tags": {"a": "1", "b": "2"}})
    merged = run({"cluster_name": CLUSTER, "tags": {"c": "3"}})
    assert merged["changed"] is True
    assert merged["tags"] == {"a": "1", "b": "2", "c": "3"}
    purged = run({"cluster_name": CLUSTER, "tags": {"c": "3"}, "purge_tags": True})
    assert purged["changed"] is True
    assert purged["tags"] == {"c": "3"}
    iam = boto3.client("iam", region_name=REGION)
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=created["arn"])["Tags"]
    assert tags == [{"Key": "c", "Value": "3"}]


def test_missing_client_id_is_reported_in_check_mode(cluster):
    iam = boto3.client("iam", region_name=REGION)
    iam.create_open_id_connect_provider(Url=cluster, ClientIDList=["other-audience"])
    result = run({"cluster_name": CLUSTER}, check_mode=True)
    assert result["changed"] is True
    assert result["client_ids"] == ["other-audience", "sts.amazonaws.com"]
    stored = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=result["arn"])
    assert stored["ClientIDList"] == ["other-audience"]


def test_other_clusters_provider_is_not_matched(cluster):
    iam = boto3.client("iam", region_name=REGION)
    other = iam.create_open_id_connect_provider(
        Url="https://oidc.eks.us-east-1.amazonaws.com/id/OTHERCLUSTER", ClientIDList=["sts.amazonaws.com"]
    )["OpenIDConnectProviderArn"]
    found = info({"cluster_name": CLUSTER})
    assert found["changed"] is False
    assert found["exists"] is False
    created = run({"cluster_name": CLUSTER})
    assert created["arn"] != other
    removed = run({"cluster_name": CLUSTER, "state": "absent"})
    assert removed["changed"] is True
    assert providers() == [other]


def test_absent_deletes_and_is_idempotent(cluster):
    created = run({"cluster_name": CLUSTER})
    checked = run({"cluster_name": CLUSTER, "state": "absent"}, check_mode=True)
    assert checked["changed"] is True
    assert providers() == [created["arn"]]
    removed = run({"cluster_name": CLUSTER, "state": "absent"})
    assert removed["changed"] is True
    assert removed["exists"] is False
    assert providers() == []
    again = run({"cluster_name": CLUSTER, "state": "absent"})
    assert again["changed"] is False


def test_missing_cluster_fails_with_hint(aws_env):
    result = run({"cluster_name": "no-such-cluster"})
    assert result["failed"] is True
    assert "EKS cluster 'no-such-cluster' was not found in region us-east-1" in result["msg"]
    assert "check cluster_name and the region" in result["msg"]


def test_wrong_region_fails_with_hint(cluster):
    result = run({"cluster_name": CLUSTER, "region": "eu-west-1"})
    assert result["failed"] is True
    assert "was not found in region eu-west-1" in result["msg"]


def test_missing_credentials_fail_with_hint(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    # No instance metadata lookups in a unit test.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    result = run({"cluster_name": CLUSTER})
    assert result["failed"] is True
    assert result["msg"].startswith("No AWS credentials found: set valid AWS credentials")


def test_bad_thumbprint_is_rejected_before_any_call(aws_env):
    result = run({"cluster_name": CLUSTER, "thumbprints": ["not-a-thumbprint"]})
    assert result["failed"] is True
    assert "is not a SHA-1 thumbprint" in result["msg"]


def test_cluster_without_issuer_fails(aws_env, monkeypatch):
    def describe(self, *args, **kwargs):
        return {"cluster": {"name": CLUSTER, "identity": {}}}

    class FakeEks(object):
        describe_cluster = describe

    module = type("M", (), {})()
    module.params = {"cluster_name": CLUSTER}
    module.region = REGION

    def failer(**kwargs):
        raise AnsibleFailJson(kwargs)

    module.fail_json = failer
    with pytest.raises(AnsibleFailJson) as exc:
        eks_oidc.describe_issuer(module, FakeEks())
    assert "has no OIDC issuer" in exc.value.args[0]["msg"]


def test_result_is_json_serialisable(cluster):
    result = run({"cluster_name": CLUSTER}, diff=True)
    json.dumps(result)
