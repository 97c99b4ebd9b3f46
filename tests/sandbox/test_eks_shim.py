# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""sandbox/aws/shims/eks_nodegroup_fargate.py on in-process moto: what it changes, and that moto without it
still differs from EKS (if a moto upgrade fixes it, the shim can go)."""

import importlib.util
import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

SHIM = Path(__file__).resolve().parents[2] / "sandbox" / "aws" / "shims" / "eks_nodegroup_fargate.py"
ROLE = "arn:aws:iam::123456789012:role/shim-test"


@pytest.fixture(autouse=True)
def in_process_moto_only(monkeypatch):
    """make test-sandbox loads .sandbox/env: without this, boto3 would send these calls to the sandbox's moto."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EKS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def _cluster_with_children():
    eks = boto3.client("eks", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    eks.create_cluster(name="shim", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    nodegroup = eks.create_nodegroup(clusterName="shim", nodegroupName="ng", nodeRole=ROLE, subnets=["subnet-1"],
                                     tags={"a": "1"})["nodegroup"]
    profile = eks.create_fargate_profile(clusterName="shim", fargateProfileName="fp", podExecutionRoleArn=ROLE,
                                         selectors=[{"namespace": "ack-system"}], tags={"a": "1"})["fargateProfile"]
    return eks, nodegroup["nodegroupArn"], profile["fargateProfileArn"]


def _identities(eks, name):
    cluster = eks.describe_cluster(name=name)["cluster"]
    return cluster["identity"]["oidc"]["issuer"], cluster["endpoint"]


def test_unpatched_moto_still_differs_from_eks():
    """Run first, before the shim patches moto in this process."""
    spec = importlib.util.spec_from_file_location("eks_shim_probe", SHIM)
    shim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shim)
    from moto.eks import models

    if getattr(models.EKSBackend, shim._MARK, False):
        pytest.skip("moto is already patched in this process")
    with mock_aws():
        eks, nodegroup_arn, _ = _cluster_with_children()
        assert "updateConfig" not in eks.describe_nodegroup(clusterName="shim", nodegroupName="ng")["nodegroup"]
        with pytest.raises(eks.exceptions.ResourceNotFoundException):
            eks.list_tags_for_resource(resourceArn=nodegroup_arn)
        eks.create_cluster(name="other", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
        assert _identities(eks, "shim") == _identities(eks, "other")


def test_shim_keeps_update_config_tags_children_and_gives_each_cluster_its_issuer():
    spec = importlib.util.spec_from_file_location("eks_shim", SHIM)
    shim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shim)
    shim.apply()
    shim.apply()  # idempotent
    with mock_aws():
        eks, nodegroup_arn, profile_arn = _cluster_with_children()
        assert eks.describe_nodegroup(clusterName="shim", nodegroupName="ng")["nodegroup"]["updateConfig"] == {
            "maxUnavailable": 1}
        eks.create_nodegroup(clusterName="shim", nodegroupName="ng2", nodeRole=ROLE, subnets=["subnet-1"],
                             updateConfig={"maxUnavailablePercentage": 50})
        assert eks.describe_nodegroup(clusterName="shim", nodegroupName="ng2")["nodegroup"]["updateConfig"] == {
            "maxUnavailablePercentage": 50}
        for arn in (nodegroup_arn, profile_arn):
            assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1"}
            eks.tag_resource(resourceArn=arn, tags={"b": "2"})
            eks.untag_resource(resourceArn=arn, tagKeys=["a"])
            assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
        assert eks.describe_fargate_profile(clusterName="shim", fargateProfileName="fp")["fargateProfile"]["tags"] == {"b": "2"}
        eks.create_cluster(name="other", roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
        (issuer, endpoint), (other_issuer, other_endpoint) = _identities(eks, "shim"), _identities(eks, "other")
        assert issuer != other_issuer and endpoint != other_endpoint
        assert re.fullmatch(r"https://oidc\.eks\.us-east-1\.amazonaws\.com/id/[0-9A-F]{32}", issuer)
        cluster_arn = eks.describe_cluster(name="shim")["cluster"]["arn"]
        eks.tag_resource(resourceArn=cluster_arn, tags={"c": "3"})  # clusters: moto's own code, unchanged
        assert eks.list_tags_for_resource(resourceArn=cluster_arn)["tags"] == {"c": "3"}
