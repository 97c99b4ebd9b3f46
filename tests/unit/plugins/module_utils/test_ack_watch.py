# Unit tests of the list+watch loop of ack_wait with a scripted API (no server):
# resume after a dropped connection, re-list after 410 Gone, the waiting loop's outcomes.
from __future__ import annotations

import copy
import json
import os
import threading
import time

from ansible_collections.ackops.serverless.plugins.module_utils import ack_watch
from ansible_collections.ackops.serverless.plugins.module_utils.ack_watch import Waiter, WatchTarget

with open(os.path.join(os.path.dirname(__file__), "fixtures", "ack_documents.json")) as handle:
    DOCS = json.load(handle)

KEY = ("sqs.services.k8s.aws/v1alpha1", "Queue", "pipeline", "sqs-queue-demo-ack")
TARGET = WatchTarget("sqs.services.k8s.aws/v1alpha1", "Queue", "pipeline", ["sqs-queue-demo-ack"])


def version(obj, rv):
    obj = copy.deepcopy(obj)
    obj["metadata"]["resourceVersion"] = str(rv)
    return obj


class ScriptedApi:
    """list() returns the next listing; watch() plays the next script step.

    A step is a list of events, an exception instance (raised after the events before it),
    or the string 'hang' (block until stopped).
    """

    def __init__(self, listings, steps):
        self.listings = list(listings)
        self.steps = list(steps)
        self.watch_calls = []
        self.list_calls = 0
        self.stopped = threading.Event()

    def list(self, target):
        self.list_calls += 1
        items, rv = self.listings.pop(0) if len(self.listings) > 1 else self.listings[0]
        return copy.deepcopy(items), rv

    def watch(self, target, resource_version, timeout_seconds):
        self.watch_calls.append(resource_version)
        step = self.steps.pop(0) if self.steps else "hang"
        if step == "hang":
            self.stopped.wait(5)
            return
        for item in step:
            if isinstance(item, Exception):
                raise item
            time.sleep(0.01)
            yield item


def run(api, state="synced", timeout=3.0, quiet=0.0, markers=None, recoverable_timeout=0, targets=None):
    waiter = Waiter(api, targets or [(TARGET, [KEY])], state, markers=markers, watch_timeout=1,
                    recoverable_timeout=recoverable_timeout)
    outcome, verdicts = waiter.run(timeout, quiet)
    api.stopped.set()
    return waiter, outcome, verdicts


def synced_event(rv):
    return {"type": "MODIFIED", "object": version(DOCS["queue_synced"], rv)}


def pending_doc():
    doc = copy.deepcopy(DOCS["queue_synced"])
    doc["status"]["conditions"] = []
    return doc


def test_resumes_from_last_resource_version_after_a_dropped_connection():
    api = ScriptedApi(
        [([version(pending_doc(), 10)], "10")],
        [[{"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "12"}}},
          ConnectionResetError("connection reset by peer")],
         [synced_event(13)]])
    waiter, outcome, verdicts = run(api)
    assert outcome == "done"
    assert api.watch_calls[:2] == ["10", "12"]   # resumed from the bookmark, no re-list
    assert api.list_calls == 1
    assert waiter.stats.reconnects >= 1


def test_relists_after_410_gone():
    gone = {"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "too old resource version: 10 (55)"}}
    api = ScriptedApi(
        [([version(pending_doc(), 10)], "10"), ([version(DOCS["queue_synced"], 60)], "60")],
        [[gone]])
    waiter, outcome, verdicts = run(api)
    assert outcome == "done"
    assert api.list_calls == 2 and waiter.stats.gone == 1


def test_missing_named_resource_fails_at_once():
    api = ScriptedApi([([], "10")], [])
    started = time.monotonic()
    waiter, outcome, verdicts = run(api, timeout=10)
    assert outcome == "missing" and time.monotonic() - started < 5   # not the 10 s timeout
    assert verdicts[KEY] == {"outcome": "pending", "reason": "resource not found"}


def test_terminal_during_wait_fails_before_timeout():
    table = copy.deepcopy(DOCS["table_terminal"])
    table["metadata"]["name"] = "sqs-queue-demo-ack"
    table["apiVersion"], table["kind"] = KEY[0], KEY[1]
    api = ScriptedApi([([version(pending_doc(), 10)], "10")], [[{"type": "MODIFIED", "object": version(table, 11)}]])
    started = time.monotonic()
    waiter, outcome, verdicts = run(api, timeout=10)
    assert outcome == "failed" and time.monotonic() - started < 5   # not the 10 s timeout
    assert "ACK.Terminal=True" in verdicts[KEY]["reason"]


def test_deleted_while_waiting_fails():
    api = ScriptedApi([([version(pending_doc(), 10)], "10")],
                      [[{"type": "DELETED", "object": version(pending_doc(), 11)}]])
    waiter, outcome, verdicts = run(api, timeout=10)
    assert outcome == "failed" and "deleted while waiting" in verdicts[KEY]["reason"]


def test_absent_done_on_delete_event():
    deleting = version(DOCS["queue_deleting"], 10)
    api = ScriptedApi([([deleting], "10")], [[{"type": "DELETED", "object": version(deleting, 11)}]])
    waiter, outcome, verdicts = run(api, state="absent", timeout=10)
    assert outcome == "done"


def test_timeout_reports_the_recoverable_message():
    function = copy.deepcopy(DOCS["function_recoverable"])
    function["metadata"]["name"], function["metadata"]["namespace"] = KEY[3], KEY[2]
    function["apiVersion"], function["kind"] = KEY[0], KEY[1]
    api = ScriptedApi([([version(function, 10)], "10")], [])
    started = time.monotonic()
    waiter, outcome, verdicts = run(api, timeout=1.0)
    assert outcome == "timeout"
    assert time.monotonic() - started >= 0.9                           # waited its timeout
    assert "cannot be assumed by Lambda" in verdicts[KEY]["reason"]


def test_quiet_period_restarts_when_a_resource_goes_back():
    unsynced = version(pending_doc(), 12)
    api = ScriptedApi([([version(DOCS["queue_synced"], 10)], "10")],
                      [[{"type": "MODIFIED", "object": unsynced}], "hang"])
    waiter, outcome, verdicts = run(api, timeout=1.5, quiet=0.8)
    # synced at first, went back within the quiet period, never came back
    assert outcome == "timeout"


def test_permanent_errors_are_reported_not_retried():
    class Forbidden(ack_watch.PermanentError):
        pass

    class Api(ScriptedApi):
        def list(self, target):
            raise Forbidden("cannot list Queue: forbidden")

    api = Api([], [])
    waiter, outcome, verdicts = run(api, timeout=5)
    assert outcome == "broken" and "forbidden" in list(waiter.broken.values())[0]


def test_a_generation_move_while_watching_makes_the_old_conditions_stale():
    synced = version(DOCS["queue_synced"], 10)
    moved = version(DOCS["queue_synced"], 11)
    moved["metadata"]["generation"] = 2          # a spec change: status untouched
    resynced = version(moved, 12)
    resynced["status"]["conditions"][0]["lastTransitionTime"] = "2026-11-25T16:20:40Z"
    resynced["status"]["conditions"][1]["lastTransitionTime"] = "2026-11-25T16:20:40Z"
    api = ScriptedApi([([synced], "10")], [[{"type": "MODIFIED", "object": moved}], "hang"])
    waiter, outcome, verdicts = run(api, timeout=1.0, quiet=0.5)
    assert outcome == "timeout" and "stale" in verdicts[KEY]["reason"]
    assert waiter.markers[KEY].source == "watch"
    api = ScriptedApi([([synced], "10")], [[{"type": "MODIFIED", "object": moved},
                                            {"type": "MODIFIED", "object": resynced}]])
    waiter, outcome, verdicts = run(api, timeout=3.0, quiet=0.3)
    assert outcome == "done"


def test_a_metadata_only_change_keeps_the_conditions_valid():
    relabelled = version(DOCS["queue_synced"], 11)
    relabelled["metadata"]["labels"] = {"team": "payments"}
    relabelled["metadata"]["managedFields"][0]["time"] = "2026-11-25T16:30:00Z"
    api = ScriptedApi([([relabelled], "11")], [])
    started = time.monotonic()
    waiter, outcome, verdicts = run(api, timeout=5.0)
    assert outcome == "done" and time.monotonic() - started < 4       # not the 5 s timeout


def _recoverable(rv, request_id):
    function = copy.deepcopy(DOCS["function_recoverable"])
    function["metadata"]["name"], function["metadata"]["namespace"] = KEY[3], KEY[2]
    function["apiVersion"], function["kind"] = KEY[0], KEY[1]
    for cond in function["status"]["conditions"]:
        if cond["type"] == "ACK.Recoverable":
            cond["message"] = ("operation error Lambda: CreateFunction, https response error StatusCode: 400, "
                               "RequestID: %s, InvalidParameterValueException: The role defined for the function "
                               "cannot be assumed by Lambda." % request_id)
    return version(function, rv)


def test_the_same_recoverable_error_fails_after_recoverable_timeout_whatever_its_request_ids():
    api = ScriptedApi([([_recoverable(10, "0f6f3b1f-5d11-4d4e-9a43-6a1f0c8e2b1d")], "10")],
                      [[{"type": "MODIFIED", "object": _recoverable(11, "1a2b3c4d-5d11-4d4e-9a43-6a1f0c8e2b1d")}],
                       "hang"])
    started = time.monotonic()
    waiter, outcome, verdicts = run(api, timeout=30.0, recoverable_timeout=1)
    took = time.monotonic() - started
    assert outcome == "failed" and 0.9 < took < 15, took          # after the grace, long before the timeout
    assert verdicts[KEY]["recoverable_for"] >= 1
    assert "cannot be assumed by Lambda" in verdicts[KEY]["reason"]
    assert "recoverable_timeout 1s" in verdicts[KEY]["reason"]


def test_a_recoverable_error_that_clears_in_time_converges():
    synced = version(DOCS["queue_synced"], 12)
    api = ScriptedApi([([_recoverable(10, "a")], "10")], [[{"type": "MODIFIED", "object": synced}]])
    waiter, outcome, verdicts = run(api, timeout=5.0, recoverable_timeout=2)
    assert outcome == "done"


def test_one_watch_per_kind_and_namespace_serves_several_names():
    other_key = KEY[:3] + ("sqs-queue-demo-ack-dlq",)
    dlq = version(DOCS["queue_synced"], 10)
    dlq["metadata"]["name"] = other_key[3]
    unrelated = version(DOCS["queue_synced"], 10)
    unrelated["metadata"]["name"] = "someone-elses-queue"
    target = WatchTarget(KEY[0], KEY[1], KEY[2], [KEY[3], other_key[3]])
    assert target.field_selector() is None
    api = ScriptedApi([([version(pending_doc(), 10), dlq, unrelated], "10")], [[synced_event(11)]])
    waiter, outcome, verdicts = run(api, targets=[(target, [KEY, other_key])])
    assert outcome == "done" and set(verdicts) == {KEY, other_key}
    assert len(api.watch_calls) >= 1 and api.list_calls == 1


def _changed_in_the_second_of_its_last_reconcile(rv):
    """A spec change written in the same second as the controller's last status write, as its apply returns it."""
    changed = version(DOCS["queue_synced"], rv)
    changed["metadata"]["generation"] = 3
    changed["metadata"]["managedFields"][0]["time"] = "2026-11-25T16:10:04Z"   # the conditions' second
    return changed


def test_conditions_dated_to_the_change_second_count_once_they_stay_unchanged():
    from ansible_collections.ackops.serverless.plugins.module_utils import ack_conditions as conds

    changed = _changed_in_the_second_of_its_last_reconcile(20)
    markers = {KEY: conds.marker_from_since(changed)}
    api = ScriptedApi([([changed], "20")], [])
    waiter = Waiter(api, [(TARGET, [KEY])], "synced", markers=markers, watch_timeout=1, same_second_grace=0.5)
    started = time.monotonic()
    outcome, verdicts = waiter.run(10.0)
    api.stopped.set()
    assert outcome == "done" and 0.4 < time.monotonic() - started < 5
    assert "written in the second of the spec change" in verdicts[KEY]["reason"]


def test_conditions_dated_before_the_change_second_stay_stale():
    from ansible_collections.ackops.serverless.plugins.module_utils import ack_conditions as conds

    changed = _changed_in_the_second_of_its_last_reconcile(20)
    changed["metadata"]["managedFields"][0]["time"] = "2026-11-25T16:10:05Z"   # a second later: surely stale
    markers = {KEY: conds.marker_from_since(changed)}
    api = ScriptedApi([([changed], "20")], [])
    waiter = Waiter(api, [(TARGET, [KEY])], "synced", markers=markers, watch_timeout=1, same_second_grace=0.2)
    outcome, verdicts = waiter.run(1.5)
    api.stopped.set()
    assert outcome == "timeout" and "stale" in verdicts[KEY]["reason"]
