# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""sandboxctl itself: idempotent up, repair of one dead component, status, port-conflict errors."""

import os
import signal
import socket
import subprocess
import time

import pytest
from sbx_helpers import REPO, component, eventually

from ackops_sandbox import components, config, proc
from ackops_sandbox.cli import _check_ports_free

SANDBOXCTL = [str(REPO / ".venv" / "bin" / "python"), str(REPO / "sandbox" / "sandboxctl.py")]


def _ctl(*args, timeout=600):
    return subprocess.run(SANDBOXCTL + list(args), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)


def _pids():
    return {c.name: proc.read_pid(c.name, c.signature()) for c in components.COMPONENTS if c.enabled()}


def test_up_on_a_healthy_sandbox_is_quick_and_changes_nothing(sandbox):
    before = _pids()
    started = time.monotonic()
    result = _ctl("up")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout
    assert elapsed < 15, f"up took {elapsed:.1f}s on a healthy sandbox"
    assert "started PID" not in result.stdout, result.stdout
    assert _pids() == before


def test_status_lists_every_component_healthy(sandbox):
    result = _ctl("status")
    assert result.returncode == 0, result.stdout
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    for comp in components.COMPONENTS:
        expected = "healthy" if comp.enabled() else "absent"
        assert lines[comp.name].split()[1] == expected, lines[comp.name]
    assert "port %d" % config.PORTS["kube-apiserver"] in lines["kube-apiserver"]


def test_dead_component_is_restarted_alone(sandbox):
    before = _pids()
    victim = "kube-controller-manager"  # stateless and quick to start: safe to kill on a shared sandbox
    os.kill(before[victim], signal.SIGKILL)
    eventually(lambda: proc.read_pid(victim, component(victim).signature()) is None, timeout=10,
               what=f"{victim} gone")
    status = _ctl("status")
    assert status.returncode == 1 and f"{victim:<24} DOWN" in status.stdout, status.stdout

    result = _ctl("up")
    assert result.returncode == 0, result.stdout
    after = _pids()
    assert after[victim] not in (None, before[victim])
    assert {k: v for k, v in after.items() if k != victim} == {k: v for k, v in before.items() if k != victim}
    assert f"{victim}: started PID {after[victim]}" in result.stdout
    assert _ctl("status").returncode == 0


def test_port_taken_by_a_stranger_is_named():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        owners = proc.port_owners(port)
        assert [pid for pid, _ in owners] == [os.getpid()]
        stranger = components.Component(name="probe", argv=list, signature=str, ports=[port],
                                        ready=lambda: (False, ""))
        with pytest.raises(proc.SandboxError) as err:
            _check_ports_free(stranger)
    message = str(err.value)
    assert f"127.0.0.1:{port}" in message and f"PID {os.getpid()}" in message and "pytest" in message
    assert proc.port_owners(port) == []


def test_env_file_has_the_agreed_variables(sandbox):
    assert sandbox["KUBECONFIG"] == str(config.KUBECONFIG)
    assert sandbox["PATH"].split(":")[0] == str(config.CACHE_BIN)
    assert {k: sandbox[k] for k in ("ACKOPS_REGISTRY", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
                                    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ACKOPS_EKS_CLUSTER",
                                    "ACKOPS_SANDBOX")} == {
        "ACKOPS_REGISTRY": "127.0.0.1:%d" % config.PORTS["registry"],
        "AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % config.PORTS["moto"],
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing", "ACKOPS_EKS_CLUSTER": "ackops-sandbox", "ACKOPS_SANDBOX": "1"}
    for key in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        assert sandbox[key].startswith(str(config.STATE / "helm"))
    # The file is what `set -a; . .sandbox/env; set +a` loads in a shell: check bash agrees.
    shown = subprocess.run(["bash", "-c", f"set -a; . {config.ENV_FILE}; set +a; echo $KUBECONFIG; command -v helm"],
                           stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    assert shown == [str(config.KUBECONFIG), str(config.CACHE_BIN / "helm")]
