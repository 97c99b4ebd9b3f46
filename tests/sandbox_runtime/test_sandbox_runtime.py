# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The Lambda runtime as sandboxctl runs it: moto on 15001 with the shims, poller on 19000.

Uses the shared `sandbox` fixture (tests/conftest.py), so it brings the sandbox up if needed.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import urllib.request
import uuid

import boto3

from test_poller import create_pipeline, queue_counts, scan, wait_for


def test_sandbox_runtime_delivers_and_redrives(sandbox):
    with urllib.request.urlopen(os.environ["ACKOPS_LAMBDA_RUNTIME_URL"] + "/healthz", timeout=5) as resp:
        health = json.loads(resp.read())
    assert health["status"] == "ok"
    assert health["endpoint"] == sandbox["AWS_ENDPOINT_URL"]

    session = boto3.session.Session(region_name=sandbox["AWS_REGION"],
                                     aws_access_key_id=sandbox["AWS_ACCESS_KEY_ID"],
                                     aws_secret_access_key=sandbox["AWS_SECRET_ACCESS_KEY"])
    iam, sqs, lam, ddb = (session.client(n, endpoint_url=sandbox["AWS_ENDPOINT_URL"])
                          for n in ("iam", "sqs", "lambda", "dynamodb"))
    name = "sbxrt-%s" % uuid.uuid4().hex[:8]
    made = create_pipeline(iam, sqs, lam, ddb, name, {})
    url, arn, dlq_url = made["queue_url"], made["queue_arn"], made["dlq_url"]
    esm = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                          FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"]
    try:
        for body in ("ok-1", "bad-1", "ok-2"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        items = wait_for("2 items", lambda: (lambda it: it if len(it) >= 2 else None)(scan(ddb, name)), 90)
        assert sorted(i["id"]["S"] for i in items) == ["ok-1", "ok-2"]
        dlq = []

        def _dlq():
            for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages") or []:
                dlq.append(m["Body"])
            return dlq

        wait_for("bad-1 in the DLQ", _dlq, 60, interval=0.5)
        assert dlq == ["bad-1"]
        wait_for("the queue to be empty", lambda: queue_counts(sqs, url) == (0, 0), 30)
        with urllib.request.urlopen(os.environ["ACKOPS_LAMBDA_RUNTIME_URL"] + "/stats", timeout=5) as resp:
            counters = json.loads(resp.read())["mappings"][esm]
        assert counters["deleted"] == 2 and counters["item_failures"] == 2
    finally:
        lam.delete_event_source_mapping(UUID=esm)
        lam.delete_function(FunctionName=name)
