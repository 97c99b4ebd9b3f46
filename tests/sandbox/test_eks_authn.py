# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""EKS tokens against the running sandbox: moto's STS answers their pre-signed GetCallerIdentity for
the key that signed it, and kube-apiserver authenticates them through the EKS token webhook, mapping
the caller's ARN with the aws-auth ConfigMap, as EKS does."""

import json
import ssl
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import boto3
import pytest
import yaml
from ackops_sandbox import config
from ansible_collections.ackops.serverless.plugins.module_utils.eks_token import presigned_token
from kubernetes import client
from sbx_helpers import eventually

STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def aws(sandbox, service, **credentials):
    credentials = credentials or {"aws_access_key_id": sandbox["AWS_ACCESS_KEY_ID"],
                                  "aws_secret_access_key": sandbox["AWS_SECRET_ACCESS_KEY"]}
    return boto3.session.Session(region_name=sandbox["AWS_REGION"], **credentials).client(
        service, endpoint_url=sandbox["AWS_ENDPOINT_URL"])


@pytest.fixture
def iam_user(sandbox, unique):
    iam = aws(sandbox, "iam")
    name = f"eks-authn-{unique}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    yield arn, {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)


@pytest.fixture
def assumed_role(sandbox, unique):
    iam = aws(sandbox, "iam")
    name = f"eks-authn-role-{unique}"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    creds = aws(sandbox, "sts").assume_role(RoleArn=arn, RoleSessionName="job-7")["Credentials"]
    yield arn, {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"]}
    iam.delete_role(RoleName=name)


@pytest.fixture
def aws_auth(api_client):
    """Adds mapUsers/mapRoles entries to kube-system/aws-auth for the test, and removes them after."""
    core = client.CoreV1Api(api_client)
    added = []

    def edit(change):
        try:
            current = core.read_namespaced_config_map("aws-auth", "kube-system")
            data = current.data or {}
        except client.ApiException as err:
            if err.status != 404:
                raise
            current, data = None, {}
        for key in ("mapUsers", "mapRoles"):
            data[key] = yaml.safe_dump(change(key, yaml.safe_load(data.get(key) or "[]") or []))
        body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="aws-auth", namespace="kube-system"), data=data)
        if current is None:
            core.create_namespaced_config_map("kube-system", body)
        else:
            core.replace_namespaced_config_map("aws-auth", "kube-system", body)

    def add(key, entry):
        added.append((key, entry))
        edit(lambda k, entries: entries + ([entry] if k == key else []))

    yield add
    edit(lambda k, entries: [e for e in entries if (k, e) not in added])


def apiserver(sandbox, token, path="/apis/authentication.k8s.io/v1/selfsubjectreviews"):
    body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}).encode()
    request = urllib.request.Request(sandbox["ACKOPS_KUBE_APISERVER"] + path, data=body if "selfsubject" in path else None,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    context = ssl.create_default_context(cafile=str(config.SERVING_CERT))
    try:
        with urllib.request.urlopen(request, context=context, timeout=15) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, {}


def authenticated(sandbox, credentials):
    """A SelfSubjectReview with a fresh token, until the webhook sees the new mapping (it caches aws-auth
    for a few seconds; kube-apiserver caches a refused token, so every attempt signs a new one)."""
    def attempt():
        token = presigned_token(aws(sandbox, "sts", **credentials), sandbox["ACKOPS_EKS_CLUSTER"])
        status, review = apiserver(sandbox, token)
        return review if status == 201 else None
    return eventually(attempt, timeout=20, interval=1.1, what="the token is authenticated")


def test_moto_answers_a_presigned_get_caller_identity_for_its_signer(sandbox, iam_user, assumed_role):
    for arn, credentials in (iam_user, assumed_role):
        sts = aws(sandbox, "sts", **credentials)
        url = sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET")
        with urllib.request.urlopen(url, timeout=10) as answer:
            caller = ET.fromstring(answer.read()).find(STS_NS + "GetCallerIdentityResult").findtext(STS_NS + "Arn")
        expected = arn if ":user/" in arn else arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/job-7"
        assert caller == expected


def test_apiserver_authenticates_a_mapped_iam_user(sandbox, iam_user, aws_auth, unique):
    arn, credentials = iam_user
    aws_auth("mapUsers", {"userarn": arn, "username": f"automation-{unique}", "groups": ["ackops-test-group"]})
    user = authenticated(sandbox, credentials)["status"]["userInfo"]
    assert user["username"] == f"automation-{unique}"
    assert "ackops-test-group" in user["groups"]
    assert user["extra"]["arn"] == [arn]


def test_apiserver_maps_an_assumed_role_by_its_role_arn(sandbox, assumed_role, aws_auth):
    arn, credentials = assumed_role
    aws_auth("mapRoles", {"rolearn": arn, "username": "awx:{{SessionName}}", "groups": ["ackops-test-group"]})
    assert authenticated(sandbox, credentials)["status"]["userInfo"]["username"] == "awx:job-7"


def test_apiserver_refuses_unmapped_and_foreign_tokens(sandbox, iam_user):
    _arn, credentials = iam_user
    unmapped = presigned_token(aws(sandbox, "sts", **credentials), sandbox["ACKOPS_EKS_CLUSTER"])
    assert apiserver(sandbox, unmapped, "/api/v1/namespaces/default")[0] == 401
    real_sts = boto3.session.Session(region_name="us-east-1", **credentials).client("sts")  # not the sandbox's STS
    assert apiserver(sandbox, presigned_token(real_sts, sandbox["ACKOPS_EKS_CLUSTER"]), "/api/v1/namespaces/default")[0] == 401
    log = (config.LOGS / "eks-authn.log").read_text()
    assert "is not mapped in the aws-auth ConfigMap" in log
    assert unmapped not in log
