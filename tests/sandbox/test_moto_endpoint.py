# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""moto, the sandbox's AWS endpoint: identity, the EKS cluster record, the Lambda config sandboxctl posts."""

import json
import urllib.request

import boto3


def _client(sandbox, service):
    return boto3.client(service, endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name=sandbox["AWS_REGION"],
                        aws_access_key_id=sandbox["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=sandbox["AWS_SECRET_ACCESS_KEY"])


def test_sts_caller_identity(sandbox):
    identity = _client(sandbox, "sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"].startswith("arn:aws:")


def test_eks_cluster_has_oidc_issuer(sandbox):
    cluster = _client(sandbox, "eks").describe_cluster(name=sandbox["ACKOPS_EKS_CLUSTER"])["cluster"]
    assert cluster["name"] == "ackops-sandbox"
    issuer = cluster["identity"]["oidc"]["issuer"]
    assert issuer.startswith("https://oidc.eks.us-east-1.amazonaws.com/id/"), issuer
    assert cluster["status"] == "ACTIVE"


def test_lambda_runs_without_docker(sandbox):
    with urllib.request.urlopen(f"{sandbox['AWS_ENDPOINT_URL']}/moto-api/config", timeout=5) as response:
        config = json.loads(response.read())
    assert config["lambda"]["use_docker"] is False
