# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox's EKS token webhook, its checks one by one, on tokens the collection's eks_token code
signs with botocore (no sandbox: STS and the aws-auth ConfigMap are stand-ins here)."""

import base64
import datetime
import io
import urllib.parse

import boto3
import pytest
import webhook
import yaml
from ansible_collections.ackops.serverless.plugins.module_utils.eks_token import presigned_token

STS = "http://127.0.0.1:15001"
ACCOUNT = "123456789012"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/automation"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/awx-pipeline"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/awx-pipeline/job-42"
AWS_AUTH = {
    "mapUsers": yaml.safe_dump([{"userarn": USER_ARN, "username": "automation", "groups": ["ackops-platform"]}]),
    "mapRoles": yaml.safe_dump([{"rolearn": ROLE_ARN, "username": "awx:{{SessionName}}:{{AccountID}}",
                                 "groups": ["ackops-pipeline"]}]),
}


def token(cluster="ackops-sandbox", session_token=None, endpoint=STS):
    session = boto3.session.Session(aws_access_key_id="AKIATESTKEY", aws_secret_access_key="secret",
                                    aws_session_token=session_token, region_name="us-east-1")
    return presigned_token(session.client("sts", endpoint_url=endpoint), cluster)


def encode(url):
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def url_of(tok):
    payload = tok[len("k8s-aws-v1."):]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()


def with_query(tok, **changes):
    parts = urllib.parse.urlsplit(url_of(tok))
    query = dict(urllib.parse.parse_qsl(parts.query))
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return encode(parts._replace(query=urllib.parse.urlencode(query)).geturl())


def now():
    return datetime.datetime.utcnow()


def test_a_token_from_the_collection_passes_the_format_checks():
    url, query = webhook.parse_token(token(), {STS}, now())
    assert url.startswith(STS + "/?")
    assert query["action"] == "GetCallerIdentity"
    assert "x-k8s-aws-id" in query["x-amz-signedheaders"].split(";")


@pytest.mark.parametrize("mangle, reason", [
    (lambda t: "Bearer " + t, "no k8s-aws-v1. prefix"),
    (lambda t: "k8s-aws-v1.%%%", "not base64url"),
    (lambda t: token(endpoint="http://127.0.0.1:9"), "not on an accepted STS endpoint"),
    (lambda t: encode(url_of(t).replace("/?", "/other?")), "path must be /"),
    (lambda t: with_query(t, Action="AssumeRole"), "action must be GetCallerIdentity"),
    (lambda t: with_query(t, Version="2010-01-01"), "version must be 2011-06-15"),
    (lambda t: with_query(t, Extra="1"), "unexpected query parameter"),
    (lambda t: with_query(t, **{"X-Amz-SignedHeaders": "host"}), "x-k8s-aws-id is not a signed header"),
    (lambda t: with_query(t, **{"X-Amz-Expires": "3600"}), "X-Amz-Expires must be"),
    (lambda t: with_query(t, **{"X-Amz-Date": None}), "X-Amz-Date missing"),
    (lambda t: with_query(t, **{"X-Amz-Signature": ""}), "no X-Amz-Signature"),
    (lambda t: "k8s-aws-v1." + "A" * 9000, "longer than"),
])
def test_malformed_tokens_are_refused_saying_why(mangle, reason):
    with pytest.raises(webhook.TokenError, match=reason):
        webhook.parse_token(mangle(token()), {STS}, now())


def test_a_token_is_good_for_fifteen_minutes_after_signing():
    tok = token()
    webhook.parse_token(tok, {STS}, now() + datetime.timedelta(minutes=14))
    with pytest.raises(webhook.TokenError, match="expired"):
        webhook.parse_token(tok, {STS}, now() + datetime.timedelta(minutes=16))
    with pytest.raises(webhook.TokenError, match="in the future"):
        webhook.parse_token(tok, {STS}, now() - datetime.timedelta(minutes=6))


def test_assumed_roles_map_by_role_arn_with_session_name():
    assert webhook.canonical_arn(SESSION_ARN) == ROLE_ARN
    assert webhook.canonical_arn(USER_ARN) == USER_ARN
    identity = {"Arn": SESSION_ARN, "Account": ACCOUNT, "UserId": "AROAX:job-42"}
    assert webhook.map_identity(identity, "ASIAKEY", AWS_AUTH) == (f"awx:job-42:{ACCOUNT}", ["ackops-pipeline"])
    user = {"Arn": USER_ARN, "Account": ACCOUNT, "UserId": "AIDAX"}
    assert webhook.map_identity(user, "AKIAKEY", AWS_AUTH) == ("automation", ["ackops-platform"])


def test_an_unmapped_arn_is_refused():
    stranger = {"Arn": f"arn:aws:iam::{ACCOUNT}:user/stranger", "Account": ACCOUNT, "UserId": "AIDAY"}
    with pytest.raises(webhook.TokenError, match="not mapped"):
        webhook.map_identity(stranger, "AKIAKEY", AWS_AUTH)
    with pytest.raises(webhook.TokenError, match="not mapped"):
        webhook.map_identity(stranger, "AKIAKEY", {})


def test_sts_answers_parse_as_xml_and_json():
    xml = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
           b'<Arn>' + USER_ARN.encode() + b'</Arn><UserId>AIDAX</UserId><Account>' + ACCOUNT.encode() +
           b'</Account></GetCallerIdentityResult></GetCallerIdentityResponse>')
    assert webhook.parse_caller_identity(xml) == {"Arn": USER_ARN, "Account": ACCOUNT, "UserId": "AIDAX"}
    json_body = (b'{"GetCallerIdentityResponse": {"GetCallerIdentityResult": {"Arn": "' + USER_ARN.encode()
                 + b'", "Account": "' + ACCOUNT.encode() + b'", "UserId": "AIDAX"}}}')
    assert webhook.parse_caller_identity(json_body)["Arn"] == USER_ARN


class FakeCluster:
    @staticmethod
    def aws_auth():
        return AWS_AUTH


def test_review_replays_the_url_with_the_cluster_id_and_answers_a_token_review():
    seen = []

    def opener(request, timeout):
        seen.append(request)
        return io.BytesIO(b'{"GetCallerIdentityResponse": {"GetCallerIdentityResult": {"Arn": "' + SESSION_ARN.encode()
                          + b'", "Account": "' + ACCOUNT.encode() + b'", "UserId": "AROAX:job-42"}}}')

    auth = webhook.Authenticator({STS}, "ackops-sandbox", FakeCluster(), opener=opener)
    tok = token(session_token="session-secret")
    status, decision = auth.review(tok)
    assert status["authenticated"] is True, status
    assert status["user"]["username"] == f"awx:job-42:{ACCOUNT}"
    assert status["user"]["groups"] == ["ackops-pipeline"]
    assert status["user"]["uid"] == f"aws-iam-authenticator:{ACCOUNT}:AROAX:job-42"
    assert status["user"]["extra"]["canonicalArn"] == [ROLE_ARN]
    assert seen[0].full_url == url_of(tok)
    assert seen[0].get_header("X-k8s-aws-id") == "ackops-sandbox"
    assert tok not in decision and "session-secret" not in decision


def test_review_never_raises_and_says_why():
    auth = webhook.Authenticator({STS}, "ackops-sandbox", FakeCluster(), opener=lambda *a, **k: io.BytesIO(b""))
    status, _ = auth.review("not-a-token")
    assert status == {"authenticated": False, "error": "not an EKS token (no k8s-aws-v1. prefix)"}
