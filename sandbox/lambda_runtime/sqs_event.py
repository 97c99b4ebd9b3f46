# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Pure logic of the SQS event source: the event document Lambda sends, and what to delete.

No I/O here, so tests/sandbox_runtime/test_sqs_event.py covers it without servers.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

# System attributes Lambda puts in each record (standard and FIFO queues), in AWS's order.
RECORD_SYSTEM_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "SenderId",
    "MessageDeduplicationId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
TIMEOUT_PREFIX = b"Task timed out after"


def _b64(value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def message_attributes_to_event(attributes):
    """Convert boto3 MessageAttributes to the camelCase shape of a Lambda SQS record."""
    result = {}
    for name, attr in (attributes or {}).items():
        entry = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": attr.get("DataType", "String"),
        }
        if "StringValue" in attr:
            entry["stringValue"] = attr["StringValue"]
        if "BinaryValue" in attr:
            # boto3 hands binary values over already base64-decoded; the event carries base64.
            entry["binaryValue"] = _b64(attr["BinaryValue"])
        result[name] = entry
    return result


def build_record(message, queue_arn, region):
    """One element of event["Records"] for a message as returned by boto3 receive_message."""
    system = message.get("Attributes") or {}
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict((k, system[k]) for k in RECORD_SYSTEM_ATTRIBUTES if k in system),
        "messageAttributes": message_attributes_to_event(message.get("MessageAttributes")),
        "md5OfBody": message.get("MD5OfBody", ""),
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update({"eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region})
    return record


def build_event(messages, queue_arn, region):
    return {"Records": [build_record(m, queue_arn, region) for m in messages]}


def is_function_error(status, body):
    """Tell an invocation error from a result, as the Runtime Interface Emulator reports them.

    The emulator sets no X-Amz-Function-Error header: a handler exception comes back as HTTP 200
    with awslambdaric's error document {"errorMessage", "errorType", ...}; a timeout as the text
    "Task timed out after N.00 seconds"; emulator failures as non-200 statuses.
    """
    if status != 200:
        return True
    stripped = (body or b"").strip()
    if stripped.startswith(TIMEOUT_PREFIX):
        return True
    if not stripped.startswith(b"{"):
        return False
    try:
        doc = json.loads(stripped.decode("utf-8"))
    except ValueError:
        return False
    return isinstance(doc, dict) and "errorType" in doc and "errorMessage" in doc and set(doc) <= {
        "errorType", "errorMessage", "stackTrace", "requestId", "cause"}


def messages_to_delete(message_ids, body, report_batch_item_failures):
    """Ids to delete after a successful (non-error) invocation, and the ids reported as failed.

    Follows the rules of AWS's "Handling errors for an SQS event source": with
    ReportBatchItemFailures, an empty/null response or an empty/null batchItemFailures list is
    complete success; invalid JSON, an itemIdentifier that is empty, null, missing or not in the
    batch is complete failure (nothing deleted). Without it, any successful invocation deletes all.
    Returns (to_delete, failed) as lists in batch order.
    """
    ids = list(message_ids)
    if not report_batch_item_failures:
        return ids, []
    text = (body or b"").strip()
    if not text or text == b"null":
        return ids, []
    try:
        doc = json.loads(text.decode("utf-8"))
    except ValueError:
        return [], ids
    if doc is None or doc == {} or doc == "":
        return ids, []
    if not isinstance(doc, dict):
        return [], ids
    failures = doc.get("batchItemFailures")
    if not failures:
        return ids, []
    if not isinstance(failures, list):
        return [], ids
    failed = set()
    for item in failures:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not ident or ident not in ids:
            return [], ids
        failed.add(ident)
    return [i for i in ids if i not in failed], [i for i in ids if i in failed]
