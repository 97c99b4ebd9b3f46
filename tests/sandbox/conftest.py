# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Fixtures of the sandbox self-tests: API clients bound to the running sandbox, unique names."""

import uuid

import pytest


@pytest.fixture(scope="session")
def api_client(sandbox):
    from kubernetes import client, config

    return config.new_client_from_config(config_file=sandbox["KUBECONFIG"])


@pytest.fixture
def unique():
    """A short random suffix: parallel test sessions share one sandbox."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def namespace(api_client, unique):
    """A fresh namespace, deleted (without waiting) after the test."""
    from kubernetes import client

    core = client.CoreV1Api(api_client)
    name = f"sbx-test-{unique}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    try:
        core.delete_namespace(name)
    except client.ApiException as err:
        if err.status != 404:
            raise
