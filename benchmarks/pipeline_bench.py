# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""SQS -> Lambda -> DynamoDB pipeline benchmark on the sandbox (prints figures, asserts nothing).

    make bench                                  # sandbox up, .sandbox/env sourced
    .venv/bin/python benchmarks/pipeline_bench.py [--latency-messages 200] [--drain-messages 1000]
    .venv/bin/python benchmarks/pipeline_bench.py --private   # own moto + poller on test ports

1. latency: messages sent one by one, 50 ms apart; for each, the handler stores the time it wrote
   the item; SendMessage -> item p50/p95/max (same clock: everything runs on this machine).
2. drain: N messages sent in batches of 10 as fast as possible, then the time until the runtime has
   deleted all N after its function stored them (GET /stats, polled; scanning the table in a loop
   would slow moto down); loss = N - items counted by a scan (must be 0), with the queue and its
   DLQ counted at the end.
It creates its own role, queue (+DLQ), table, zip function and mapping (names bench-<random>) and
deletes them afterwards. It exercises the sandbox's moto, shims and Lambda runtime, not ACK.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile

import boto3

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HANDLER = '''
import json, os, time
import boto3

ddb = boto3.client("dynamodb")


def handler(event, context):
    for record in event["Records"]:
        doc = json.loads(record["body"])
        ddb.put_item(TableName=os.environ["TABLE_NAME"], Item={
            "id": {"S": doc["id"]},
            "sent_at": {"N": repr(doc["sent_at"])},
            "written_at": {"N": repr(time.time())},
            "batch_size": {"N": str(len(event["Records"]))},
        })
    return {"batchItemFailures": []}
'''


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def count_items(ddb, table):
    total = 0
    for page in ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
        total += page["Count"]
    return total


def scan_items(ddb, table):
    items = []
    for page in ddb.get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return items


def queue_depth(sqs, url):
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


class Pipeline:
    def __init__(self, session, endpoint, batch_size, window):
        self.name = "bench-%s" % uuid.uuid4().hex[:8]
        kw = {"endpoint_url": endpoint}
        self.iam = session.client("iam", **kw)
        self.sqs = session.client("sqs", **kw)
        self.lam = session.client("lambda", **kw)
        self.ddb = session.client("dynamodb", **kw)
        self.batch_size, self.window = batch_size, window

    def create(self):
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        role = self.iam.create_role(RoleName=self.name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        self.ddb.create_table(TableName=self.name, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        self.dlq_url = self.sqs.create_queue(QueueName=self.name + "-dlq")["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.url = self.sqs.create_queue(QueueName=self.name, Attributes={
            "VisibilityTimeout": "30",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("app.py", HANDLER)
        self.lam.create_function(FunctionName=self.name, Runtime="python3.11", Role=role, Handler="app.handler",
                                 Code={"ZipFile": buf.getvalue()}, Timeout=30,
                                 Environment={"Variables": {"TABLE_NAME": self.name}})
        self.esm = self.lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=self.name, BatchSize=self.batch_size,
            MaximumBatchingWindowInSeconds=self.window, FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"]

    def delete(self):
        for call in (lambda: self.lam.delete_event_source_mapping(UUID=self.esm),
                     lambda: self.lam.delete_function(FunctionName=self.name),
                     lambda: self.sqs.delete_queue(QueueUrl=self.url),
                     lambda: self.sqs.delete_queue(QueueUrl=self.dlq_url),
                     lambda: self.ddb.delete_table(TableName=self.name),
                     lambda: self.iam.delete_role(RoleName=self.name)):
            try:
                call()
            except Exception as exc:  # best effort clean-up; report and go on
                sys.stderr.write("clean-up: %s\n" % exc)

    def send(self, ident):
        self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps({"id": ident, "sent_at": time.time()}))

    def send_batch(self, idents):
        now = time.time()
        self.sqs.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": str(i), "MessageBody": json.dumps({"id": ident, "sent_at": now})} for i, ident in enumerate(idents)])


def deleted_by_runtime(pipeline):
    """The runtime's count of messages it deleted after the function succeeded (GET /stats).

    Cheap, unlike scanning the table in moto, which would compete with the pipeline for moto's
    single Python process. The item count is checked by a scan once the wait is over.
    """
    with urllib.request.urlopen(pipeline.runtime_url + "/stats", timeout=5) as resp:
        return json.loads(resp.read())["mappings"].get(pipeline.esm, {}).get("deleted", 0)


def wait_count(pipeline, expected, timeout):
    deadline = time.monotonic() + timeout
    while deleted_by_runtime(pipeline) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return count_items(pipeline.ddb, pipeline.name)


def warm_up(pipeline, timeout):
    """One message through, so the cold start (code download, RIE start) is not in the figures."""
    started = time.monotonic()
    pipeline.send("warm-up")
    got = wait_count(pipeline, 1, timeout)
    return got, time.monotonic() - started


def bench_latency(pipeline, count, gap, timeout):
    for i in range(count):
        pipeline.send("lat-%04d" % i)
        time.sleep(gap)
    got = wait_count(pipeline, count + 1, timeout) - 1
    lat = [float(i["written_at"]["N"]) - float(i["sent_at"]["N"])
           for i in scan_items(pipeline.ddb, pipeline.name) if i["id"]["S"].startswith("lat-")]
    return got, lat


def bench_drain(pipeline, count, already, timeout):
    idents = ["drain-%05d" % i for i in range(count)]
    started = time.monotonic()
    for start in range(0, count, 10):
        pipeline.send_batch(idents[start:start + 10])
    sent_in = time.monotonic() - started
    got = wait_count(pipeline, already + count, timeout) - already
    return got, sent_in, time.monotonic() - started


def start_private():
    """Own moto (shims applied) and poller on the test ports, as tests/sandbox_runtime does."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL="http://127.0.0.1:23151")
    logs = os.path.join(REPO, "benchmarks", "results", "private")
    os.makedirs(logs, exist_ok=True)
    procs = []
    with open(os.path.join(logs, "moto.log"), "ab") as log:
        procs.append(subprocess.Popen([sys.executable, os.path.join(REPO, "sandbox", "aws", "moto_main.py"),
                                       "--port", "23151"], stdout=log, stderr=subprocess.STDOUT, env=env))
    wait_url("http://127.0.0.1:23151/moto-api/config", 45)
    urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:23151/moto-api/config", method="POST",
                                                  data=b'{"lambda": {"use_docker": false}}'), timeout=5).read()
    with open(os.path.join(logs, "poller.stdout.log"), "ab") as log:
        procs.append(subprocess.Popen([sys.executable, os.path.join(REPO, "sandbox", "lambda_runtime", "poller.py"),
                                       "--port", "23152", "--rie-ports", "23160-23169", "--poll-interval", "0.5",
                                       "--log-dir", logs, "--work-dir", os.path.join(logs, "work")],
                                      stdout=log, stderr=subprocess.STDOUT, env=env))
    wait_url("http://127.0.0.1:23152/healthz", 60)
    return procs, "http://127.0.0.1:23151", "http://127.0.0.1:23152"


def wait_url(url, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if 200 <= resp.status < 300:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("%s did not answer within %ss" % (url, timeout))
        time.sleep(0.3)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-messages", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between latency messages")
    parser.add_argument("--drain-messages", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--window", type=int, default=0, help="MaximumBatchingWindowInSeconds")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--private", action="store_true",
                        help="start a private moto (23151) and poller (23152) instead of using the sandbox")
    args = parser.parse_args(argv)

    procs = []
    if args.private:
        procs, endpoint, runtime_url = start_private()
    else:
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        runtime_url = os.environ.get("ACKOPS_LAMBDA_RUNTIME_URL", "http://127.0.0.1:19000")
        if not endpoint:
            raise SystemExit("AWS_ENDPOINT_URL is not set: run 'make sandbox-up' and source .sandbox/env "
                             "(set -a; . .sandbox/env; set +a), or pass --private")
    session = boto3.session.Session(region_name=os.environ.get("AWS_REGION", "us-east-1"),
                                    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                                    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"))
    pipeline = Pipeline(session, endpoint, args.batch_size, args.window)
    pipeline.runtime_url = runtime_url
    try:
        pipeline.create()
        print("pipeline_bench: endpoint %s, runtime %s, function %s, BatchSize %d, window %ds"
              % (endpoint, runtime_url, pipeline.name, args.batch_size, args.window))
        got, cold = warm_up(pipeline, args.timeout)
        print("cold start (first message -> item, incl. code fetch and RIE start): %.2f s%s"
              % (cold, "" if got else " (NO ITEM)"))

        got, lat = bench_latency(pipeline, args.latency_messages, args.gap, args.timeout)
        print("latency SendMessage -> item over %d messages (%.0f ms apart): p50 %.1f ms, p95 %.1f ms, "
              "max %.1f ms; items %d/%d"
              % (args.latency_messages, args.gap * 1000, percentile(lat, 50) * 1000, percentile(lat, 95) * 1000,
                 (max(lat) if lat else float("nan")) * 1000, got, args.latency_messages))

        already = 1 + args.latency_messages
        got, sent_in, total = bench_drain(pipeline, args.drain_messages, already, args.timeout)
        left, dlq = queue_depth(pipeline.sqs, pipeline.url), queue_depth(pipeline.sqs, pipeline.dlq_url)
        print("drain %d messages: sent in %.2f s, all items after %.2f s (%.0f msg/s); items %d, lost %d, "
              "left in queue %d, in DLQ %d"
              % (args.drain_messages, sent_in, total, got / total if total else 0.0, got,
                 args.drain_messages - got, left, dlq))
        try:
            with urllib.request.urlopen(runtime_url + "/stats", timeout=5) as resp:
                mine = json.loads(resp.read())["mappings"].get(pipeline.esm, {})
            print("runtime /stats for the mapping: " + json.dumps(
                dict((k, mine.get(k)) for k in ("received", "invocations", "invocation_errors", "deleted",
                                                "item_failures", "delete_errors"))))
        except OSError as exc:
            print("runtime /stats unavailable: %s" % exc)
    finally:
        pipeline.delete()
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
