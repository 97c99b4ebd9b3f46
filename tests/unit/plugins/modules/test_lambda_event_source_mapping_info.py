from __future__ import annotations

import pytest
from moto import mock_aws

from _aws_module_harness import queues_and_functions, run_module

from ansible_collections.ackops.serverless.plugins.modules import lambda_event_source_mapping_info


@pytest.fixture
def mappings(aws_env):
    with mock_aws(config={"lambda": {"use_docker": False}}):
        lam, arns = queues_and_functions(("q1", "q2"), ("f1", "f2"))
        made = [lam.create_event_source_mapping(EventSourceArn=arns[0], FunctionName="f1", BatchSize=5,
                                                FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"],
                lam.create_event_source_mapping(EventSourceArn=arns[0], FunctionName="f2", Enabled=False)["UUID"],
                lam.create_event_source_mapping(EventSourceArn=arns[1], FunctionName="f1")["UUID"]]
        yield arns, made


def test_every_consumer_of_a_queue(mappings, capsys):
    arns, made = mappings
    rc, result = run_module(lambda_event_source_mapping_info.main, {"event_source_arn": arns[0]}, capsys)
    assert rc == 0, result
    assert result["changed"] is False
    by_uuid = dict((m["uuid"], m) for m in result["mappings"])
    assert sorted(by_uuid) == sorted(made[:2])
    first = by_uuid[made[0]]
    assert (first["function_name"], first["state"], first["batch_size"]) == ("f1", "Enabled", 5)
    assert first["function_response_types"] == ["ReportBatchItemFailures"]
    assert first["event_source_arn"] == arns[0]
    assert by_uuid[made[1]]["state"] == "Disabled"
    assert "u_u_i_d" not in first


def test_by_function_and_by_uuid(mappings, capsys):
    arns, made = mappings
    rc, result = run_module(lambda_event_source_mapping_info.main, {"function_name": "f1"}, capsys)
    assert sorted(m["uuid"] for m in result["mappings"]) == sorted([made[0], made[2]])
    rc, result = run_module(lambda_event_source_mapping_info.main, {"uuid": made[2]}, capsys)
    assert [m["event_source_arn"] for m in result["mappings"]] == [arns[1]]
    rc, result = run_module(lambda_event_source_mapping_info.main, {"uuid": "00000000-0000-0000-0000-000000000000"}, capsys)
    assert rc == 0 and result["mappings"] == []
