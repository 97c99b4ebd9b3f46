# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The Lambda handler against an in-process moto DynamoDB (no network)."""

import json
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError, NoCredentialsError


def scan(client, table_name="customer"):
    items = client.scan(TableName=table_name)["Items"]
    return {item["email"]["S"]: item for item in items}


def failed_ids(response):
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def batch_line(caplog):
    lines = [record for record in caplog.records if getattr(record, "fields", {}).get("event") == "batch_processed"]
    assert len(lines) == 1
    return lines[0].fields


def test_tutorial_messages_become_four_items(app, table, tutorial_records, tutorial_users, context):
    response = app.handler({"Records": tutorial_records}, context)

    assert response == {"batchItemFailures": []}
    items = scan(table)
    assert sorted(items) == ["user1@foo.com", "user2@foo.com", "user3@foo.com", "user4@foo.com"]
    for record, (email, name, city) in zip(tutorial_records, tutorial_users):
        assert items[email] == {
            "email": {"S": email},
            "name": {"S": name},
            "city": {"S": city},
            "ApproximateReceiveCount": {"S": "1"},
            "SentTimestamp": {"S": record["attributes"]["SentTimestamp"]},
            "SenderId": {"S": "AIDAEXAMPLE"},
            "ApproximateFirstReceiveTimestamp": {"S": record["attributes"]["ApproximateFirstReceiveTimestamp"]},
        }


def test_number_and_binary_attributes_are_stored_typed(app, table, make_record, context):
    record = make_record("typed@foo.com", age=("Number", "42.50"), avatar=("Binary", b"\x00\xffpng"))
    assert app.handler({"Records": [record]}, context) == {"batchItemFailures": []}
    item = scan(table)["typed@foo.com"]
    # DynamoDB returns numbers normalised (42.5), moto as sent: compare the values.
    assert list(item["age"]) == ["N"] and Decimal(item["age"]["N"]) == Decimal("42.50")
    assert item["avatar"] == {"B": b"\x00\xffpng"}


def test_mixed_batch_stores_good_records_and_reports_exactly_the_bad(app, table, make_record, context):
    good_first = make_record("good1@foo.com", name=("String", "one"))
    empty = make_record("")
    not_email = make_record("not-an-email")
    oversized = make_record("big@foo.com", blob=("String", "x" * (400 * 1024)))
    # Syntactically a number, but beyond DynamoDB's range: only DynamoDB refuses it, which makes
    # BatchWriteItem reject its whole chunk and the handler fall back to one PutItem per item.
    refused = make_record("huge@foo.com", amount=("Number", "1E+200"))
    good_last = make_record("good2@foo.com", city=("String", "lima"))
    records = [good_first, empty, not_email, oversized, refused, good_last]

    response = app.handler({"Records": records}, context)

    assert failed_ids(response) == [r["messageId"] for r in (empty, not_email, oversized, refused)]
    assert sorted(scan(table)) == ["good1@foo.com", "good2@foo.com"]


def test_every_message_is_either_an_item_or_a_reported_failure(app, table, make_record, context):
    records = [make_record("u%02d@foo.com" % n) if n % 7 else make_record("broken-%d" % n) for n in range(60)]
    response = app.handler({"Records": records}, context)
    failed = set(failed_ids(response))
    stored = scan(table)
    assert len(failed) == 9
    for record in records:
        assert (record["messageId"] in failed) != (record["body"] in stored)


def test_missing_table_reports_every_message(app, aws, monkeypatch, tutorial_records, context, lambda_logs):
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    response = app.handler({"Records": tutorial_records}, context)
    assert failed_ids(response) == [r["messageId"] for r in tutorial_records]
    aborted = [r for r in lambda_logs.records if r.fields.get("event") == "write_aborted"]
    assert len(aborted) == 1
    assert aborted[0].fields["reason"].startswith("ResourceNotFoundException")
    assert batch_line(lambda_logs)["failed"] == 4


def test_missing_credentials_report_every_message(app, monkeypatch, tutorial_records, context, table_name):
    class NoCredentialsClient:
        def batch_write_item(self, **kwargs):
            raise NoCredentialsError()

    monkeypatch.setenv("TABLE_NAME", table_name)
    app._CLIENT = NoCredentialsClient()
    response = app.handler({"Records": tutorial_records}, context)
    assert failed_ids(response) == [r["messageId"] for r in tutorial_records]


def test_duplicate_emails_keep_the_last_message_in_sqs_order(app, table, make_record, context):
    records = [
        make_record("dup@foo.com", city=("String", "first")),
        make_record("other@foo.com", city=("String", "alone")),
        make_record("dup@foo.com", city=("String", "second")),
        make_record("dup@foo.com", city=("String", "third")),
    ]
    assert app.handler({"Records": records}, context) == {"batchItemFailures": []}
    items = scan(table)
    assert items["dup@foo.com"]["city"] == {"S": "third"}
    assert items["dup@foo.com"]["SentTimestamp"] == {"S": records[3]["attributes"]["SentTimestamp"]}
    assert items["other@foo.com"]["city"] == {"S": "alone"}


def test_more_than_25_messages_are_written_in_chunks(app, table, make_record, context):
    records = [make_record("bulk%03d@foo.com" % n) for n in range(70)]
    assert app.handler({"Records": records}, context) == {"batchItemFailures": []}
    assert len(scan(table)) == 70


def test_missing_table_name_fails_with_a_clear_error(app, aws, monkeypatch, tutorial_records, context):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    with pytest.raises(app.ConfigurationError, match="environment variable TABLE_NAME is not set"):
        app.handler({"Records": tutorial_records}, context)


def test_log_lines_have_counts_and_never_bodies(app, table, make_record, context, lambda_logs):
    records = [
        make_record("secret.person@foo.com", name=("String", "s")),
        make_record("not-an-email-secret"),
        make_record("hidden@foo.com", amount=("Number", "1E+200")),
    ]
    app.handler({"Records": records}, context)

    fields = batch_line(lambda_logs)
    assert {key: fields[key] for key in ("received", "written", "failed", "table")} == {
        "received": 3, "written": 1, "failed": 2, "table": "customer"}
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0

    warnings = [r for r in lambda_logs.records if r.levelname == "WARNING"]
    assert sorted(r.fields["message_id"] for r in warnings) == sorted(r["messageId"] for r in records[1:])
    assert all(r.fields["reason"] for r in warnings)

    formatter = app.JsonFormatter()
    lines = [formatter.format(record) for record in lambda_logs.records]
    for line in lines:
        parsed = json.loads(line)
        assert parsed["logger"] == "ackops.sqs_to_dynamodb"
        for record in records:
            assert record["body"] not in line
    info = [json.loads(line) for line in lines if json.loads(line)["level"] == "INFO"]
    assert len(info) == 1 and info[0]["received"] == 3 and info[0]["aws_request_id"] == "req-0001"


class FlakyClient:
    """Wraps the moto client; the first BatchWriteItem calls leave items unprocessed."""

    def __init__(self, real, table_name, unprocessed_rounds):
        self.real = real
        self.table_name = table_name
        self.unprocessed_rounds = unprocessed_rounds
        self.calls = []

    def batch_write_item(self, RequestItems):
        requests = next(iter(RequestItems.values()))
        self.calls.append(len(requests))
        if len(self.calls) <= self.unprocessed_rounds:
            keep, leave = requests[:1], requests[1:]
            if keep:
                self.real.batch_write_item(RequestItems={self.table_name: keep})
            return {"UnprocessedItems": {self.table_name: leave} if leave else {}}
        return self.real.batch_write_item(RequestItems=RequestItems)

    def put_item(self, **kwargs):
        return self.real.put_item(**kwargs)


def test_unprocessed_items_are_retried_with_backoff(app, table, table_name, make_record):
    client = FlakyClient(table, table_name, unprocessed_rounds=2)
    sleeps = []
    writer = app.BatchWriter(client, table_name, sleep=sleeps.append)
    items = [(r["messageId"], app.record_to_item(r)) for r in (make_record("r%d@foo.com" % n) for n in range(5))]

    written, failures = writer.write(items)

    assert client.calls == [5, 4, 3]
    assert len(sleeps) == 2
    assert written == {message_id for message_id, _item in items} and failures == {}
    assert len(scan(table)) == 5


def test_throttling_that_outlasts_the_retries_reports_the_unwritten(app, table, table_name, make_record):
    client = FlakyClient(table, table_name, unprocessed_rounds=100)
    writer = app.BatchWriter(client, table_name, sleep=lambda _seconds: None)
    items = [(r["messageId"], app.record_to_item(r)) for r in (make_record("t%d@foo.com" % n) for n in range(30))]

    written, failures = writer.write(items)

    # Chunk one (25 items) gets one item through per attempt, then the writer gives up and the
    # second chunk is not tried: exactly the 6 written are not reported.
    assert len(client.calls) == app.BATCH_WRITE_ATTEMPTS
    assert len(written) == app.BATCH_WRITE_ATTEMPTS
    assert set(failures) == {message_id for message_id, _item in items} - written
    assert all("unprocessed after 6 attempts" in reason for reason in failures.values())
    assert set(scan(table)) == {item["email"]["S"] for message_id, item in items if message_id in written}


def test_throttling_errors_from_put_item_fallback_abort_the_rest(app, table, table_name, make_record):
    class ThrottledAfterValidation:
        def __init__(self):
            self.puts = 0

        def batch_write_item(self, RequestItems):
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "bad item"}}, "BatchWriteItem")

        def put_item(self, **kwargs):
            self.puts += 1
            if self.puts == 1:
                return table.put_item(**kwargs)
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                              "PutItem")

    items = [(r["messageId"], app.record_to_item(r)) for r in (make_record("p%d@foo.com" % n) for n in range(4))]
    writer = app.BatchWriter(ThrottledAfterValidation(), table_name)
    written, failures = writer.write(items)
    assert written == {items[0][0]}
    assert sorted(failures) == sorted(message_id for message_id, _item in items[1:])
    assert all("ProvisionedThroughputExceededException" in reason for reason in failures.values())


def test_a_body_quoted_by_dynamodb_is_redacted_from_the_reason(app, monkeypatch, make_record, context, lambda_logs):
    class QuotingClient:
        def batch_write_item(self, RequestItems):
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "bad request"}}, "BatchWriteItem")

        def put_item(self, TableName, Item):
            raise ClientError({"Error": {"Code": "ValidationException",
                                         "Message": "key %s is not allowed" % Item["email"]["S"]}}, "PutItem")

    monkeypatch.setenv("TABLE_NAME", "customer")
    app._CLIENT = QuotingClient()
    record = make_record("quoted.person@foo.com")
    response = app.handler({"Records": [record]}, context)

    assert failed_ids(response) == [record["messageId"]]
    (warning,) = [r for r in lambda_logs.records if r.levelname == "WARNING"]
    assert warning.fields["reason"] == "DynamoDB refused the item: ValidationException: key <body> is not allowed"
    assert "quoted.person" not in app.JsonFormatter().format(warning)


@pytest.mark.parametrize("value", ["my table", "x", "customer/../other"])
def test_malformed_table_name_fails_with_a_clear_error(app, aws, monkeypatch, tutorial_records, context, value):
    monkeypatch.setenv("TABLE_NAME", value)
    with pytest.raises(app.ConfigurationError, match="TABLE_NAME=.* is not a DynamoDB table name"):
        app.handler({"Records": tutorial_records}, context)


def test_table_arn_is_accepted(app, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "arn:aws:dynamodb:us-east-1:123456789012:table/customer")
    assert app._table_name() == "arn:aws:dynamodb:us-east-1:123456789012:table/customer"
