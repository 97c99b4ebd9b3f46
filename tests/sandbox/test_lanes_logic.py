# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""make test's lane runner (tools/lanes.py): each lane's sandbox, and what a failing stage stops.
The stages here are shell snippets, not make targets: nothing touches a sandbox."""

import threading

import lanes
import pytest
from ackops_sandbox import config


def test_first_lane_keeps_the_checkouts_sandbox_and_the_others_get_their_own(monkeypatch):
    monkeypatch.delenv("ACKOPS_SANDBOX_STATE", raising=False)
    monkeypatch.setenv("ACKOPS_SANDBOX_PORT_OFFSET", "700")
    first, second = lanes.lane_env(0, 700), lanes.lane_env(1, 800)
    assert first["ACKOPS_TEST_LANES"] == second["ACKOPS_TEST_LANES"] == "2"
    assert "ACKOPS_SANDBOX_STATE" not in first and first["ACKOPS_SANDBOX_PORT_OFFSET"] == "700"
    assert second["ACKOPS_SANDBOX_STATE"] == str(lanes.REPO / ".sandbox-lane2")
    assert second["ACKOPS_SANDBOX_PORT_OFFSET"] == "800"


def test_lane_offsets_skip_ports_in_use_and_never_overlap():
    assert lanes.lane_offsets(2, 0, is_free=lambda port: True) == [100, 200]
    busy = config.ports_at(100)  # another checkout's sandbox at offset 100
    assert lanes.lane_offsets(1, 0, is_free=lambda port: port not in busy) == [200]
    for offset in range(0, 2001, 100):  # 100 apart is wider than any sandbox's port range
        assert not config.ports_at(offset) & config.ports_at(offset + 100)
    with pytest.raises(SystemExit, match="no free port offset above 1900"):
        lanes.lane_offsets(2, 1900, is_free=lambda port: True)


def _run(*specs):
    stop = threading.Event()
    runners = [lanes.Lane(i, stages, {"PATH": "/usr/bin:/bin"}, stop, command=("sh", "-c"))
               for i, stages in enumerate(specs)]
    for lane in runners:
        lane.start()
    for lane in runners:
        lane.join(timeout=30)
    return runners


def test_every_stage_runs_in_order_and_is_timed(capsys):
    (lane,) = _run(["echo one", "echo two"])
    assert lane.failed is None
    assert [stage for stage, took in lane.times if took is not None] == ["echo one", "echo two"]
    out = capsys.readouterr().out
    assert out.index("[echo one] one") < out.index("[echo two] two")


def test_a_failed_stage_stops_every_lane_from_starting_another():
    failing, slow = _run(["sleep 0.3; exit 3", "echo never"], ["sleep 1", "echo after the failure"])
    assert failing.failed == ("sleep 0.3; exit 3", 3)
    assert failing.times[1] == ("echo never", None)
    assert slow.failed is None
    assert slow.times[0][0] == "sleep 1" and slow.times[0][1] is not None  # the running stage finishes
    assert slow.times[1] == ("echo after the failure", None)


def test_a_failed_stage_is_recapped_by_its_failing_tests_or_else_its_last_lines():
    pytest_output = ["tests/x.py .F.", "=== short test summary info ===",
                     "FAILED tests/x.py::test_b - AssertionError: " + "x" * 500,
                     "ERROR tests/y.py::test_c - RuntimeError: no sandbox",
                     "=== 1 failed, 2 passed, 1 error in 3.00s ==="]
    recap = lanes.failure_lines(pytest_output)
    assert recap[0].startswith("FAILED tests/x.py::test_b") and len(recap[0]) == 400 and recap[0].endswith("...")
    assert recap[1:] == pytest_output[3:]
    assert lanes.failure_lines([f"line {n}" for n in range(30)], most=3) == ["line 27", "line 28", "line 29"]
    (lane,) = _run(["echo one; echo 'FAILED tests/z.py::test_d - boom'; echo two; exit 1"])
    assert lane.failed[1] == 1 and lane.recap == ["FAILED tests/z.py::test_d - boom"]
