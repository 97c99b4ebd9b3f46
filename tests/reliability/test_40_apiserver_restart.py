# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 3, kube-apiserver restarted during an ack_wait: the wait resumes and the play completes.

So that the restart surely falls inside the wait, the run changes every custom resource (a new tag)
and the Lambda controller is paused (SIGSTOP, by its PID) when the run starts applying them (not
earlier: the controllers role waits for every controller to be ready): the role's ack_wait then waits
for the Function and the mapping. Two seconds into that wait the API server is SIGKILLed (by the PID in
this checkout's .sandbox/run/kube-apiserver.pid) and `sandboxctl up` starts it again; then the
controller is resumed (SIGCONT). The run must complete, smoke test included, with the wait's watch
reporting that it reconnected."""

import json
import os
import re
import signal
import threading
import time

from rel_helpers import (assert_converged, assert_exactly_one_of_each, component_pid, controller_pid, disruptive,
                         kill_component, record, run_site, sandbox_up)

APPLY = "Apply the queues, the table, the function and the event source mapping"
WAIT = "Wait until ACK has synced them (a spec change waits for its reconcile, a metadata change does not)"

pytestmark = disruptive


def test_apiserver_restart_during_ack_wait(converged, aws, kube):
    lambda_pid, _ = controller_pid("lambda")
    events = {}

    def restart_apiserver():
        time.sleep(2)
        events["old_pid"] = kill_component("kube-apiserver")
        events["killed_at"] = time.time()
        events["up_seconds"], _ = sandbox_up()
        events["new_pid"] = component_pid("kube-apiserver")
        events["back_at"] = time.time()
        time.sleep(1)
        os.kill(lambda_pid, signal.SIGCONT)
        events["resumed_at"] = time.time()

    worker = threading.Thread(target=restart_apiserver)

    def on_task(name):
        if name == APPLY and "paused" not in events:
            os.kill(lambda_pid, signal.SIGSTOP)
            events["paused"] = time.time()
        if name == WAIT and "paused" in events and "started" not in events:
            events["started"] = time.time()
            worker.start()

    try:
        run = run_site("-v", "-e", json.dumps({"resources_tags": {"managed-by": "ackops.serverless",
                                                                    "reliability": "apiserver-restart"}}),
                       on_task=on_task)
    finally:
        if worker.is_alive():
            worker.join(timeout=300)
        os.kill(lambda_pid, signal.SIGCONT)  # whatever happened: never leave a controller paused
    assert "killed_at" in events, "the run never reached the wait:\n" + run.tail()
    assert events["new_pid"] != events["old_pid"]
    assert_converged(run)
    wait_output = run.output.split("TASK [ackops.serverless.resources : " + WAIT, 1)[1].split("\nTASK [", 1)[0]
    result = json.loads(re.search(r"^ok: \[localhost\] => (\{.*\})$", wait_output, re.M).group(1))  # -v
    reconnects, elapsed = result["watch"]["reconnects"], result["elapsed"]
    assert reconnects >= 1, f"the wait did not go through a reconnect: {result['watch']}"
    assert elapsed >= events["back_at"] - events["started"] - 1, (elapsed, events)

    follow_up = run_site()
    assert_converged(follow_up)
    counts = assert_exactly_one_of_each(aws, kube)
    record("apiserver_restart", "during_ack_wait", {
        "apiserver_down_seconds": round(events["back_at"] - events["killed_at"], 1),
        "killed_after_wait_started_seconds": round(events["killed_at"] - events["started"], 1),
        "wait_seconds": elapsed, "wait_reconnects": reconnects, "wait_watch": result["watch"], "run_rc": run.rc, "run_seconds": run.seconds,
        "smoke_test": run.smoke_passed, "next_run_rc": follow_up.rc, "one_of_each": all(n == 1 for n in counts.values())})
