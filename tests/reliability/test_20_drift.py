# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 1, drift: each AWS resource of a converged pipeline deleted out of band (in moto, behind ACK's
back). ACK would notice only at its 10-hour resync, because no generation moved.

Per kind: playbooks/verify.yml reports the drift and changes nothing; site.yml then detects it (the
resources role reads AWS's side before waiting), repairs it through the controller (a spec nudge),
converges, and its smoke test passes. Figures: detected, repaired, seconds."""

import pytest
from rel_helpers import (DLQ, ESM, FULL, FUNCTION, QUEUE, TABLE, assert_converged, assert_exactly_one_of_each,
                         aws_has, delete_out_of_band, record, run_playbook, run_site)

# kind -> (custom resource kind, name); the dead-letter queue too in make reliability-full.
KINDS = {"Queue": ("Queue", QUEUE), "Table": ("Table", TABLE), "Function": ("Function", FUNCTION),
         "EventSourceMapping": ("EventSourceMapping", ESM)}
if FULL:
    KINDS["DLQ"] = ("Queue", DLQ)


def _delete(aws, kind):
    if kind == "DLQ":
        aws["sqs"].delete_queue(QueueUrl=aws["sqs"].get_queue_url(QueueName=DLQ)["QueueUrl"])
    else:
        delete_out_of_band(aws, kind)


def _present(aws, kind):
    if kind == "DLQ":
        return DLQ in " ".join(aws["sqs"].list_queues(QueueNamePrefix=DLQ).get("QueueUrls", []))
    return aws_has(aws, kind)


def _repair_seconds(run):
    """From the first repair task to the start of the role's main wait (the repair waves and their waits)."""
    starts = [at for name, at in run.task_starts if name.startswith("Make ACK reconcile now")
              or name.startswith("Drop the provisioned throughput")]
    ends = [at for name, at in run.task_starts if name.startswith("Wait until ACK has synced them")]
    if not starts or not ends:
        return None
    return round(ends[-1] - starts[0], 1)


@pytest.mark.parametrize("kind", list(KINDS))
def test_drift_is_detected_and_repaired(kind, converged, aws, kube):
    label, name = KINDS[kind]
    before = kube.state()
    _delete(aws, kind)
    assert not _present(aws, kind)

    verify = run_playbook("playbooks/verify.yml")
    detected_by_verify = verify.rc != 0 and f"{label} default/{name}" in verify.output
    assert detected_by_verify, "verify.yml did not report the drift:\n" + verify.tail()
    assert not _present(aws, kind), "verify.yml must change nothing, but the resource is back"
    assert kube.state() == before, "verify.yml moved a resourceVersion"

    site = run_site()
    assert_converged(site)
    detected = f"{label}/{name}" in site.output and "Make ACK reconcile now" in site.output
    assert detected, "site.yml did not repair the resource through ACK:\n" + site.tail()
    assert _present(aws, kind)
    counts = assert_exactly_one_of_each(aws, kube)
    again = run_playbook("playbooks/verify.yml")
    assert again.rc == 0, again.tail()
    record("drift", kind, {
        "name": name, "detected_by_verify": detected_by_verify, "verify_seconds": verify.seconds,
        "detected_by_site": detected, "repaired": True, "site_seconds": site.seconds,
        "repair_seconds": _repair_seconds(site), "smoke_test": site.smoke_passed, "changed": site.recap["changed"],
        "one_of_each": counts})
