# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests for the ackops.serverless.eks_oidc_provider lookup against moto's in-process mock (no sandbox)."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.errors import AnsibleLookupError
from moto import mock_aws

LOOKUP = "eks_oidc_provider"  # the lookup fixture (conftest.py) loads ackops.serverless.eks_oidc_provider

THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


@pytest.fixture
def cluster(aws_env):
    """A cluster in moto's EKS; its issuer, as EKS reports it."""
    with mock_aws():
        eks = boto3.client("eks", region_name="us-east-1")
        created = eks.create_cluster(name="demo", roleArn="arn:aws:iam::123456789012:role/eks",
                                     resourcesVpcConfig={"subnetIds": []})["cluster"]
        yield created["identity"]["oidc"]["issuer"]


def test_a_missing_provider_then_the_one_made_for_the_issuer(lookup, cluster):
    (before,) = lookup.run([], variables={}, cluster_name="demo", region="us-east-1")
    assert before["exists"] is False and before["arn"] == "" and before["issuer"] == cluster
    host_path = cluster.split("://", 1)[1]
    assert before["issuer_host_path"] == host_path

    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_open_id_connect_provider(Url="https://example.com/other", ClientIDList=["x"], ThumbprintList=[THUMBPRINT])
    arn = iam.create_open_id_connect_provider(Url=cluster, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMBPRINT],
                                              Tags=[{"Key": "managed-by", "Value": "ackops"}])["OpenIDConnectProviderArn"]
    (after,) = lookup.run([], variables={}, cluster_name="demo", region="us-east-1")
    assert after["exists"] is True and after["arn"] == arn
    assert after["client_ids"] == ["sts.amazonaws.com"] and after["thumbprints"] == [THUMBPRINT]
    assert after["tags"] == {"managed-by": "ackops"}


def test_the_same_answer_as_the_eks_oidc_provider_info_module(lookup, cluster, capsys):
    """The irsa role read it with the module before: what it reads from it must not change."""
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.ackops.serverless.plugins.modules import eks_oidc_provider_info

    boto3.client("iam", region_name="us-east-1").create_open_id_connect_provider(
        Url=cluster, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMBPRINT])
    with patch_module_args({"cluster_name": "demo", "region": "us-east-1"}):
        with pytest.raises(SystemExit):
            eks_oidc_provider_info.main()
    module_view = json.loads(capsys.readouterr().out)
    (lookup_view,) = lookup.run([], variables={}, cluster_name="demo", region="us-east-1")
    module_view.pop("changed")
    module_view.pop("invocation", None)
    assert lookup_view == module_view


def test_a_missing_cluster_says_what_to_check(lookup, cluster):
    with pytest.raises(AnsibleLookupError, match="EKS cluster 'nope' was not found in region us-east-1: check cluster_name"):
        lookup.run([], variables={}, cluster_name="nope", region="us-east-1")


def test_an_unreachable_endpoint_says_what_to_check(unreachable):
    message = unreachable(cluster_name="demo")
    assert "Could not reach the AWS endpoint of region us-east-1" in message and "describe the EKS cluster" in message
