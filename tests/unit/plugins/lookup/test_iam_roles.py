# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests for the ackops.serverless.iam_roles lookup against moto's in-process mock (no sandbox)."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.errors import AnsibleLookupError
from moto import mock_aws

LOOKUP = "iam_roles"  # the lookup fixture (conftest.py) loads ackops.serverless.iam_roles

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "Items", "Effect": "Allow", "Action": ["dynamodb:PutItem"],
                                                  "Resource": ["arn:aws:dynamodb:us-east-1:123456789012:table/t"]}]}


@pytest.fixture
def aws(aws_env):
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def test_roles_in_the_order_given_with_policies_and_an_empty_entry_for_a_missing_one(lookup, aws):
    aws.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(TRUST), Description="the function's",
                    Tags=[{"Key": "managed-by", "Value": "ackops.serverless"}])
    aws.put_role_policy(RoleName="fn", PolicyName="Write_Items", PolicyDocument=json.dumps(POLICY))
    aws.create_role(RoleName="controller", AssumeRolePolicyDocument=json.dumps(TRUST), Path="/ack/")
    managed = aws.create_policy(PolicyName="queues", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
    aws.attach_role_policy(RoleName="controller", PolicyArn=managed)

    fn, missing, controller = lookup.run(["fn", "missing", "controller"], variables={}, region="us-east-1")

    assert missing == {}
    assert fn["role_name"] == "fn" and fn["description"] == "the function's" and fn["path"] == "/"
    assert fn["assume_role_policy_document"] == TRUST
    assert fn["tags"] == {"managed-by": "ackops.serverless"}
    assert fn["managed_policies"] == []
    # The policy's name and its document's keys stay as IAM has them (no snake_case).
    assert fn["inline_policies"] == ["Write_Items"]
    assert fn["inline_policy_documents"] == {"Write_Items": POLICY}
    assert controller["path"] == "/ack/" and controller["tags"] == {} and controller["inline_policy_documents"] == {}
    assert controller["managed_policies"] == [{"policy_name": "queues", "policy_arn": managed}]


def test_same_shape_as_amazon_aws_iam_role_info(lookup, aws, capsys):
    """The roles compare what they read with what iam_role_info returned before: the keys must match."""
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.amazon.aws.plugins.modules import iam_role_info

    aws.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(TRUST))
    aws.put_role_policy(RoleName="fn", PolicyName="p", PolicyDocument=json.dumps(POLICY))
    with patch_module_args({"name": "fn", "region": "us-east-1"}):
        with pytest.raises(SystemExit):
            iam_role_info.main()
    module_view = json.loads(capsys.readouterr().out)["iam_roles"][0]
    lookup_view = lookup.run(["fn"], variables={}, region="us-east-1")[0]
    for key in ("role_name", "path", "arn", "description", "assume_role_policy_document", "tags",
                "managed_policies", "inline_policies"):
        assert lookup_view.get(key) == module_view.get(key), key


def test_an_empty_name_is_refused(lookup, aws):
    with pytest.raises(AnsibleLookupError, match="an empty name"):
        lookup.run(["fn", ""], variables={}, region="us-east-1")


def test_an_unreachable_endpoint_names_the_roles_and_the_permissions(unreachable):
    message = unreachable(["fn"])
    assert "could not read the IAM roles fn" in message and "127.0.0.1:9" in message
    assert "iam:GetRolePolicy" in message
