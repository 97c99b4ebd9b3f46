from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from _aws_module_harness import run_module

from ansible_collections.ackops.serverless.plugins.modules import dynamodb_item_info


@pytest.fixture
def table(aws_env):
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="customer",
            AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for i, city in enumerate(["seattle", "tel aviv", "new delhi", "new york"], start=1):
            ddb.put_item(
                TableName="customer",
                Item={
                    "email": {"S": "user%d@foo.com" % i},
                    "name": {"S": "user%d" % i},
                    "city": {"S": city},
                    "run": {"S": "r1" if i < 4 else "r2"},
                    "n": {"N": str(i * 10)},
                    "ratio": {"N": "0.5"},
                    "blob": {"B": b"\x01\x02"},
                    "tags": {"SS": ["b", "a"]},
                },
            )
        yield ddb


def test_get_by_key(table, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "key": {"email": "user2@foo.com"}}, capsys)
    assert rc == 0, result
    assert result["changed"] is False
    assert result["found"] is True
    assert result["count"] == 1
    item = result["item"]
    assert item == {
        "email": "user2@foo.com",
        "name": "user2",
        "city": "tel aviv",
        "run": "r1",
        "n": 20,
        "ratio": 0.5,
        "blob": "AQI=",
        "tags": ["a", "b"],
    }


def test_get_missing_item(table, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "key": {"email": "nobody@foo.com"}}, capsys)
    assert rc == 0
    assert result["found"] is False
    assert result["item"] == {}
    assert result["items"] == []


def test_scan_with_filters(table, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "filters": {"run": "r1"}}, capsys)
    assert rc == 0
    assert sorted(i["email"] for i in result["items"]) == ["user1@foo.com", "user2@foo.com", "user3@foo.com"]
    assert result["count"] == 3
    assert result["scanned_count"] == 4


def test_scan_number_filter_and_limit(table, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "filters": {"n": 40}}, capsys)
    assert [i["email"] for i in result["items"]] == ["user4@foo.com"]
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "limit": 2}, capsys)
    assert result["count"] == 2


def test_missing_table_says_how_to_fix(aws_env, capsys):
    with mock_aws():
        rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "key": {"email": "a"}}, capsys)
    assert rc == 1
    assert "'customer' does not exist" in result["msg"]


def test_wrong_key_attribute(table, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "key": {"mail": "a"}}, capsys)
    assert rc == 1
    assert "key schema" in result["msg"]


def test_key_and_filters_are_exclusive(aws_env, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "t", "key": {"a": "b"}, "filters": {"c": "d"}}, capsys)
    assert rc == 1
    assert "mutually exclusive" in result["msg"]


def test_filter_expression_uses_placeholders():
    expression, names, values = dynamodb_item_info.filter_expression({"name": "x", "city": "y"})
    assert expression == "#f0 = :f0 AND #f1 = :f1"
    assert names == {"#f0": "city", "#f1": "name"}
    assert values == {":f0": {"S": "y"}, ":f1": {"S": "x"}}


def test_wait_returns_as_soon_as_enough_items_match(table, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "filters": {"run": "r1"},
                                                      "wait_for_count": 3, "wait_timeout": 30}, capsys)
    assert rc == 0, result
    assert result["count"] == 3 and result["wait_timed_out"] is False
    assert result["waited"] < 5


def test_wait_timeout_is_not_a_failure(table, capsys):
    rc, result = run_module(dynamodb_item_info.main, {"table": "customer", "filters": {"run": "r2"},
                                                      "wait_for_count": 2, "wait_timeout": 2, "wait_delay": 1}, capsys)
    assert rc == 0, result
    assert result["count"] == 1 and result["wait_timed_out"] is True
    assert 2 <= result["waited"] < 5
