# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The EKS token's format and lifetime, signed by a real botocore STS client (no network)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import boto3
import pytest

from ansible_collections.ackops.serverless.plugins.module_utils.eks_token import (
    TOKEN_PREFIX, decode_token, presigned_token, token_expiry)


@pytest.fixture
def sts(aws_env):
    """A client of AWS's regional STS endpoint, whatever endpoint the environment names (the sandbox's)."""
    return boto3.session.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret-example",
                                 region_name="eu-west-1").client("sts")


def test_token_is_prefixed_unpadded_base64url_of_a_presigned_get_caller_identity(sts):
    token = presigned_token(sts, "prod-cluster")
    assert token.startswith(TOKEN_PREFIX)
    payload = token[len(TOKEN_PREFIX):]
    assert "=" not in payload and "+" not in payload and "/" not in payload
    url, query = decode_token(token)
    assert url.startswith("https://sts.eu-west-1.amazonaws.com/?")
    assert query["Action"] == "GetCallerIdentity"
    assert query["Version"] == "2011-06-15"
    assert query["X-Amz-Expires"] == "60"
    assert query["X-Amz-Credential"].startswith("AKIDEXAMPLE/")
    assert query["X-Amz-Credential"].endswith("/eu-west-1/sts/aws4_request")
    # The cluster name is bound into the signature, as EKS requires.
    assert query["X-Amz-SignedHeaders"].split(";") == ["host", "x-k8s-aws-id"]
    assert "secret-example" not in url


def test_token_expires_fifteen_minutes_after_signing(sts):
    before = datetime.datetime.utcnow().replace(microsecond=0)
    token = presigned_token(sts, "prod-cluster")
    after = datetime.datetime.utcnow()
    expiry = token_expiry(token)
    assert before + datetime.timedelta(minutes=15) <= expiry <= after + datetime.timedelta(minutes=15)


def test_tokens_differ_per_cluster_and_the_header_does_not_leak_into_other_calls(sts):
    one, other = presigned_token(sts, "a"), presigned_token(sts, "b")
    assert decode_token(one)[1]["X-Amz-Signature"] != decode_token(other)[1]["X-Amz-Signature"]
    plain = sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60)
    assert "x-k8s-aws-id" not in plain


def test_an_endpoint_url_is_honoured_for_emulators():
    client = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b",
                                   region_name="us-east-1").client("sts", endpoint_url="http://127.0.0.1:15001")
    url, dummy = decode_token(presigned_token(client, "ackops-sandbox"))
    assert url.startswith("http://127.0.0.1:15001/?")


@pytest.mark.parametrize("bad", ["", "Bearer abc", "k8s-aws-v1.%%%"])
def test_decode_rejects_what_is_not_an_eks_token(bad):
    with pytest.raises(ValueError, match="not an EKS token"):
        decode_token(bad)


def test_cluster_name_is_required(sts):
    with pytest.raises(ValueError, match="cluster_name"):
        presigned_token(sts, "")
