from __future__ import annotations

import time

import boto3
import pytest
from moto import mock_aws

from _aws_module_harness import run_module

from ansible_collections.ackops.serverless.plugins.modules import cloudwatchlogs_log_events_info

GROUP = "/aws/lambda/demo"


@pytest.fixture
def log_group(aws_env):
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName=GROUP)
        logs.create_log_stream(logGroupName=GROUP, logStreamName="2026/12/01/[$LATEST]abc")
        now = int(time.time() * 1000)
        messages = ["START RequestId: 1", "[ERROR] ValueError: boom\nTraceback (most recent call last):", "END RequestId: 1",
                    "START RequestId: 2", "Task timed out after 3.00 seconds", "END RequestId: 2"]
        logs.put_log_events(logGroupName=GROUP, logStreamName="2026/12/01/[$LATEST]abc", logEvents=[
            {"timestamp": now - 60000 + i * 1000, "message": m} for i, m in enumerate(messages)])
        yield now


def test_newest_events_oldest_first(log_group, capsys):
    rc, result = run_module(cloudwatchlogs_log_events_info.main, {"log_group_name": GROUP, "limit": 2}, capsys)
    assert rc == 0, result
    assert result["log_group_exists"] is True and result["changed"] is False
    assert [e["message"] for e in result["events"]] == ["Task timed out after 3.00 seconds", "END RequestId: 2"]
    assert result["matched"] == 6
    assert result["events"][0]["log_stream_name"] == "2026/12/01/[$LATEST]abc"
    assert result["events"][0]["time"].endswith("+00:00")


def test_window_and_filter(log_group, capsys):
    now = log_group
    rc, result = run_module(cloudwatchlogs_log_events_info.main,
                            {"log_group_name": GROUP, "filter_pattern": "ERROR", "start_time": now - 120000}, capsys)
    assert [e["message"].splitlines()[0] for e in result["events"]] == ["[ERROR] ValueError: boom"]
    rc, result = run_module(cloudwatchlogs_log_events_info.main,
                            {"log_group_name": GROUP, "start_time": now - 57500}, capsys)
    assert [e["message"] for e in result["events"]] == [
        "START RequestId: 2", "Task timed out after 3.00 seconds", "END RequestId: 2"]


def test_missing_group_is_not_an_error(log_group, capsys):
    rc, result = run_module(cloudwatchlogs_log_events_info.main, {"log_group_name": "/aws/lambda/none"}, capsys)
    assert rc == 0
    result.pop("invocation", None)
    assert result == {"changed": False, "log_group_exists": False, "events": [], "matched": 0}
