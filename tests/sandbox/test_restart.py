# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""`down` then `up` restarts cleanly; a restarted registry also restarts the ACK supervisor.

These stop shared processes (moto's data and the registry's manifests are lost), so they run only
when ACKOPS_SANDBOX_DISRUPTIVE_TESTS=1 (CI, or a sandbox nobody else uses)."""

import os
import signal
import time

import pytest
from kubernetes import client
from sbx_helpers import component
from test_sandboxctl import _ctl, _pids

from ackops_sandbox import components, config, proc

pytestmark = pytest.mark.skipif(os.environ.get("ACKOPS_SANDBOX_DISRUPTIVE_TESTS") != "1",
                                reason="stops the shared sandbox; set ACKOPS_SANDBOX_DISRUPTIVE_TESTS=1")


def test_down_then_up(sandbox, api_client, namespace):
    core = client.CoreV1Api(api_client)
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="kept"),
                                                                    data={"k": "v"}))
    result = _ctl("down")
    assert result.returncode == 0, result.stdout
    assert not list(config.RUN.glob("*.pid"))
    assert [p for c in components.COMPONENTS for p in c.ports if proc.port_owners(p)] == []
    assert _ctl("status").returncode == 1

    started = time.monotonic()
    result = _ctl("up")
    assert result.returncode == 0, result.stdout
    assert time.monotonic() - started < 60, result.stdout
    assert _ctl("status").returncode == 0
    # etcd's data survives down: the ConfigMap is still there.
    assert core.read_namespaced_config_map("kept", namespace).data == {"k": "v"}


def test_registry_restart_restarts_ack_supervisor(sandbox):
    if not component("ack-supervisor").enabled():
        pytest.skip("sandbox/ack/supervisor.py does not exist")
    before = _pids()
    os.kill(before["registry"], signal.SIGKILL)
    time.sleep(1)
    result = _ctl("up")
    assert result.returncode == 0, result.stdout
    after = _pids()
    assert after["registry"] != before["registry"] and after["ack-supervisor"] != before["ack-supervisor"]
    assert after["kube-apiserver"] == before["kube-apiserver"] and after["moto"] == before["moto"]
    assert "ack-supervisor: restarting PID" in result.stdout
