# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Fixtures for the Lambda function's unit tests: the module, SQS records, a moto table."""

import base64
import importlib.util
import logging
import pathlib

import boto3
import pytest
from moto import mock_aws

APP_PATH = pathlib.Path(__file__).resolve().parents[3] / "files" / "lambda" / "app.py"
TUTORIAL_TABLE = "customer"
TUTORIAL_USERS = [
    ("user1@foo.com", "user1", "seattle"),
    ("user2@foo.com", "user2", "tel aviv"),
    ("user3@foo.com", "user3", "new delhi"),
    ("user4@foo.com", "user4", "new york"),
]


def _load_app():
    # Loaded by path under a unique name: files/lambda is not a package, and "app" is too
    # generic a module name to put on sys.path next to other tests.
    spec = importlib.util.spec_from_file_location("ackops_lambda_app", APP_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_APP = _load_app()


@pytest.fixture
def app():
    """The Lambda module, with its cached client dropped before and after each test."""
    _APP._CLIENT = None
    yield _APP
    _APP._CLIENT = None


class FakeContext:
    aws_request_id = "req-0001"


@pytest.fixture
def context():
    return FakeContext()


@pytest.fixture
def make_record():
    """Build an SQS record the way Lambda delivers it; attributes are (dataType, value) pairs."""
    counter = {"n": 0}

    def build(body, message_id=None, **attributes):
        counter["n"] += 1
        number = counter["n"]
        message_attributes = {}
        for name, (data_type, value) in attributes.items():
            attribute = {"stringListValues": [], "binaryListValues": [], "dataType": data_type}
            if data_type.startswith("Binary"):
                attribute["binaryValue"] = base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
            else:
                attribute["stringValue"] = value
            message_attributes[name] = attribute
        return {
            "messageId": message_id or "msg-%04d" % number,
            "receiptHandle": "handle-%d" % number,
            "body": body,
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": str(1700000000000 + number),
                "SenderId": "AIDAEXAMPLE",
                "ApproximateFirstReceiveTimestamp": str(1700000000500 + number),
            },
            "messageAttributes": message_attributes,
            "md5OfBody": "0" * 32,
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:sqs-queue-demo-ack",
            "awsRegion": "us-east-1",
        }

    return build


@pytest.fixture
def tutorial_users():
    """(email, name, city) of the four messages the tutorial sends."""
    return list(TUTORIAL_USERS)


@pytest.fixture
def tutorial_records(make_record, tutorial_users):
    """The four messages the tutorial sends with `aws sqs send-message`."""
    return [make_record(email, name=("String", name), city=("String", city))
            for email, name, city in tutorial_users]


@pytest.fixture
def aws(aws_env):  # pylint: disable=unused-argument,redefined-outer-name
    """In-process moto, isolated from any sandbox endpoint or real credentials (aws_env: tests/unit/conftest.py)."""
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def table_name():
    return TUTORIAL_TABLE


@pytest.fixture
def table(aws, monkeypatch, table_name):
    """The tutorial's table (hash key email, S) in moto, and TABLE_NAME pointing at it."""
    aws.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("TABLE_NAME", table_name)
    return aws


@pytest.fixture
def lambda_logs(app, caplog):
    """Records logged by the function (its logger does not propagate, so attach caplog to it)."""
    app.LOGGER.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG, logger=app.LOGGER.name)
    yield caplog
    app.LOGGER.removeHandler(caplog.handler)
