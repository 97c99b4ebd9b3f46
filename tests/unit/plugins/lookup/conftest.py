# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Fixtures of the lookup plugins' unit tests."""

import pytest
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader


@pytest.fixture(scope="module")
def lookup(request):
    """The lookup the test module names in LOOKUP, as a playbook loads it: documentation fragments included
    (tests/unit/conftest.py installs the collection loader)."""
    return lookup_loader.get("ackops.serverless." + request.module.LOOKUP)


@pytest.fixture
def unreachable(lookup, aws_env, monkeypatch):
    """unreachable(terms, **options): the message of the error the lookup raises when its AWS endpoint does not
    answer (a closed port on 127.0.0.1, one attempt)."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")

    def message(terms=(), **options):
        with pytest.raises(AnsibleLookupError) as raised:
            lookup.run(list(terms), variables={}, region="us-east-1", endpoint_url="http://127.0.0.1:9", **options)
        return str(raised.value)

    return message
