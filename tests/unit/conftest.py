# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Shared by the unit tests.

- Ansible's collection loader, installed before any test module imports ansible_collections (as ansible-test's
  pytest plugin does), so plugin loaders resolve this collection's plugins and their documentation fragments
  (tests/unit/plugins/lookup loads lookups by name, as a playbook would).
- `aws_env`: the environment for moto's in-process mock (plugins/, lambda/)."""

from pathlib import Path

import pytest
from ansible.plugins.loader import init_plugin_loader

init_plugin_loader([str(Path(__file__).resolve().parents[2] / ".ansible" / "collections")])


@pytest.fixture
def aws_env(monkeypatch):
    """Dummy credentials, and no sandbox endpoint or developer's profile leaking in from the environment."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    # botocore must not find a credentials file of the developer.
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
