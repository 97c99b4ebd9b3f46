# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The ack_wait tests need kube-controller-manager to watch their test CRD before they count watches (see
test_ack_wait.py's kube fixture), and its garbage collector finds a new kind only at its discovery, every 30 s.
So the CRD is made when the session starts, and the ack_wait tests run last: by then the watch is there and
the fixture does not wait. Run alone, test_ack_wait.py still waits, as before."""

import pytest
from ackops_sandbox.ack_harness import Kube

LAST = "test_ack_wait.py"


def pytest_collection_modifyitems(items):
    """The ack_wait tests after the others; the order is otherwise unchanged (several files run in order)."""
    items.sort(key=lambda item: item.path.name == LAST)


@pytest.fixture(scope="session", autouse=True)
def ack_wait_test_crd(request):
    """Make the ack_wait test CRD at the start of a session that runs the ack_wait tests (and others)."""
    if any(item.path.name == LAST for item in request.session.items):
        Kube(request.getfixturevalue("sandbox")["KUBECONFIG"]).ensure_test_crd()
