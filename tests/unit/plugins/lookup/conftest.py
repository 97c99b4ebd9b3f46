# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Fixtures of the lookup plugins' unit tests."""

import pytest
from ansible.plugins.loader import lookup_loader


@pytest.fixture(scope="module")
def lookup(request):
    """The lookup the test module names in LOOKUP, as a playbook loads it: documentation fragments included
    (tests/unit/conftest.py installs the collection loader)."""
    return lookup_loader.get("ackops.serverless." + request.module.LOOKUP)
