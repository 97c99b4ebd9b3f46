# Unit tests of the pure logic of ack_aws_state: AWS identities of ACK resources and verdicts.
from __future__ import annotations

import pytest

from ansible_collections.ackops.serverless.plugins.module_utils import ack_aws


def entry(kind, arn=None, region=None, **status):
    metadata = {"arn": arn} if arn else {}
    if region:
        metadata["region"] = region
    return {"kind": kind, "name": "n", "namespace": "pipeline", "spec": status.pop("spec", {}),
            "status": dict(status, ackResourceMetadata=metadata)}


def test_references_come_from_the_status():
    assert ack_aws.aws_reference(entry("Queue", "arn:aws-cn:sqs:cn-north-1:123456789012:orders")) == {
        "kind": "Queue", "region": "cn-north-1", "id": {"QueueName": "orders", "QueueOwnerAWSAccountId": "123456789012"}}
    assert ack_aws.aws_reference(entry("Table", "arn:aws:dynamodb:eu-west-1:123456789012:table/customer"))["id"] == {
        "TableName": "customer"}
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:writer"
    assert ack_aws.aws_reference(entry("Function", function_arn, region="us-east-1"))["id"] == {"FunctionName": function_arn}
    assert ack_aws.aws_reference(entry("EventSourceMapping", uuid="u-1"))["id"] == {"UUID": "u-1"}
    assert ack_aws.aws_reference(entry("Queue")) is None            # never synced: no identity


def test_a_resource_aws_does_not_have_is_drift():
    state, reason = ack_aws.verdict(entry("Queue", "arn:aws:sqs:us-east-1:1:q"), None)
    assert state == ack_aws.MISSING and "gone from AWS" in reason


@pytest.mark.parametrize("observed,state", [
    ({"State": "Active", "LastUpdateStatus": "Successful"}, ack_aws.SETTLED),
    ({"State": "Active", "LastUpdateStatus": "InProgress"}, ack_aws.MOVING),
    ({"State": "Pending"}, ack_aws.MOVING),
    ({"State": "Active", "LastUpdateStatus": "Failed", "LastUpdateStatusReason": "image not found"}, ack_aws.FAILED),
    ({"State": "Inactive"}, ack_aws.SETTLED),
])
def test_function_verdicts(observed, state):
    got, reason = ack_aws.verdict(entry("Function"), observed)
    assert got == state
    if state == ack_aws.FAILED:
        assert "image not found" in reason


@pytest.mark.parametrize("enabled,observed,state", [
    (True, "Enabled", ack_aws.SETTLED),
    (None, "Creating", ack_aws.MOVING),
    (False, "Disabled", ack_aws.SETTLED),
    (False, "Enabled", ack_aws.FAILED),
    (True, "Disabling", ack_aws.MOVING),
])
def test_mapping_verdicts_follow_spec_enabled(enabled, observed, state):
    spec = {} if enabled is None else {"enabled": enabled}
    assert ack_aws.verdict(entry("EventSourceMapping", spec=spec), {"State": observed})[0] == state


def test_summary_is_snake_case_and_selective():
    assert ack_aws.summary("EventSourceMapping", {"State": "Enabled", "LastProcessingResult": "OK", "UUID": "x"}) == {
        "state": "Enabled", "last_processing_result": "OK"}
    assert ack_aws.summary("Queue", None) == {}


def test_describe_and_parse_arn():
    assert ack_aws.describe(entry("Queue")) == "Queue pipeline/n"
    assert ack_aws.parse_arn("not-an-arn") is None
    assert ack_aws.parse_arn("arn:aws:lambda:us-east-1:1:function:f")["resource"] == "function:f"
