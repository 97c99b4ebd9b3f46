# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""moto, the sandbox's AWS endpoint: identity, the EKS cluster record, the Lambda config sandboxctl posts."""

import io
import json
import urllib.request
import uuid
import zipfile

import boto3
import botocore.exceptions
import pytest


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


def test_lambda_refuses_a_second_mapping_of_a_queue_to_a_function_naming_the_first(sandbox):
    """sandbox/aws/shims/lambda_esm_conflict.py: as Lambda, a 409 ResourceConflictException with the UUID of the
    mapping that exists; another function, or the same one once the first mapping is gone, is accepted."""
    iam, sqs, lam = (_client(sandbox, service) for service in ("iam", "sqs", "lambda"))
    name = "esm-conflict-" + uuid.uuid4().hex[:8]
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    for function in (name, name + "-b"):
        lam.create_function(FunctionName=function, Runtime="python3.11", Role=role, Handler="app.handler",
                            Code={"ZipFile": code.getvalue()})
    try:
        first = lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=name)["UUID"]
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=name)
        error = refused.value.response
        assert error["Error"]["Code"] == "ResourceConflictException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert error["Error"]["Message"].endswith("existing mapping with UUID " + first)
        other = lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=name + "-b")["UUID"]
        lam.delete_event_source_mapping(UUID=first)
        again = lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=name)["UUID"]
        assert len({first, other, again}) == 3
        for mapping in (other, again):
            lam.delete_event_source_mapping(UUID=mapping)
    finally:
        for function in (name, name + "-b"):
            lam.delete_function(FunctionName=function)
        sqs.delete_queue(QueueUrl=url)
        iam.delete_role(RoleName=name)
