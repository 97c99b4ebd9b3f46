"""Unit tests for ackops.serverless.eks_cluster_info against moto's in-process mock (no sandbox)."""
from __future__ import annotations

import boto3
from moto import mock_aws

from _aws_module_harness import run_module

from ansible_collections.ackops.serverless.plugins.modules import eks_cluster_info

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/unit-eks"


def make_cluster(name, nodegroups=(), profiles=()):
    eks = boto3.client("eks", region_name=REGION)
    eks.create_cluster(name=name, roleArn=ROLE, resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]},
                       version="1.34", tags={"ackops.io/cluster": name})
    for nodegroup in nodegroups:
        eks.create_nodegroup(clusterName=name, nodegroupName=nodegroup, nodeRole=ROLE, subnets=["subnet-1"])
    for profile in profiles:
        eks.create_fargate_profile(clusterName=name, fargateProfileName=profile, podExecutionRoleArn=ROLE,
                                   selectors=[{"namespace": "ack-system"}])


def test_missing_cluster_is_not_an_error(aws_env, capsys):
    with mock_aws():
        rc, result = run_module(eks_cluster_info.main, {"name": "nowhere"}, capsys)
    assert rc == 0, result
    assert result["changed"] is False
    assert result["exists"] is False
    assert result["cluster"] == {} and result["nodegroups"] == [] and result["fargate_profiles"] == []


def test_cluster_with_children(aws_env, capsys):
    with mock_aws():
        make_cluster("unit", nodegroups=["b-nodes", "a-nodes"], profiles=["ack"])
        make_cluster("other", nodegroups=["elsewhere"])
        rc, result = run_module(eks_cluster_info.main, {"name": "unit"}, capsys)
    assert rc == 0, result
    assert result["exists"] is True
    cluster = result["cluster"]
    assert cluster["name"] == "unit" and cluster["status"] == "ACTIVE" and cluster["version"] == "1.34"
    assert cluster["role_arn"] == ROLE
    assert cluster["identity"]["oidc"]["issuer"].startswith("https://oidc.eks.us-east-1.amazonaws.com/id/")
    assert cluster["certificate_authority"]["data"]
    assert cluster["resources_vpc_config"]["subnet_ids"] == ["subnet-1", "subnet-2"]
    # Tag keys are the user's own: not snake_cased.
    assert cluster["tags"] == {"ackops.io/cluster": "unit"}
    assert result["nodegroups"] == ["a-nodes", "b-nodes"]
    assert result["fargate_profiles"] == ["ack"]


def test_check_mode_reads_too(aws_env, capsys):
    with mock_aws():
        make_cluster("unit")
        rc, result = run_module(eks_cluster_info.main, {"name": "unit"}, capsys, check_mode=True)
    assert rc == 0, result
    assert result["exists"] is True and result["nodegroups"] == [] and result["fargate_profiles"] == []


def test_missing_credentials_say_what_to_do(aws_env, capsys, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: no request leaves
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    rc, result = run_module(eks_cluster_info.main, {"name": "unit"}, capsys)
    assert rc == 1
    assert result["failed"] is True
    assert result["msg"].startswith("No AWS credentials found: set valid AWS credentials in the environment")
