# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The EKS record sandboxctl makes in moto (components.configure_moto), on stand-in clients: nothing here
touches the shared sandbox."""

import json
import sys

import pytest

from ackops_sandbox import components

SUBNETS = [{"SubnetId": "subnet-b"}, {"SubnetId": "subnet-a"}]


class FakeClients:
    """boto3.client stand-in: a default VPC with two subnets, and an EKS without clusters."""

    def __init__(self):
        self.created = []

    def __call__(self, service, **_kwargs):
        return self

    def describe_vpcs(self, Filters):
        assert Filters == [{"Name": "is-default", "Values": ["true"]}]
        return {"Vpcs": [{"VpcId": "vpc-default"}]}

    def describe_subnets(self, Filters):
        assert Filters == [{"Name": "vpc-id", "Values": ["vpc-default"]}]
        return {"Subnets": SUBNETS}

    def list_clusters(self):
        return {"clusters": [c["name"] for c in self.created]}

    def create_cluster(self, **kwargs):
        self.created.append(kwargs)

    def describe_cluster(self, name):
        return {"cluster": {"identity": {"oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/X"}}}}


@pytest.fixture
def fake(monkeypatch):
    clients = FakeClients()
    monkeypatch.setattr(components, "http", lambda *a, **k: (200, json.dumps({"lambda": {"use_docker": False}})))
    boto3 = type(sys)("boto3")
    boto3.client = clients
    monkeypatch.setitem(sys.modules, "boto3", boto3)
    return clients


def test_record_sits_in_the_default_vpc_like_the_cluster_role_would_put_it(fake, monkeypatch):
    monkeypatch.delenv("ACKOPS_SANDBOX_SKIP_EKS_RECORD", raising=False)
    components.configure_moto()
    components.configure_moto()  # idempotent: the second `up` finds the record
    assert len(fake.created) == 1
    record = fake.created[0]
    assert record["name"] == "ackops-sandbox"
    assert record["resourcesVpcConfig"] == {"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": []}
    assert record["roleArn"] == "arn:aws:iam::123456789012:role/ackops-sandbox-eks-cluster"


@pytest.mark.parametrize("value", ["1", "true"])
def test_skip_leaves_the_record_to_the_cluster_role(fake, monkeypatch, value):
    monkeypatch.setenv("ACKOPS_SANDBOX_SKIP_EKS_RECORD", value)
    components.configure_moto()
    assert fake.created == []


def test_skip_zero_still_makes_the_record(fake, monkeypatch):
    monkeypatch.setenv("ACKOPS_SANDBOX_SKIP_EKS_RECORD", "0")
    components.configure_moto()
    assert [c["name"] for c in fake.created] == ["ackops-sandbox"]
