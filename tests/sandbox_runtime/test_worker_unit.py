# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests of the mapping worker's decisions, with in-memory SQS and function doubles (no servers)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys
import threading

import poller
import rie_process

MAPPING = {
    "UUID": "1234abcd-0000-0000-0000-000000000000",
    "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:orders",
    "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:fn",
    "BatchSize": 10,
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "State": "Enabled",
}


class FakeSqs:
    def __init__(self):
        self.deleted = []

    def delete_message_batch(self, QueueUrl, Entries):  # noqa: N803 (boto3 names)
        self.deleted.extend(e["ReceiptHandle"] for e in Entries)
        return {"Successful": [{"Id": e["Id"]} for e in Entries]}


class FakeProcess:
    """Answers like an RIE; `retired` makes invoke raise as a stopped FunctionProcess does."""

    def __init__(self, answer, retired=False):
        self.answer, self.retired, self.events, self.notes = answer, retired, [], []

    def note(self, message):
        self.notes.append(message)

    def invoke(self, payload):
        if self.retired:
            raise rie_process.ProcessRetired("fn")
        self.events.append(json.loads(payload))
        return self.answer


class FakeFunctions:
    def __init__(self, current):
        self.current, self.restarts = current, []

    def get(self, name, index=0):
        return self.current

    def request_restart(self, name):
        self.restarts.append(name)


class FakeRuntime:
    def __init__(self, current):
        self.stats = poller.Stats()
        self.functions = FakeFunctions(current)
        self.sqs_client = FakeSqs()
        self.region = "us-east-1"

    def mapping_concurrency(self, mapping):
        return 1


def messages(*ids):
    return [{"MessageId": i, "ReceiptHandle": "rh-" + i, "Body": i, "MD5OfBody": "x", "Attributes": {}} for i in ids]


def worker_for(rt):
    worker = poller.MappingWorker(rt, dict(MAPPING))
    worker.queue_url = "http://queue"
    return worker


def test_partial_failure_deletes_the_others():
    proc = FakeProcess((200, b'{"batchItemFailures": [{"itemIdentifier": "b"}]}'))
    rt = FakeRuntime(proc)
    worker_for(rt)._process(proc, messages("a", "b", "c"))
    assert rt.sqs_client.deleted == ["rh-a", "rh-c"]
    stats = rt.stats.snapshot()["mappings"][MAPPING["UUID"]]
    assert (stats["received"], stats["deleted"], stats["item_failures"]) == (3, 2, 1)
    assert [r["messageId"] for r in proc.events[0]["Records"]] == ["a", "b", "c"]


def test_handler_error_deletes_nothing_and_keeps_the_process():
    proc = FakeProcess((200, b'{"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}'))
    rt = FakeRuntime(proc)
    worker_for(rt)._process(proc, messages("a", "b"))
    assert rt.sqs_client.deleted == []
    assert rt.functions.restarts == []
    assert rt.stats.snapshot()["mappings"][MAPPING["UUID"]]["invocation_errors"] == 1


def test_timeout_deletes_nothing_and_replaces_the_process():
    proc = FakeProcess((200, b"Task timed out after 3.00 seconds"))
    rt = FakeRuntime(proc)
    worker_for(rt)._process(proc, messages("a"))
    assert rt.sqs_client.deleted == []
    assert rt.functions.restarts == ["fn"]
    assert proc.notes == ["Task timed out after 3.00 seconds"]  # what AWS writes to the function's log


def test_batch_received_for_a_replaced_process_goes_to_its_successor():
    old = FakeProcess((200, b"null"), retired=True)
    new = FakeProcess((200, b"null"))
    rt = FakeRuntime(new)
    worker_for(rt)._process(old, messages("a", "b"))
    assert old.events == [] and len(new.events) == 1
    assert rt.sqs_client.deleted == ["rh-a", "rh-b"]
    assert rt.stats.snapshot()["mappings"][MAPPING["UUID"]]["invocation_errors"] == 0


class Args:
    max_concurrency = 3


def test_concurrency_follows_scaling_config_capped():
    rt = poller.Runtime.__new__(poller.Runtime)  # only mapping_concurrency is exercised
    rt.max_concurrency = Args.max_concurrency
    assert rt.mapping_concurrency({}) == 3
    assert rt.mapping_concurrency({"ScalingConfig": {}}) == 3
    assert rt.mapping_concurrency({"ScalingConfig": {"MaximumConcurrency": 2}}) == 2
    assert rt.mapping_concurrency({"ScalingConfig": {"MaximumConcurrency": 1000}}) == 3


def test_a_stopped_worker_ends_cleanly_and_leaves_threading():
    """A MappingWorker once overrode Thread._delete (called by CPython as a thread ends): every
    stopping poller raised TypeError in threading._bootstrap_inner and stayed in threading's table
    of live threads."""
    unraisable = []
    previous = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        worker = worker_for(FakeRuntime(None))  # no function process: the worker only waits
        worker.start()
        assert worker in threading.enumerate()
        worker.stopping.set()
        worker.join(timeout=5)
        assert not worker.is_alive()
        assert worker not in threading.enumerate()
        assert worker.name not in [t.name for t in threading.enumerate()]
    finally:
        sys.unraisablehook = previous
    assert [repr(u.exc_value) for u in unraisable] == []
