# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests of the SQS event document and the partial batch response rules (no servers)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest

import sqs_event

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders"


def boto_message(message_id="m1", body="hello", **extra):
    message = {
        "MessageId": message_id,
        "ReceiptHandle": "rh-" + message_id,
        "MD5OfBody": "5d41402abc4b2a76b9719d911017c592",
        "Body": body,
        "Attributes": {
            "SenderId": "AIDAEXAMPLE",
            "SentTimestamp": "1700000000000",
            "ApproximateReceiveCount": "1",
            "ApproximateFirstReceiveTimestamp": "1700000000100",
            "MessageDeduplicationId": "d1",
            "MessageGroupId": "g1",
            "SequenceNumber": "18849496460467696128",
            "SqsManagedSseEnabled": "false",
        },
    }
    message.update(extra)
    return message


def test_record_has_the_shape_lambda_sends():
    record = sqs_event.build_record(boto_message(), QUEUE_ARN, "us-east-1")
    assert list(record) == ["messageId", "receiptHandle", "body", "attributes", "messageAttributes",
                            "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"]
    assert record["messageId"] == "m1"
    assert record["receiptHandle"] == "rh-m1"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == QUEUE_ARN
    assert record["awsRegion"] == "us-east-1"
    # Lambda passes the documented system attributes only, in its order, not e.g. SqsManagedSseEnabled.
    assert list(record["attributes"]) == ["ApproximateReceiveCount", "SentTimestamp", "SequenceNumber",
                                          "MessageGroupId", "SenderId", "MessageDeduplicationId",
                                          "ApproximateFirstReceiveTimestamp"]


def test_message_attributes_are_camel_cased_and_binary_is_base64():
    message = boto_message(
        MD5OfMessageAttributes="abc",
        MessageAttributes={
            "city": {"DataType": "String", "StringValue": "Paris"},
            "count": {"DataType": "Number", "StringValue": "3"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01hi"},
        })
    record = sqs_event.build_record(message, QUEUE_ARN, "us-east-1")
    attrs = record["messageAttributes"]
    assert attrs["city"] == {"stringValue": "Paris", "stringListValues": [], "binaryListValues": [],
                             "dataType": "String"}
    assert attrs["count"]["dataType"] == "Number" and attrs["count"]["stringValue"] == "3"
    assert base64.b64decode(attrs["blob"]["binaryValue"]) == b"\x00\x01hi"
    assert "stringValue" not in attrs["blob"]
    assert record["md5OfMessageAttributes"] == "abc"


def test_event_keeps_batch_order():
    event = sqs_event.build_event([boto_message("a"), boto_message("b")], QUEUE_ARN, "eu-west-1")
    assert [r["messageId"] for r in event["Records"]] == ["a", "b"]
    assert {r["awsRegion"] for r in event["Records"]} == {"eu-west-1"}


IDS = ["a", "b", "c"]


@pytest.mark.parametrize("body", [b"", b"null", b"{}", b'{"batchItemFailures": []}',
                                  b'{"batchItemFailures": null}', b'"ok"'])
def test_without_report_batch_item_failures_everything_is_deleted(body):
    assert sqs_event.messages_to_delete(IDS, body, False) == (IDS, [])


@pytest.mark.parametrize("body", [b"", b"null", b"{}", b'{"batchItemFailures": []}',
                                  b'{"batchItemFailures": null}', b'{"other": 1}'])
def test_report_batch_item_failures_complete_success(body):
    assert sqs_event.messages_to_delete(IDS, body, True) == (IDS, [])


def test_report_batch_item_failures_keeps_reported_ids():
    body = b'{"batchItemFailures": [{"itemIdentifier": "b"}]}'
    assert sqs_event.messages_to_delete(IDS, body, True) == (["a", "c"], ["b"])


@pytest.mark.parametrize("body", [
    b"not json",
    b'{"batchItemFailures": [{"itemIdentifier": ""}]}',
    b'{"batchItemFailures": [{"itemIdentifier": null}]}',
    b'{"batchItemFailures": [{"itemIdentifer": "a"}]}',
    b'{"batchItemFailures": [{"itemIdentifier": "zzz"}]}',
    b'{"batchItemFailures": "a"}',
    b'["a"]',
])
def test_report_batch_item_failures_invalid_responses_fail_the_whole_batch(body):
    assert sqs_event.messages_to_delete(IDS, body, True) == ([], IDS)


@pytest.mark.parametrize("status,body,expected", [
    (200, b'{"batchItemFailures": []}', False),
    (200, b"null", False),
    (200, b'{"errorMessage": "boom", "errorType": "ValueError", "stackTrace": [], "requestId": "x"}', True),
    (200, b"Task timed out after 3.00 seconds", True),
    (502, b"", True),
    (200, b'{"errorMessage": "x", "errorType": "y", "batchItemFailures": []}', False),
])
def test_function_error_detection(status, body, expected):
    assert sqs_event.is_function_error(status, body) is expected
