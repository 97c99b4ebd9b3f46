# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""sandboxctl's supervision logic on throw-away components (small HTTP servers on free ports, their
pid files and logs in a temporary directory): nothing here touches the shared sandbox."""

import os
import re
import signal
import socket
import sys

import pytest
from sbx_helpers import eventually

from ackops_sandbox import cli, config, proc
from ackops_sandbox.components import Component, _status_is


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "RUN", tmp_path / "run")
    monkeypatch.setattr(config, "LOGS", tmp_path / "logs")
    started = []
    yield tmp_path, started
    for comp in started:  # stop by PID whatever a failing test left running
        pid = proc.read_pid(comp.name, comp.signature())
        if pid:
            proc.stop(comp.name, pid, grace=2)


def _http_component(tmp_path, name, shell_prefix="", **extra):
    port = _free_port()
    docroot = tmp_path / name
    docroot.mkdir()
    server = f"exec {sys.executable} -m http.server --bind 127.0.0.1 --directory {docroot} {port}"
    return Component(name=name, argv=lambda: ["sh", "-c", shell_prefix + server], signature=lambda: str(docroot),
                     ports=[port], ready=_status_is(f"http://127.0.0.1:{port}/"), timeout=20, **extra)


def _pid(comp):
    return proc.read_pid(comp.name, comp.signature())


def test_start_reuse_repair_and_restart_with(scratch):
    tmp_path, started = scratch
    registry = _http_component(tmp_path, "reg")
    supervisor = _http_component(tmp_path, "sup", restart_with=["reg"])
    bystander = _http_component(tmp_path, "other")
    started += [registry, supervisor, bystander]
    env = dict(os.environ)

    restarted = set()
    for comp in started:
        assert cli._ensure_running(comp, env, restarted) is True
        restarted.add(comp.name)
    first = {c.name: _pid(c) for c in started}
    assert None not in first.values()

    # A healthy sandbox: nothing is started again.
    assert [cli._ensure_running(c, env, set()) for c in started] == [False, False, False]
    assert {c.name: _pid(c) for c in started} == first

    # The registry dies: it is restarted, the component marked restart_with follows, the other stays.
    os.kill(first["reg"], signal.SIGKILL)
    eventually(lambda: _pid(registry) is None, timeout=10, what="registry gone")
    restarted = set()
    for comp in started:
        if cli._ensure_running(comp, env, restarted):
            restarted.add(comp.name)
    second = {c.name: _pid(c) for c in started}
    assert restarted == {"reg", "sup"}
    assert second["reg"] != first["reg"] and second["sup"] != first["sup"]
    assert second["other"] == first["other"]
    log = (config.LOGS / "reg.log").read_text(encoding="utf-8")
    assert log.count("sandboxctl starts:") == 2


def test_stop_kills_the_children_of_a_component(scratch):
    tmp_path, started = scratch
    # The component spawns a child that ignores SIGTERM, as a stuck controller process would.
    comp = _http_component(tmp_path, "parent", shell_prefix="(trap '' TERM; sleep 300) & ")
    started.append(comp)
    cli._ensure_running(comp, dict(os.environ), set())
    pid = _pid(comp)
    group = eventually(lambda: [p for p in proc.process_group(pid) if p != pid], timeout=5, what="child seen")
    killed = proc.stop(comp.name, pid, grace=1)
    assert set(group) <= set(killed)
    assert proc.process_group(pid) == []
    assert not proc.pid_file(comp.name).exists()
    assert proc.port_owners(comp.ports[0]) == []


def test_down_reports_the_cpu_time_of_the_component_and_the_children_it_waited_for(scratch, monkeypatch, capsys):
    tmp_path, started = scratch
    # The component's shell runs a child that burns about a CPU-second and waits for it: the parent's own
    # counters hold nothing of it, its counters for waited-for children do.
    burn = f"{sys.executable} -c 'import time; t = time.process_time() + 1.0\nwhile time.process_time() < t: pass'; "
    comp = _http_component(tmp_path, "busy", shell_prefix=burn)
    started.append(comp)
    monkeypatch.setattr(cli, "COMPONENTS", [comp])
    cli._ensure_running(comp, dict(os.environ), set())
    pid = _pid(comp)
    used = proc.cpu_seconds(proc.process_group(pid))
    assert 1.0 <= used < 5.0
    assert proc.cpu_seconds([]) == 0

    assert cli.down(type("Args", (), {"purge": False})()) == 0
    said = re.search(r"busy: stopped PID %d in [\d.]+s \(SIGTERM\); it had used (\d+) CPU-s" % pid,
                     capsys.readouterr().out)
    assert said and int(said.group(1)) >= 1


def test_component_that_never_gets_ready_reports_its_log(scratch):
    tmp_path, started = scratch
    broken = Component(name="broken", argv=lambda: ["sh", "-c", "echo 'fatal: no config given' >&2; exit 3"],
                       signature=lambda: "never", ports=[_free_port()], ready=lambda: (False, "probe"), timeout=10)
    started.append(broken)
    with pytest.raises(proc.SandboxError) as err:
        cli._ensure_running(broken, dict(os.environ), set())
    message = str(err.value)
    assert "broken exited with status 3" in message
    assert "fatal: no config given" in message
    assert str(config.LOGS / "broken.log") in message


def test_down_purge_stops_components_and_removes_state(scratch, monkeypatch):
    tmp_path, started = scratch
    comp = _http_component(tmp_path, "svc")
    started.append(comp)
    state = {"ETCD_DATA": tmp_path / "etcd", "REGISTRY_DATA": tmp_path / "registry", "PKI": tmp_path / "pki",
             "HELM_HOME": tmp_path / "helm", "KUBECONFIG": tmp_path / "kubeconfig", "ENV_FILE": tmp_path / "env"}
    for key, path in state.items():
        monkeypatch.setattr(config, key, path)
        if key in ("KUBECONFIG", "ENV_FILE"):
            path.write_text("x", encoding="utf-8")
        else:
            (path / "data").mkdir(parents=True)
    monkeypatch.setattr(cli, "COMPONENTS", [comp])
    cli._ensure_running(comp, dict(os.environ), set())
    pid = _pid(comp)

    assert cli.down(type("Args", (), {"purge": True})()) == 0
    assert proc.cmdline(pid) is None or proc.is_zombie(pid)
    assert proc.port_owners(comp.ports[0]) == []
    assert [key for key, path in state.items() if path.exists()] == []


def test_port_offset_from_env_then_file_then_zero(tmp_path):
    offset_file = tmp_path / "port-offset"
    assert config.read_port_offset({}, offset_file) == 0
    offset_file.write_text("100\n", encoding="utf-8")
    assert config.read_port_offset({}, offset_file) == 100
    assert config.read_port_offset({"ACKOPS_SANDBOX_PORT_OFFSET": "200"}, offset_file) == 200


@pytest.mark.parametrize("raw", ["ten", "-1", "5000"])
def test_port_offset_rejects_what_is_not_a_small_number(tmp_path, raw):
    with pytest.raises(SystemExit, match="port offset"):
        config.read_port_offset({"ACKOPS_SANDBOX_PORT_OFFSET": raw}, tmp_path / "absent")
