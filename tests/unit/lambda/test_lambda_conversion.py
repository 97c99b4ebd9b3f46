# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Pure conversion and planning logic of files/lambda/app.py (no AWS at all)."""

import pytest


def test_tutorial_record_becomes_item_with_system_attributes_as_strings(app, tutorial_records):
    record = tutorial_records[1]
    assert app.record_to_item(record) == {
        "email": {"S": "user2@foo.com"},
        "ApproximateReceiveCount": {"S": "1"},
        "SentTimestamp": {"S": record["attributes"]["SentTimestamp"]},
        "SenderId": {"S": "AIDAEXAMPLE"},
        "ApproximateFirstReceiveTimestamp": {"S": record["attributes"]["ApproximateFirstReceiveTimestamp"]},
        "name": {"S": "user2"},
        "city": {"S": "tel aviv"},
    }


def test_data_types_map_to_s_n_b(app, make_record):
    record = make_record(
        "typed@example.org",
        plain=("String", "x"),
        custom=("String.label", "y"),
        age=("Number", "42"),
        ratio=("Number.float", "-1.5e3"),
        photo=("Binary", b"\x00\x01\xfe"),
        thumb=("Binary.png", b"\x89PNG"),
    )
    item = app.record_to_item(record)
    assert item["plain"] == {"S": "x"}
    assert item["custom"] == {"S": "y"}
    assert item["age"] == {"N": "42"}
    assert item["ratio"] == {"N": "-1.5e3"}
    assert item["photo"] == {"B": b"\x00\x01\xfe"}
    assert item["thumb"] == {"B": b"\x89PNG"}


def test_body_surrounding_whitespace_is_trimmed(app, make_record):
    assert app.record_to_item(make_record(" user1@foo.com\n"))["email"] == {"S": "user1@foo.com"}


@pytest.mark.parametrize("body, reason", [
    ("", "body is empty"),
    ("   ", "body is empty"),
    (None, "body is empty"),
    ("not-an-email", "not an email address"),
    ("a@b", "not an email address"),
    ("two words@foo.com", "not an email address"),
    ("a@@foo.com", "not an email address"),
    ("x" * 250 + "@foo.com", "not an email address"),
])
def test_bad_bodies_are_refused_without_echoing_them(app, make_record, body, reason):
    with pytest.raises(app.InvalidRecordError) as refused:
        app.record_to_item(make_record(body))
    assert reason in str(refused.value)
    if body and body.strip():
        assert body.strip() not in str(refused.value)


@pytest.mark.parametrize("attribute, reason", [
    (("Number", "12abc"), "not a decimal number"),
    (("Number", "NaN"), "not a decimal number"),
    (("Number", " 7"), "not a decimal number"),
    (("Number", "1_000"), "not a decimal number"),
    (("Binary", "***not base64***"), "not valid base64"),
    (("Date", "2024-01-01"), "unsupported dataType 'Date'"),
])
def test_bad_message_attributes_are_refused(app, make_record, attribute, reason):
    with pytest.raises(app.InvalidRecordError, match=reason):
        app.record_to_item(make_record("ok@foo.com", field=attribute))


def test_message_attribute_named_like_the_key_is_refused(app, make_record):
    record = make_record("owner@foo.com", email=("String", "someone-else@foo.com"))
    with pytest.raises(app.InvalidRecordError, match="collides with the key attribute"):
        app.record_to_item(record)


def test_message_attribute_named_like_a_system_attribute_is_refused(app, make_record):
    record = make_record("owner@foo.com", SenderId=("String", "spoofed"))
    with pytest.raises(app.InvalidRecordError, match="collides with the SQS system attribute"):
        app.record_to_item(record)


def test_item_size_limit_counts_names_and_values(app, make_record):
    name_and_key = len("email") + len("a@foo.com") + len("blob")
    exactly_at_limit = app.MAX_ITEM_BYTES - name_and_key
    record = make_record("a@foo.com", blob=("String", "x" * exactly_at_limit))
    record["attributes"] = {}
    assert app.item_size(app.record_to_item(record)) == app.MAX_ITEM_BYTES
    record["messageAttributes"]["blob"]["stringValue"] += "x"
    with pytest.raises(app.InvalidRecordError, match="above DynamoDB's limit of 409600 bytes"):
        app.record_to_item(record)


@pytest.mark.parametrize("number, size", [("0", 2), ("7", 2), ("12", 2), ("123", 3), ("-0.00120", 2), ("1.5e300", 2)])
def test_number_size_follows_significant_digits(app, number, size):
    assert app.number_size(number) == size


def test_plan_writes_puts_duplicate_emails_in_successive_rounds(app):
    items = [("m%d" % n, {"email": {"S": email}}) for n, email in
             enumerate(["a@x.io", "b@x.io", "a@x.io", "c@x.io", "a@x.io", "b@x.io"])]
    chunks = app.plan_writes(items)
    assert [[message_id for message_id, _item in chunk] for chunk in chunks] == [
        ["m0", "m1", "m3"],
        ["m2", "m5"],
        ["m4"],
    ]


def test_plan_writes_cuts_chunks_of_25(app):
    items = [("m%d" % n, {"email": {"S": "u%d@x.io" % n}}) for n in range(60)]
    assert [len(chunk) for chunk in app.plan_writes(items)] == [25, 25, 10]


@pytest.mark.parametrize("event", [None, {}, {"Records": "nope"}, {"Records": [{"body": "a@b.c"}]}])
def test_non_sqs_events_are_refused(app, event):
    with pytest.raises(app.InvalidEventError, match="SQS event"):
        app.sqs_records(event)


def test_duplicate_message_ids_are_refused(app, make_record):
    with pytest.raises(app.InvalidEventError, match="appears twice"):
        app.sqs_records({"Records": [make_record("a@foo.com", "same"), make_record("b@foo.com", "same")]})
