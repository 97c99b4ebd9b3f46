from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from _aws_module_harness import run_module

from ansible_collections.ackops.serverless.plugins.modules import sqs_queue_info


@pytest.fixture
def queues(aws_env):
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq_url = sqs.create_queue(QueueName="demo-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName="demo", Attributes={
            "VisibilityTimeout": "180",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})})["QueueUrl"]
        yield sqs, url, dlq_url, dlq_arn


def test_counts_visible_and_in_flight(queues, capsys):
    sqs, url, _dlq_url, dlq_arn = queues
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)  # one in flight for 180 s
    rc, result = run_module(sqs_queue_info.main, {"queue_name": "demo"}, capsys)
    assert rc == 0, result
    assert result["changed"] is False and result["exists"] is True
    assert (result["messages_visible"], result["messages_in_flight"], result["messages_delayed"]) == (2, 1, 0)
    assert result["visibility_timeout"] == 180
    assert result["queue_name"] == "demo" and result["queue_url"] == url
    assert result["redrive_policy"] == {"dead_letter_target_arn": dlq_arn, "dead_letter_queue_name": "demo-dlq",
                                        "max_receive_count": 5}
    assert result["attributes"]["visibility_timeout"] == "180"
    assert result["sample"] == [] and result["sample_complete"] is False


def test_missing_queue_is_not_an_error(queues, capsys):
    rc, result = run_module(sqs_queue_info.main, {"queue_name": "nope"}, capsys)
    assert rc == 0
    result.pop("invocation", None)
    assert result == {"changed": False, "exists": False}


def test_sample_by_arn_keeps_messages_visible_and_hides_the_sender(queues, capsys):
    sqs, _url, dlq_url, dlq_arn = queues
    for i in range(12):
        sqs.send_message(QueueUrl=dlq_url, MessageBody="m%02d" % i + ("x" * 30 if i == 0 else ""), MessageAttributes={
            "smoke_run": {"DataType": "String", "StringValue": "r1"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}})
    rc, result = run_module(sqs_queue_info.main, {"queue_arn": dlq_arn, "sample": 20, "body_max_length": 10}, capsys)
    assert rc == 0, result
    assert len(result["sample"]) == 12 and result["sample_complete"] is True
    first = [m for m in result["sample"] if m["body"].startswith("m00")][0]
    assert first["body"] == "m00xxxxxxx" and first["body_truncated"] is True
    assert first["message_attributes"] == {"smoke_run": "r1", "blob": "AQI="}
    assert "sender_id" not in first["attributes"]
    assert int(first["attributes"]["approximate_receive_count"]) >= 1
    attrs = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("12", "0")


def test_bad_arn_and_sample_size(queues, capsys):
    rc, result = run_module(sqs_queue_info.main, {"queue_arn": "arn:aws:sns:us-east-1:1:topic"}, capsys)
    assert rc == 1 and "is not an SQS queue ARN" in result["msg"]
    rc, result = run_module(sqs_queue_info.main, {"queue_name": "demo", "sample": 101}, capsys)
    assert rc == 1 and "between 0 and 100" in result["msg"]
