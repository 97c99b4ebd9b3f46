# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 2, a controller killed in the middle of a converge: SIGKILL, by its PID (from this sandbox's
ACK supervisor), when site.yml starts applying the custom resources of a change that every kind must
reconcile (a new tag). The supervisor, the sandbox's kubelet, restarts the process as a kubelet would.

The run must either complete once the controller is back, or fail with a message naming the
controller; the next run converges; no AWS resource exists twice. The event source mapping is deleted
(through ACK) before the run, so the Lambda controller is killed while the mapping is being created
afresh: the one AWS resource whose create call is not idempotent.

make test kills the three controllers in one converge (two site.yml runs in all); make
reliability-full (ACKOPS_RELIABILITY_FULL=1) also kills each one alone, in a converge of its own."""

import json
import os
import signal
import time

import pytest
from rel_helpers import (ESM, FULL, FUNCTION, assert_converged, assert_exactly_one_of_each, controller_pid, disruptive, record,
                         run_site, supervisor_status)
from sbx_helpers import eventually

APPLY = "Apply the queues, the table, the function and the event source mapping"
SERVICES = ["sqs", "dynamodb", "lambda"]
KILLS = ["all-three"] + (SERVICES if FULL else [])
KINDS_OF = {"sqs": ["Queue"], "dynamodb": ["Table"], "lambda": ["Function", "EventSourceMapping"]}

pytestmark = disruptive


def _tags(value):
    return json.dumps({"resources_tags": {"managed-by": "ackops.serverless", "reliability": value}})


def _kill_when_applying(services, killed):
    def on_task(name):
        if name != APPLY or killed:
            return
        for service in services:
            pid, restarts = controller_pid(service)
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                argv = cmdline.read().split(b"\0")
            assert any(b"ack-controller" in a for a in argv) and service.encode() in argv, argv  # ours, that one
            os.kill(pid, signal.SIGKILL)
            killed[service] = {"pid": pid, "restarts": restarts, "at": time.time()}
    return on_task


@pytest.mark.parametrize("case", KILLS)
def test_controller_killed_mid_converge(case, converged, aws, kube):
    services = SERVICES if case == "all-three" else [case]
    if "lambda" in services:  # the mapping is created again in the run, while its controller is down
        kube.custom.delete_namespaced_custom_object("lambda.services.k8s.aws", "v1alpha1", "default",
                                                    "eventsourcemappings", ESM)
        eventually(lambda: kube.get("EventSourceMapping", ESM) is None, timeout=60, what="mapping deleted by ACK")
        assert aws["lambda"].list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"] == []
    killed = {}
    run = run_site("-e", _tags(case), on_task=_kill_when_applying(services, killed))
    assert sorted(killed) == sorted(services), "the run never reached the apply task:\n" + run.tail()
    status = supervisor_status()["controllers"]
    back = {s: status[s]["alive"] and status[s]["pid"] != killed[s]["pid"] for s in services}
    if run.rc == 0:
        outcome = "completed after the controller came back"
        assert run.smoke_passed, run.tail()
    else:
        message = run.failure()
        # Naming the controller: the word, with its service or one of its kinds (a bare timeout naming only
        # a resource does not tell the user a controller was the cause).
        names = [n for s in services for n in [s] + KINDS_OF[s]]
        assert "controller" in message.lower() and any(n in message for n in names), \
            f"the failure does not name the controller: {message}"
        outcome = "failed naming the controller: " + message[:300]
    assert all(back.values()), f"a controller did not come back: {status}"

    follow_up = run_site()
    assert_converged(follow_up)
    counts = assert_exactly_one_of_each(aws, kube)
    for service in services:
        record("controller_kill", f"{case}/{service}" if len(services) > 1 else case, {
            "service": service, "killed_pid": killed[service]["pid"], "new_pid": status[service]["pid"],
            "supervisor_restarts": status[service]["restarts"] - killed[service]["restarts"],
            "killed_at_task": APPLY, "mapping_recreated_in_run": "lambda" in services,
            "run_rc": run.rc, "run_seconds": run.seconds, "outcome": outcome,
            "next_run_rc": follow_up.rc, "next_run_seconds": follow_up.seconds,
            "next_run_smoke_test": follow_up.smoke_passed, "one_of_each": all(n == 1 for n in counts.values()),
            "counts": counts})
