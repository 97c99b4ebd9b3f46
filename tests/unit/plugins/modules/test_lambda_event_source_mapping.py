from __future__ import annotations

import pytest
from moto import mock_aws

from _aws_module_harness import queues_and_functions, run_module

from ansible_collections.ackops.serverless.plugins.modules import lambda_event_source_mapping


@pytest.fixture
def two_mappings(aws_env):
    """Two mappings between the same queue and function (moto accepts the second one)."""
    with mock_aws(config={"lambda": {"use_docker": False}}):
        lam, (arn,) = queues_and_functions(("q",), ("f",))
        made = [lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="f")["UUID"] for dummy in range(2)]
        yield lam, made


def remaining(lam):
    return sorted(m["UUID"] for m in lam.list_event_source_mappings(FunctionName="f")["EventSourceMappings"])


def test_deletes_only_the_given_mapping_then_is_idempotent(two_mappings, capsys):
    lam, made = two_mappings
    rc, result = run_module(lambda_event_source_mapping.main, {"uuid": made[1]}, capsys)
    assert rc == 0, result
    assert (result["changed"], result["uuid"]) == (True, made[1])
    assert remaining(lam) == [made[0]]
    rc, result = run_module(lambda_event_source_mapping.main, {"uuid": made[1]}, capsys)
    assert (rc, result["changed"], result["state"]) == (0, False, "absent")


def test_check_mode_reports_without_deleting(two_mappings, capsys):
    lam, made = two_mappings
    rc, result = run_module(lambda_event_source_mapping.main, {"uuid": made[0]}, capsys, check_mode=True)
    assert (rc, result["changed"]) == (0, True)
    assert remaining(lam) == sorted(made)


def test_only_absent_is_a_state(two_mappings, capsys):
    lam, made = two_mappings
    rc, result = run_module(lambda_event_source_mapping.main, {"uuid": made[0], "state": "present"}, capsys)
    assert rc != 0 and "state" in result["msg"] and "absent" in result["msg"]
    assert remaining(lam) == sorted(made)
