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
TARGET = WatchTarget("sqs.services.k8s.aws/v1alpha1", "Queue", "pipeline", "sqs-queue-demo-ack")


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


def run(api, state="synced", timeout=3.0, quiet=0.0, markers=None):
    waiter = Waiter(api, [(TARGET, KEY)], state, markers=markers, watch_timeout=1)
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
    assert outcome == "missing" and time.monotonic() - started < 2
    assert verdicts[KEY] == {"outcome": "pending", "reason": "resource not found"}


def test_terminal_during_wait_fails_before_timeout():
    table = copy.deepcopy(DOCS["table_terminal"])
    table["metadata"]["name"] = "sqs-queue-demo-ack"
    table["apiVersion"], table["kind"] = KEY[0], KEY[1]
    api = ScriptedApi([([version(pending_doc(), 10)], "10")], [[{"type": "MODIFIED", "object": version(table, 11)}]])
    started = time.monotonic()
    waiter, outcome, verdicts = run(api, timeout=10)
    assert outcome == "failed" and time.monotonic() - started < 2
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
    assert 0.9 < time.monotonic() - started < 2.5
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
