from __future__ import annotations

import base64

import pytest
from moto import mock_aws

from _aws_module_harness import run_module

from ansible_collections.ackops.serverless.plugins.modules import ecr_login


def test_returns_registry_user_and_password(aws_env, capsys):
    with mock_aws():
        rc, result = run_module(ecr_login.main, {}, capsys)
    assert rc == 0, result
    assert result["changed"] is False
    assert result["registry"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert result["username"] == "AWS"
    decoded = base64.b64decode(result["authorization_token"]).decode()
    assert decoded == "AWS:" + result["password"]
    assert result["password"]
    assert result["registries"][0]["proxy_endpoint"].startswith("https://")
    assert result["expires_at"] == result["registries"][0]["expires_at"]


def test_split_token():
    assert ecr_login.split_token(base64.b64encode(b"AWS:secret:with:colons").decode()) == ("AWS", "secret:with:colons")
    with pytest.raises(ValueError):
        ecr_login.split_token(base64.b64encode(b"nocolon").decode())
    with pytest.raises(ValueError):
        ecr_login.split_token("%%%")
