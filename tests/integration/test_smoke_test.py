# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The smoke test (playbooks/smoke_test.yml, role ackops.serverless.smoke_test) on the sandbox, against
pipelines built directly in the sandbox's moto for each test (queue with a dead-letter queue, table,
the project's function from files/lambda/app.py as a zip, an event source mapping): no ACK is needed,
so each test breaks its pipeline the way it needs and runs in tens of seconds.

The playbook runs in a subprocess as a user runs it (inventories/sandbox). Each failure case checks
the report names the cause, and every run checks that nothing printed "FAILED - RETRYING", that the
recap says changed=0 and that the function's environment (a fake secret) was never printed.
"""

import io
import json
import os
import re
import subprocess
import threading
import time
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / ".venv" / "bin" / "ansible-playbook"
APP = REPO / "files" / "lambda" / "app.py"
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
SECRET = "s3cr3t-value-never-printed"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class Run:
    def __init__(self, proc, seconds):
        self.rc, self.output, self.seconds = proc.returncode, proc.stdout, seconds
        found = RECAP.findall(self.output)
        assert found, "no PLAY RECAP in the output:\n" + self.output[-4000:]
        self.changed = int(found[-1][1])
        self.failed = int(found[-1][3])

    def report(self):
        """The printed failure report (the debug task's msg list), one line per element."""
        start = self.output.index("{", self.output.index("TASK [ackops.serverless.smoke_test : Print where the messages are]"))
        printed, _end = json.JSONDecoder().raw_decode(self.output[start:])
        return "\n".join(printed["msg"])


def run_smoke_test(pipeline, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    args = [str(PLAYBOOK), "playbooks/smoke_test.yml",
            "-e", "resources_queue_name=" + pipeline["name"], "-e", "resources_table_name=" + pipeline["name"]]
    for item in extra:
        args += ["-e", item]
    started = time.monotonic()
    proc = subprocess.run(args, cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=900, check=False)
    run = Run(proc, round(time.monotonic() - started, 1))
    print("\nsmoke test on %s %s -> rc %s in %s s" % (pipeline["name"], " ".join(extra), run.rc, run.seconds))
    assert "FAILED - RETRYING" not in run.output
    assert SECRET not in run.output, "the function's environment was printed"
    assert run.changed == 0, run.output[-3000:]
    return run


def app_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.write(str(APP), "app.py")
    return buf.getvalue()


@pytest.fixture(scope="module")
def aws(sandbox):
    return dict((svc, boto3.client(svc, endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name=sandbox["AWS_REGION"]))
                for svc in ("iam", "sqs", "lambda", "dynamodb", "logs"))


@pytest.fixture
def make_pipeline(aws):
    """make_pipeline(visibility_timeout, max_receive_count): a working pipeline named smk-<random>."""
    made = []

    def _make(visibility_timeout=20, max_receive_count=5):
        name = "smk-%s" % uuid.uuid4().hex[:8]
        iam, sqs, lam, ddb = aws["iam"], aws["sqs"], aws["lambda"], aws["dynamodb"]
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}])
        dlq_url = sqs.create_queue(QueueName=name + "-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName=name, Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)})})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=role, Handler="app.handler",
                            Code={"ZipFile": app_zip()}, Timeout=15,
                            Environment={"Variables": {"TABLE_NAME": name, "SOME_TOKEN": SECRET}})
        esm = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"]
        pipeline = {"name": name, "queue_url": url, "dlq_url": dlq_url, "mapping": esm, "role": name}
        made.append(pipeline)
        return pipeline

    yield _make
    for pipeline in made:
        for call in (lambda: aws["lambda"].delete_event_source_mapping(UUID=pipeline["mapping"]),
                     lambda: aws["lambda"].delete_function(FunctionName=pipeline["name"]),
                     lambda: aws["sqs"].delete_queue(QueueUrl=pipeline["queue_url"]),
                     lambda: aws["sqs"].delete_queue(QueueUrl=pipeline["dlq_url"]),
                     lambda: aws["dynamodb"].delete_table(TableName=pipeline["name"]),
                     lambda: aws["iam"].delete_role(RoleName=pipeline["role"])):
            try:
                call()
            except Exception:  # pylint: disable=broad-except  # best-effort clean-up of a test pipeline
                pass


def break_function(aws, pipeline):
    """The function writes to a table that does not exist: every message is reported failed."""
    aws["lambda"].update_function_configuration(FunctionName=pipeline["name"], Environment={
        "Variables": {"TABLE_NAME": pipeline["name"] + "-missing", "SOME_TOKEN": SECRET}})


def repair_function(aws, pipeline):
    aws["lambda"].update_function_configuration(FunctionName=pipeline["name"], Environment={
        "Variables": {"TABLE_NAME": pipeline["name"], "SOME_TOKEN": SECRET}})


def test_working_pipeline_passes_and_changes_nothing(make_pipeline):
    pipeline = make_pipeline()
    run = run_smoke_test(pipeline)
    assert run.rc == 0, run.output[-4000:]
    assert re.search(r"4 messages sent to %s, 4 items found in %s after \d+ s: user1@foo.com, user2@foo.com, "
                     r"user3@foo.com, user4@foo.com" % (pipeline["name"], pipeline["name"]), run.output)
    # A second run counts only its own items (the first run's four are still in the table).
    again = run_smoke_test(pipeline)
    assert again.rc == 0 and "4 items found" in again.output


def test_batch_failed_just_before_passes_once_the_messages_come_back(aws, make_pipeline):
    """The issue's case: a batch fails, the queue hides the messages for its visibility timeout, the
    function is fine again by then, and the smoke test waits for them instead of giving up."""
    pipeline = make_pipeline(visibility_timeout=40)  # well after the first look, even on a slow machine
    break_function(aws, pipeline)
    time.sleep(2)  # the runtime picks the change up within a poll interval

    def repair_after_first_failure():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            attrs = aws["sqs"].get_queue_attributes(QueueUrl=pipeline["queue_url"],
                                                    AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
            if attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] != "0":
                time.sleep(2)  # the failed batch is in flight; the function is repaired while it waits
                repair_function(aws, pipeline)
                return
            time.sleep(0.5)

    repairer = threading.Thread(target=repair_after_first_failure)
    repairer.start()
    run = run_smoke_test(pipeline, "smoke_test_first_look=10")
    repairer.join()
    assert run.rc == 0, run.output[-6000:]
    assert "Say why the smoke test keeps waiting" in run.output
    assert "4 message(s) in flight (received and not deleted" in run.output
    assert "4 items found" in run.output
    assert run.seconds >= 40  # the messages came back after the visibility timeout


def test_messages_in_flight_fail_with_the_report(aws, make_pipeline):
    pipeline = make_pipeline(visibility_timeout=30)
    break_function(aws, pipeline)
    time.sleep(2)
    run = run_smoke_test(pipeline, "smoke_test_wait_margin=5", "smoke_test_first_look=10")
    assert run.rc != 0 and run.failed == 1
    report = run.report()
    assert "0 of 4 items arrived" in report
    assert "Queue %s: 0 visible, 4 in flight" % pipeline["name"] in report
    assert "Waited the whole 35 s: the queue visibility timeout of 30 s + a margin of 5 s" in report
    assert "Event source mapping %s -> %s: state Enabled" % (pipeline["mapping"], pipeline["name"]) in report
    assert "Function %s: state Active, last update Successful" % pipeline["name"] in report
    assert "Last error (" in report and "DynamoDB write aborted" in report
    assert "in flight until the visibility timeout: 4 message(s) were received and not deleted" in report
    assert re.search(r"Likely cause: in flight until the visibility timeout; function failing\.", run.output)
    print(report)


def test_poisoned_messages_are_found_in_the_dead_letter_queue(aws, make_pipeline):
    pipeline = make_pipeline(visibility_timeout=2, max_receive_count=1)
    break_function(aws, pipeline)
    time.sleep(2)
    run = run_smoke_test(pipeline, "smoke_test_wait_margin=20", "smoke_test_first_look=15")
    assert run.rc != 0
    report = run.report()
    assert "Dead-letter queue %s-dlq: 4 message(s)" % pipeline["name"] in report
    assert "4 of this run's in a sample of 4" in report
    sampled = [line for line in report.splitlines() if line.startswith('  - body "user1@foo.com", attributes {')][0]
    assert '"city": "seattle"' in sampled and '"smoke_run": "' in sampled and "received 1 time(s) before this look" in sampled
    assert "poisoned to the DLQ: 4 of this run's messages are in the dead-letter queue" in report
    assert "Stopped after the first look" in report  # nothing is left in the queue: no use waiting
    assert "SenderId" not in report and "sender_id" not in report


def test_disabled_mapping_stops_at_the_first_look(aws, make_pipeline):
    pipeline = make_pipeline(visibility_timeout=300)
    aws["lambda"].update_event_source_mapping(UUID=pipeline["mapping"], Enabled=False)
    run = run_smoke_test(pipeline, "smoke_test_first_look=5")
    assert run.rc != 0
    report = run.report()
    assert "Queue %s: 4 visible, 0 in flight" % pipeline["name"] in report
    assert "state Disabled" in report
    assert "mapping disabled: no event source mapping of the queue is Enabled (Disabled)" in report
    assert run.seconds < 120, "it waited for the 360 s although nothing reads the queue"


def test_deleted_function_is_named(aws, make_pipeline):
    pipeline = make_pipeline(visibility_timeout=300)
    aws["lambda"].delete_function(FunctionName=pipeline["name"])
    run = run_smoke_test(pipeline, "smoke_test_first_look=5")
    assert run.rc != 0
    report = run.report()
    assert "Function %s: not found." % pipeline["name"] in report
    assert "function failing: function(s) not found: %s (a mapping outlives its deleted function)" % pipeline["name"] in report
    assert "nothing received" not in report  # the runtime stopped polling for it, as it should
    assert run.seconds < 120
