# Unit tests of ack_status over recorded ACK resource documents.
from __future__ import annotations

import copy
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ackops.serverless.plugins.filter.ack_status import FilterModule, ack_status

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, "module_utils", "fixtures", "ack_documents.json")
with open(FIXTURES) as handle:
    DOCS = json.load(handle)


def test_a_synced_queue_is_done_with_what_the_role_publishes():
    [queue] = ack_status([copy.deepcopy(DOCS["queue_synced"])])
    assert queue["done"] is True and queue["reason"] == "ACK.ResourceSynced=True"
    assert queue["kind"] == "Queue" and queue["name"] == "sqs-queue-demo-ack"
    assert queue["arn"] == "arn:aws:sqs:us-east-1:123456789012:sqs-queue-demo-ack"
    assert queue["queue_url"] == "http://127.0.0.1:15001/123456789012/sqs-queue-demo-ack"


def test_a_terminal_table_is_not_done_and_says_why():
    [table] = ack_status([copy.deepcopy(DOCS["table_terminal"])])
    assert table["done"] is False
    assert table["reason"].startswith("ACK.Terminal=True")


def test_a_resource_not_reconciled_yet_is_not_done():
    queue = copy.deepcopy(DOCS["queue_synced"])
    queue["status"] = {}
    [entry] = ack_status([queue])
    assert entry["done"] is False and "not reconciled" in entry["reason"]


def test_bad_input_is_named():
    with pytest.raises(AnsibleFilterError, match="kind and metadata.name"):
        ack_status([{"metadata": {"name": "x"}}])
    with pytest.raises(AnsibleFilterError, match="list of ACK resources"):
        ack_status(DOCS["queue_synced"])


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"ack_status": ack_status}
