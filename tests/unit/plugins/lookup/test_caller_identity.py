# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests for the ackops.serverless.caller_identity lookup against moto's in-process mock (no sandbox)."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleLookupError
from moto import mock_aws

LOOKUP = "caller_identity"  # the lookup fixture (conftest.py) loads ackops.serverless.caller_identity


def test_same_account_arn_and_user_id_as_amazon_aws_caller_info(lookup, aws_env, capsys):
    """preflight and resources used aws_caller_info before: the keys they read must match."""
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.amazon.aws.plugins.modules import aws_caller_info

    with mock_aws():
        with patch_module_args({"region": "us-east-1"}):
            with pytest.raises(SystemExit):
                aws_caller_info.main()
        module_view = json.loads(capsys.readouterr().out)
        (lookup_view,) = lookup.run([], variables={}, region="us-east-1")
    assert lookup_view == {key: module_view[key] for key in ("account", "arn", "user_id")}
    assert lookup_view["arn"].split(":")[1] == "aws"  # the partition the ARNs are built with


def test_terms_are_refused(lookup, aws_env):
    with pytest.raises(AnsibleLookupError, match="takes no terms"):
        lookup.run(["123456789012"], variables={}, region="us-east-1")


def test_an_unreachable_endpoint_is_named_with_what_to_check(unreachable):
    message = unreachable()
    assert "sts:GetCallerIdentity" in message and "127.0.0.1:9" in message
    assert "AWS_PROFILE" in message and "endpoint" in message
