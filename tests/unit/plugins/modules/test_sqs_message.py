from __future__ import annotations

import base64

import boto3
import pytest
from moto import mock_aws

from _aws_module_harness import run_module

from ansible_collections.ackops.serverless.plugins.modules import sqs_message

TUTORIAL = [
    ("user1@foo.com", "user1", "seattle"),
    ("user2@foo.com", "user2", "tel aviv"),
    ("user3@foo.com", "user3", "new delhi"),
    ("user4@foo.com", "user4", "new york"),
]


@pytest.fixture
def queue(aws_env):
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="sqs-queue-demo-ack")["QueueUrl"]
        yield sqs, url


def receive_all(sqs, url):
    got = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return got
        got.extend(batch)
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_sends_the_tutorial_messages_by_queue_name(queue, capsys):
    sqs, url = queue
    messages = [{"body": e, "attributes": {"name": n, "city": c, "smoke_run": "r1"}} for e, n, c in TUTORIAL]
    rc, result = run_module(sqs_message.main, {"queue_name": "sqs-queue-demo-ack", "messages": messages}, capsys)
    assert rc == 0, result
    assert result["changed"] is True
    assert result["sent"] == 4
    assert result["queue_url"] == url
    assert [m["body"] for m in result["messages"]] == [email for email, _name, _city in TUTORIAL]
    assert all(m["message_id"] for m in result["messages"])
    got = receive_all(sqs, url)
    by_body = {m["Body"]: m["MessageAttributes"] for m in got}
    assert sorted(by_body) == sorted(email for email, _name, _city in TUTORIAL)
    assert by_body["user2@foo.com"]["city"] == {"StringValue": "tel aviv", "DataType": "String"}
    assert by_body["user4@foo.com"]["smoke_run"]["StringValue"] == "r1"


def test_check_mode_sends_nothing(queue, capsys):
    sqs, url = queue
    rc, result = run_module(sqs_message.main, {"queue_url": url, "messages": [{"body": "a@b.c"}]}, capsys, check_mode=True)
    assert rc == 0
    assert result["changed"] is True
    assert result["sent"] == 0
    assert "message_id" not in result["messages"][0]
    assert receive_all(sqs, url) == []


def test_more_than_ten_messages_are_batched(queue, capsys):
    sqs, url = queue
    messages = [{"body": "m%02d@foo.com" % i} for i in range(23)]
    rc, result = run_module(sqs_message.main, {"queue_url": url, "messages": messages}, capsys)
    assert rc == 0
    assert result["sent"] == 23
    assert sorted(m["Body"] for m in receive_all(sqs, url)) == sorted(m["body"] for m in messages)


def test_number_and_binary_attributes(queue, capsys):
    sqs, url = queue
    blob = base64.b64encode(b"\x00\x01hello").decode()
    messages = [{"body": "x@foo.com", "attributes": {"age": 42, "avatar": {"data_type": "Binary", "binary_value": blob}}}]
    rc, result = run_module(sqs_message.main, {"queue_url": url, "messages": messages}, capsys)
    assert rc == 0, result
    attrs = receive_all(sqs, url)[0]["MessageAttributes"]
    assert attrs["age"] == {"StringValue": "42", "DataType": "Number"}
    assert attrs["avatar"]["DataType"] == "Binary"
    assert attrs["avatar"]["BinaryValue"] == b"\x00\x01hello"


def test_missing_queue_says_how_to_fix(aws_env, capsys):
    with mock_aws():
        rc, result = run_module(sqs_message.main, {"queue_name": "nope", "messages": [{"body": "a"}]}, capsys)
    assert rc == 1
    assert "'nope' does not exist" in result["msg"]
    assert "create it first" in result["msg"]


def test_bad_attribute_value_is_named(queue, capsys):
    url = queue[1]
    rc, result = run_module(sqs_message.main, {"queue_url": url, "messages": [{"body": "a", "attributes": {"vip": True}}]}, capsys)
    assert rc == 1
    assert "'vip'" in result["msg"] and "boolean" in result["msg"]


def test_queue_url_and_name_are_exclusive(aws_env, capsys):
    rc, result = run_module(sqs_message.main, {"queue_url": "u", "queue_name": "n", "messages": []}, capsys)
    assert rc == 1
    assert "mutually exclusive" in result["msg"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("seattle", {"DataType": "String", "StringValue": "seattle"}),
        (3.5, {"DataType": "Number", "StringValue": "3.5"}),
        ({"data_type": "String.custom", "string_value": "x"}, {"DataType": "String.custom", "StringValue": "x"}),
    ],
)
def test_build_attribute(value, expected):
    assert sqs_message.build_attribute("a", value) == expected


@pytest.mark.parametrize("value", [None, [1], {"string_value": "x"}, {"data_type": "Binary", "binary_value": "!!"}])
def test_build_attribute_rejects(value):
    with pytest.raises(ValueError):
        sqs_message.build_attribute("a", value)
