# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""SQS -> DynamoDB Lambda function of the ackops.serverless pipeline.

Each SQS record becomes one DynamoDB item in the table named by the environment
variable TABLE_NAME: the body is the `email` hash key, SQS system attributes are
stored as strings, message attributes by their data type. Records that cannot be
stored are returned as partial batch failures so SQS retries only those.
See README.md next to this file for the full contract.

The module has two halves: pure conversion and validation (record_to_item,
plan_writes) and DynamoDB I/O (BatchWriter, handler).
"""

import base64
import binascii
import json
import logging
import os
import random
import re
import sys
import time
from datetime import datetime, timezone

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

TABLE_NAME_VARIABLE = "TABLE_NAME"
KEY_ATTRIBUTE = "email"
MAX_ITEM_BYTES = 400 * 1024
MAX_EMAIL_LENGTH = 254
BATCH_WRITE_LIMIT = 25
BATCH_WRITE_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 1.0
MAX_REASON_LENGTH = 300

# Deliberately simple: one "@", no whitespace, a dotted domain. The key must look like an
# address; full RFC 5322 parsing is not this function's job.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
# The number syntax DynamoDB accepts (no NaN, Infinity, underscores or surrounding blanks).
NUMBER_PATTERN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# DynamoDB table names; a table ARN is accepted too, as the API does.
TABLE_NAME_PATTERN = re.compile(r"^([A-Za-z0-9_.-]{3,255}|arn:[^\s]+:dynamodb:[^\s]+:table/[A-Za-z0-9_.-]{3,255})$")

LOGGER = logging.getLogger("ackops.sqs_to_dynamodb")

_CLIENT = None


class ConfigurationError(RuntimeError):
    """The function is deployed without a setting it needs."""


class InvalidEventError(ValueError):
    """The event is not an SQS batch; the whole invocation fails so nothing is dropped."""


class InvalidRecordError(ValueError):
    """One record cannot become an item; only that message is reported as failed."""


class WriteAborted(Exception):
    """A failure no message can get past (table missing, access denied, throttled after retries)."""


class JsonFormatter(logging.Formatter):
    """One JSON object per line; structured fields come from `extra={"fields": {...}}`."""

    def format(self, record):
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _configure_logging():
    # Our own stdout handler, not the root logger: the Lambda runtime installs its own root
    # handler with a plain-text format, and propagating would print every line twice.
    if not LOGGER.handlers:
        stream = logging.StreamHandler(sys.stdout)
        stream.setFormatter(JsonFormatter())
        LOGGER.addHandler(stream)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


_configure_logging()


# ---------------------------------------------------------------------------
# Pure conversion and validation
# ---------------------------------------------------------------------------

def number_size(value):
    """DynamoDB's size of a number: one byte per two significant digits, plus one."""
    mantissa = re.split(r"[eE]", value)[0].lstrip("+-").replace(".", "")
    significant = mantissa.strip("0") or "0"
    return (len(significant) + 1) // 2 + 1


def item_size(item):
    """Size of an item as DynamoDB counts it: attribute names plus values, in bytes."""
    total = 0
    for name, value in item.items():
        total += len(name.encode("utf-8"))
        kind, data = next(iter(value.items()))
        if kind == "S":
            total += len(data.encode("utf-8"))
        elif kind == "B":
            total += len(data)
        elif kind == "N":
            total += number_size(data)
    return total


def message_attribute_value(name, attribute):
    """Map one SQS message attribute (as Lambda delivers it) to a DynamoDB attribute value."""
    if not isinstance(attribute, dict):
        raise InvalidRecordError("message attribute %r is not an object with dataType and a value" % name)
    data_type = attribute.get("dataType")
    base_type = data_type.split(".", 1)[0] if isinstance(data_type, str) else None
    if base_type == "String":
        value = attribute.get("stringValue")
        if not isinstance(value, str):
            raise InvalidRecordError("message attribute %r (%s) has no stringValue" % (name, data_type))
        return {"S": value}
    if base_type == "Number":
        value = attribute.get("stringValue")
        if not isinstance(value, str) or not NUMBER_PATTERN.match(value):
            raise InvalidRecordError("message attribute %r (%s) is not a decimal number" % (name, data_type))
        return {"N": value}
    if base_type == "Binary":
        value = attribute.get("binaryValue")
        if not isinstance(value, (str, bytes)):
            raise InvalidRecordError("message attribute %r (%s) has no binaryValue" % (name, data_type))
        try:
            return {"B": base64.b64decode(value, validate=True)}
        except (binascii.Error, ValueError):
            raise InvalidRecordError("message attribute %r (%s) is not valid base64" % (name, data_type))
    raise InvalidRecordError(
        "message attribute %r has unsupported dataType %r: use String, Number or Binary (optionally with a .suffix)"
        % (name, data_type))


def record_to_item(record):
    """Turn one SQS record into a DynamoDB item, or raise InvalidRecordError.

    Name collisions are refused, never resolved by overwriting: a message attribute named
    like the key (`email`) or like a system attribute of the same record makes the record
    fail with a reason, so the producer can rename it (the message goes to the DLQ).
    Reasons never contain the body.
    """
    body = record.get("body")
    if not isinstance(body, str) or not body.strip():
        raise InvalidRecordError("body is empty: it must be the email address that keys the item")
    email = body.strip()
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
        raise InvalidRecordError(
            "body is not an email address (expected local@domain.tld, at most %d characters)" % MAX_EMAIL_LENGTH)
    item = {KEY_ATTRIBUTE: {"S": email}}

    system_attributes = record.get("attributes") or {}
    message_attributes = record.get("messageAttributes") or {}
    if not isinstance(system_attributes, dict) or not isinstance(message_attributes, dict):
        raise InvalidRecordError("attributes and messageAttributes must be objects")
    for name, value in system_attributes.items():
        if name == KEY_ATTRIBUTE:
            raise InvalidRecordError("system attribute %r collides with the key attribute" % name)
        item[name] = {"S": value if isinstance(value, str) else json.dumps(value)}
    for name, attribute in message_attributes.items():
        if name == KEY_ATTRIBUTE:
            raise InvalidRecordError(
                "message attribute %r collides with the key attribute: rename the message attribute" % name)
        if name in system_attributes:
            raise InvalidRecordError(
                "message attribute %r collides with the SQS system attribute of the same name:"
                " rename the message attribute" % name)
        item[name] = message_attribute_value(name, attribute)

    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise InvalidRecordError(
            "item would be %d bytes, above DynamoDB's limit of %d bytes: send smaller attributes"
            % (size, MAX_ITEM_BYTES))
    return item


def plan_writes(items):
    """Split (message_id, item) pairs into write rounds of chunks, in SQS order.

    BatchWriteItem refuses two puts for one key in a request, so the n-th message for an
    email goes into round n: rounds are written one after the other, and the last message
    of the batch for an email is the one the table keeps (last write wins, as with one
    PutItem per message). Each round is cut into chunks of 25, the BatchWriteItem limit.
    """
    rounds = []
    seen = {}
    for message_id, item in items:
        key = item[KEY_ATTRIBUTE]["S"]
        position = seen.get(key, 0)
        seen[key] = position + 1
        if position == len(rounds):
            rounds.append([])
        rounds[position].append((message_id, item))
    return [one_round[start:start + BATCH_WRITE_LIMIT]
            for one_round in rounds
            for start in range(0, len(one_round), BATCH_WRITE_LIMIT)]


def describe_error(error):
    """A short reason for an AWS error: its code and message, never a traceback."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        text = "%s: %s" % (details.get("Code", "Unknown"), details.get("Message", ""))
    else:
        text = "%s: %s" % (type(error).__name__, error)
    return text[:MAX_REASON_LENGTH]


def backoff_seconds(attempt):
    """Full-jitter exponential backoff for the n-th retry of UnprocessedItems."""
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** attempt))


def sqs_records(event):
    """The records of an SQS event, checked enough that every one can be reported."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise InvalidEventError("event has no Records list: this function expects an SQS event")
    seen = set()
    for index, record in enumerate(records):
        message_id = record.get("messageId") if isinstance(record, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise InvalidEventError("record %d has no messageId: this function expects an SQS event" % index)
        if message_id in seen:
            raise InvalidEventError("messageId %s appears twice in the batch" % message_id)
        seen.add(message_id)
    return records


# ---------------------------------------------------------------------------
# DynamoDB I/O
# ---------------------------------------------------------------------------

def dynamodb_client():
    """One client per container, created on first use (honours AWS_ENDPOINT_URL natively)."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = boto3.client("dynamodb", config=Config(
            retries={"mode": "standard", "max_attempts": 5},
            connect_timeout=3,
            read_timeout=10,
        ))
    return _CLIENT


class BatchWriter:
    """Writes planned chunks and records, per message id, what was written and why not."""

    def __init__(self, client, table_name, sleep=time.sleep):
        self.client = client
        self.table_name = table_name
        self.sleep = sleep
        self.written = set()
        self.failures = {}
        self.aborted = None

    def write(self, items):
        """Write (message_id, item) pairs; return (written ids, {failed id: reason})."""
        try:
            for chunk in plan_writes(items):
                self._write_chunk(chunk)
        except WriteAborted as error:
            self.aborted = str(error)
            for message_id, _item in items:
                if message_id not in self.written:
                    self.failures.setdefault(message_id, "not written: %s" % error)
        return self.written, self.failures

    def _write_chunk(self, chunk):
        by_key = {item[KEY_ATTRIBUTE]["S"]: (message_id, item) for message_id, item in chunk}
        pending = [{"PutRequest": {"Item": item}} for _message_id, item in chunk]
        for attempt in range(BATCH_WRITE_ATTEMPTS):
            if attempt:
                self.sleep(backoff_seconds(attempt))
            try:
                response = self.client.batch_write_item(RequestItems={self.table_name: pending})
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ValidationException":
                    raise WriteAborted(describe_error(error))
                # DynamoDB rejects the whole request for one bad item: find it with PutItem.
                self._put_each([by_key[request["PutRequest"]["Item"][KEY_ATTRIBUTE]["S"]] for request in pending])
                return
            except BotoCoreError as error:
                raise WriteAborted(describe_error(error))
            # One table per request, but keyed as DynamoDB chooses (name or ARN): take them all.
            unprocessed = [request for requests in (response.get("UnprocessedItems") or {}).values()
                           for request in requests]
            left = {request["PutRequest"]["Item"][KEY_ATTRIBUTE]["S"] for request in unprocessed}
            for request in pending:
                key = request["PutRequest"]["Item"][KEY_ATTRIBUTE]["S"]
                if key not in left:
                    self.written.add(by_key[key][0])
            if not unprocessed:
                return
            pending = unprocessed
        raise WriteAborted("BatchWriteItem left %d items unprocessed after %d attempts (throughput exceeded)"
                           % (len(pending), BATCH_WRITE_ATTEMPTS))

    def _put_each(self, pairs):
        for message_id, item in pairs:
            try:
                self.client.put_item(TableName=self.table_name, Item=item)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ValidationException":
                    raise WriteAborted(describe_error(error))
                self.failures[message_id] = "DynamoDB refused the item: %s" % describe_error(error)
                continue
            except BotoCoreError as error:
                raise WriteAborted(describe_error(error))
            self.written.add(message_id)


def _table_name():
    table_name = os.environ.get(TABLE_NAME_VARIABLE, "").strip()
    if not table_name:
        message = ("environment variable %s is not set: set it to the name of the DynamoDB table to write to"
                   " (on the ACK Function resource: spec.environment.variables.%s)"
                   % (TABLE_NAME_VARIABLE, TABLE_NAME_VARIABLE))
        LOGGER.error(message, extra={"fields": {"event": "configuration_error"}})
        raise ConfigurationError(message)
    if not TABLE_NAME_PATTERN.match(table_name):
        message = ("environment variable %s=%r is not a DynamoDB table name (3-255 characters of A-Z a-z 0-9 _ . -)"
                   " or table ARN: set it to the table's name" % (TABLE_NAME_VARIABLE, table_name))
        LOGGER.error(message, extra={"fields": {"event": "configuration_error"}})
        raise ConfigurationError(message)
    return table_name


def handler(event, context):
    """Lambda entry point: returns an SQS partial batch response."""
    started = time.monotonic()
    table_name = _table_name()
    records = sqs_records(event)
    request_id = getattr(context, "aws_request_id", None)

    failures = {}
    emails = {}
    items = []
    for record in records:
        message_id = record["messageId"]
        try:
            item = record_to_item(record)
        except InvalidRecordError as error:
            failures[message_id] = str(error)
            continue
        emails[message_id] = item[KEY_ATTRIBUTE]["S"]
        items.append((message_id, item))

    writer = BatchWriter(dynamodb_client(), table_name)
    written, write_failures = writer.write(items)
    failures.update(write_failures)
    if writer.aborted:
        LOGGER.error("DynamoDB write aborted", extra={"fields": {
            "event": "write_aborted", "table": table_name, "reason": writer.aborted, "aws_request_id": request_id}})

    # Every message not confirmed written is reported: nothing is dropped, even on a bug.
    failed_ids = [record["messageId"] for record in records if record["messageId"] not in written]
    for message_id in failed_ids:
        reason = failures.get(message_id, "not confirmed written")
        if message_id in emails:
            reason = reason.replace(emails[message_id], "<body>")
        LOGGER.warning("message not written", extra={"fields": {
            "event": "message_failed", "message_id": message_id, "reason": reason, "aws_request_id": request_id}})
    LOGGER.info("batch processed", extra={"fields": {
        "event": "batch_processed",
        "table": table_name,
        "received": len(records),
        "written": len(records) - len(failed_ids),
        "failed": len(failed_ids),
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
        "aws_request_id": request_id,
    }})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed_ids]}
