# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 5, two site.yml runs at once, on a pipeline with work to do for both: the function deleted out
of band (both runs find the drift and repair it) and a new tag on every custom resource (both apply it).

Both must end rc=0, or one fails with a clear message; afterwards exactly one of each resource exists
(in AWS and in Kubernetes) and verify.yml finds nothing. make reliability-full (ACKOPS_RELIABILITY_FULL=1)
also starts the two runs from nothing (after playbooks/cleanup.yml), where every resource, the
controllers' Helm releases and IAM roles included, is created by both at once."""

import json
import threading

import pytest
from rel_helpers import (FULL, assert_exactly_one_of_each, delete_out_of_band, record, run_playbook, run_site)

SCENARIOS = ["drift-and-change"] + (["from-nothing"] if FULL else [])
# What a run that loses the race may say: each names what happened and what to do.
CLEAR = ["overwritten by another smoke test",           # the two smoke tests sent the tutorial's keys at once
         "another operation (install/upgrade/rollback) is in progress",  # Helm's own lock on a release
         "the object has been modified"]                # Kubernetes' optimistic concurrency


def _both(*args):
    runs = [None, None]

    def one(i):
        runs[i] = run_site(*args)

    threads = [threading.Thread(target=one, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_site_runs_at_once(scenario, converged, aws, kube):
    if scenario == "from-nothing":
        cleanup = run_playbook("playbooks/cleanup.yml")
        assert cleanup.rc == 0, cleanup.tail()
        runs = _both()
    else:
        delete_out_of_band(aws, "Function")
        runs = _both("-e", json.dumps({"resources_tags": {"managed-by": "ackops.serverless", "reliability": "concurrent"}}))
    outcomes = []
    for run in runs:
        if run.rc == 0:
            assert run.smoke_passed, run.tail()
            outcomes.append("rc=0, smoke test passed")
        else:
            message = run.failure()
            assert any(c in message for c in CLEAR), "a run failed without a clear message:\n" + message
            outcomes.append(f"rc={run.rc}: {message[:400]}")
    failed = [run for run in runs if run.rc != 0]
    assert len(failed) <= 1, "both runs failed:\n" + "\n".join(outcomes)
    counts = assert_exactly_one_of_each(aws, kube)
    verify = run_playbook("playbooks/verify.yml")
    assert verify.rc == 0, verify.tail()
    follow_up = run_site()
    assert follow_up.rc == 0 and follow_up.smoke_passed, follow_up.tail()
    record("concurrent_runs", scenario, {
        "runs": [{"rc": r.rc, "seconds": r.seconds, "outcome": o} for r, o in zip(runs, outcomes)],
        "both_rc0": not failed, "one_of_each": all(n == 1 for n in counts.values()), "counts": counts,
        "verify_after": verify.rc == 0, "next_run_rc": follow_up.rc})
