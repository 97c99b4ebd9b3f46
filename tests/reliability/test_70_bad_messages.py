# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 7, bad messages and a burst, on a dedicated pipeline made by the collection's roles
(tests/reliability/playbooks/dedicated_pipeline.yml: its own queue, DLQ, table, function and mapping,
visibility timeout 10 s and maxReceiveCount 1, so a refused message reaches the DLQ in seconds).

1. A catalogue of bad messages, one of each: bodies that are not e-mail addresses, attributes too big
   for a DynamoDB item, binary attributes (small: stored as B; big: refused), a message attribute that
   would overwrite the key, messages AWS's SQS refuses (empty body, over 1 MiB, 11 attributes, a NUL
   character). Each must end where the function's contract says: stored, in the DLQ, or refused at
   send. moto 5.2.5 accepts the four that AWS refuses; where they end in the sandbox is asserted and
   reported next to what AWS does.
2. A burst of messages sent in batches of 10 from 4 threads, one in 100 of them not an e-mail address.

The figure: every message SQS accepted is either stored or in the DLQ; lost = accepted - stored - DLQ
must be 0. The burst is the issue's 10,000 messages; ACKOPS_RELIABILITY_BURST sets another size (the
drain rate of the sandbox, moto and its Lambda runtime, is in the figures)."""

import concurrent.futures
import os
import time
import uuid

import pytest
from botocore.exceptions import ClientError
from rel_helpers import PLAYBOOKS, record, run_playbook

NAME = "rel-messages"
BURST = int(os.environ.get("ACKOPS_RELIABILITY_BURST", "10000"))
BAD_EVERY = 100
BIG = 450 * 1024  # over DynamoDB's 400 KB item limit, under SQS's 1 MiB message limit


def _attrs(run, label, extra=None):
    attrs = {"run": {"DataType": "String", "StringValue": run}, "label": {"DataType": "String", "StringValue": label}}
    attrs.update(extra or {})
    return attrs


# What moto 5.2.5 does where AWS's SQS refuses the message at send: label -> where it ends in the sandbox.
MOTO_ACCEPTS = {"empty body": "dlq",                  # AWS: MessageBody must be 1 character or more
                "message over 1 MiB": "dlq",          # AWS counts attributes into the 1 MiB; moto only the body
                "11 message attributes": "stored",    # AWS: at most 10 message attributes
                "NUL character in the body": "stored"}  # AWS refuses #x0; the function's key check lets it pass


def catalogue(run):
    """(label, SendMessage arguments, where it must end on AWS: stored | dlq | refused)."""
    ok = f"catalogue-{run}@example.com"
    return [
        ("plain text body", {"MessageBody": "hello world"}, "dlq"),
        ("no dotted domain", {"MessageBody": "user@localhost"}, "dlq"),
        ("two @", {"MessageBody": "a@b@example.com"}, "dlq"),
        ("address over 254 characters", {"MessageBody": "x" * 250 + "@example.com"}, "dlq"),
        ("blanks only", {"MessageBody": "   "}, "dlq"),
        ("non-ASCII text", {"MessageBody": "p\u00e4\u00e4 \u2603"}, "dlq"),
        ("JSON document", {"MessageBody": '{"email": "user@example.com"}'}, "dlq"),
        ("attribute named like the key", {"MessageBody": "collide-" + ok,
                                          "MessageAttributes": {"email": {"DataType": "String", "StringValue": "x@y.z"}}},
         "dlq"),
        ("Number attribute that is no number", {"MessageBody": "number-" + ok, "MessageAttributes": {
            "age": {"DataType": "Number", "StringValue": "1e999999"}}}, "dlq"),
        ("binary attribute, 1 KB", {"MessageBody": "binary-" + ok, "MessageAttributes": {
            "photo": {"DataType": "Binary", "BinaryValue": os.urandom(1024)}}}, "stored"),
        ("binary attribute, 450 KB", {"MessageBody": "bigbinary-" + ok, "MessageAttributes": {
            "photo": {"DataType": "Binary", "BinaryValue": os.urandom(BIG)}}}, "dlq"),
        ("string attribute, 450 KB", {"MessageBody": "bigstring-" + ok, "MessageAttributes": {
            "note": {"DataType": "String", "StringValue": "n" * BIG}}}, "dlq"),
        ("string attributes, 4 x 110 KB", {"MessageBody": "manystrings-" + ok, "MessageAttributes": {
            f"note{i}": {"DataType": "String", "StringValue": "n" * 110 * 1024} for i in range(4)}}, "dlq"),
        ("empty body", {"MessageBody": ""}, "refused"),
        ("message over 1 MiB", {"MessageBody": "huge-" + ok, "MessageAttributes": {
            "note": {"DataType": "String", "StringValue": "n" * (1024 * 1024 + 1)}}}, "refused"),
        ("11 message attributes", {"MessageBody": "eleven-" + ok, "MessageAttributes": {
            f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(9)}}, "refused"),
        ("NUL character in the body", {"MessageBody": "nul\x00-" + ok}, "refused"),
        ("good message", {"MessageBody": ok, "MessageAttributes": {
            "name": {"DataType": "String", "StringValue": "catalogue"}}}, "stored"),
    ]


@pytest.fixture(scope="module")
def dedicated(sandbox, first_converge):
    created = run_playbook(PLAYBOOKS / "dedicated_pipeline.yml", "-e", "dedicated_operation=create",
                           "-e", f"dedicated_name={NAME}")
    assert created.rc == 0, created.tail()
    yield {"create_seconds": created.seconds}
    deleted = run_playbook(PLAYBOOKS / "dedicated_pipeline.yml", "-e", "dedicated_operation=delete",
                           "-e", f"dedicated_name={NAME}")
    assert deleted.rc == 0, deleted.tail()


def _depth(sqs, url):
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])
    return sum(int(v) for v in attrs["Attributes"].values())


def _count_items(ddb, table):
    return sum(page["Count"] for page in ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"))


def _dlq_labels(sqs, url):
    """Receive every message of the DLQ once (they come back after their visibility timeout)."""
    labels = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                  VisibilityTimeout=300).get("Messages", [])
        if not got:
            return labels
        labels.extend(m.get("MessageAttributes", {}).get("label", {}).get("StringValue", "?") for m in got)


def test_bad_messages_and_burst_lose_nothing(dedicated, aws):
    sqs, ddb = aws["sqs"], aws["dynamodb"]
    run = uuid.uuid4().hex[:8]
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=NAME + "-dlq")["QueueUrl"]
    assert _depth(sqs, url) == 0 and _depth(sqs, dlq_url) == 0 and _count_items(ddb, NAME) == 0

    # 1. the catalogue, one message at a time (SQS's own refusals are answers, not losses)
    outcomes = {}
    for label, args, expected in catalogue(run):
        args = dict(args, MessageAttributes=_attrs(run, label, args.get("MessageAttributes")))
        outcomes[label] = {"expected_on_aws": expected, "expected": MOTO_ACCEPTS.get(label, expected)}
        try:
            sqs.send_message(QueueUrl=url, **args)
            outcomes[label]["sent"] = True
        except ClientError as err:
            outcomes[label].update(sent=False, refused_by_sqs=err.response["Error"]["Code"])

    # 2. the burst
    started = time.monotonic()

    def batch(first):
        entries = []
        for i in range(first, min(first + 10, BURST)):
            bad = i % BAD_EVERY == BAD_EVERY - 1
            entries.append({"Id": str(i - first), "MessageBody": f"not an address {i}" if bad
                            else f"burst-{i}-{run}@example.com",
                            "MessageAttributes": _attrs(run, "burst-bad" if bad else "burst",
                                                        {"name": {"DataType": "String", "StringValue": f"n{i}"}})})
        answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        return len(answer.get("Successful", [])), len(answer.get("Failed", []))

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        sent = list(pool.map(batch, range(0, BURST, 10)))
    send_seconds = round(time.monotonic() - started, 1)
    burst_accepted = sum(s for s, _ in sent)
    assert sum(f for _, f in sent) == 0

    deadline = time.monotonic() + 900
    while _depth(sqs, url) > 0 and time.monotonic() < deadline:
        time.sleep(1)
    drain_seconds = round(time.monotonic() - started, 1)
    assert _depth(sqs, url) == 0, "the queue did not drain within 900 s"

    accepted = burst_accepted + sum(1 for o in outcomes.values() if o["sent"])
    stored = _count_items(ddb, NAME)
    dlq = _depth(sqs, dlq_url)
    lost = accepted - stored - dlq
    dlq_labels = _dlq_labels(sqs, dlq_url)
    for label, outcome in outcomes.items():
        if outcome["sent"]:
            outcome["ended"] = "dlq" if label in dlq_labels else "stored"
        else:
            outcome["ended"] = "refused"
    burst_bad = BURST // BAD_EVERY
    wrong = {label: o for label, o in outcomes.items() if o["ended"] != o["expected"]}
    record("bad_messages", "catalogue", outcomes)
    record("bad_messages", "totals", {
        "burst": BURST, "burst_bad": burst_bad, "catalogue": len(outcomes), "accepted_by_sqs": accepted,
        "refused_by_sqs": sum(1 for o in outcomes.values() if not o["sent"]), "stored": stored, "dlq": dlq,
        "lost": lost, "burst_send_seconds": send_seconds, "burst_drain_seconds": drain_seconds,
        "burst_msgs_per_second": round(BURST / drain_seconds, 1), "pipeline_create_seconds": dedicated["create_seconds"],
        "catalogue_mismatches": sorted(wrong)})
    assert lost == 0, f"lost {lost}: accepted {accepted}, stored {stored}, in the DLQ {dlq}"
    assert dlq_labels.count("burst-bad") == burst_bad, dlq_labels.count("burst-bad")
    assert not wrong, wrong
    photo = ddb.get_item(TableName=NAME, Key={"email": {"S": f"binary-catalogue-{run}@example.com"}})["Item"]["photo"]
    assert "B" in photo and len(photo["B"]) == 1024, "the binary attribute was not stored as B"
