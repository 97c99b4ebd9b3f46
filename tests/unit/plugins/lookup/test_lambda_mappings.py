# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests for the ackops.serverless.lambda_mappings lookup against moto's in-process mock (no sandbox)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleLookupError
from moto import mock_aws

from ansible_collections.ackops.serverless.plugins.modules import lambda_event_source_mapping_info
from ansible_collections.ackops.serverless.tests.unit.plugins.modules._aws_module_harness import queues_and_functions
from ansible_collections.ackops.serverless.tests.unit.plugins.modules._aws_module_harness import run_module

LOOKUP = "lambda_mappings"  # the lookup fixture (conftest.py) loads ackops.serverless.lambda_mappings


@pytest.fixture
def mapped(aws_env):
    """Queue q to functions fn (twice: in-process moto, without the sandbox's shim, accepts that) and other."""
    with mock_aws():
        lam, (queue,) = queues_and_functions(["q"], ["fn", "other"])
        for function in ("fn", "fn", "other"):
            lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=function, BatchSize=5)
        yield queue


def test_the_mappings_of_the_queue_and_the_function_as_the_info_module_returns_them(lookup, mapped, capsys):
    found = lookup.run([], variables={}, event_source_arn=mapped, function_name="fn", region="us-east-1")
    rc, result = run_module(lambda_event_source_mapping_info.main,
                            {"event_source_arn": mapped, "function_name": "fn"}, capsys)
    assert rc == 0 and len(found) == 2
    assert found == result["mappings"]
    assert {m["function_name"] for m in found} == {"fn"} and all(m["event_source_arn"] == mapped for m in found)
    assert len(lookup.run([], variables={}, event_source_arn=mapped, region="us-east-1")) == 3


def test_a_missing_function_has_no_mappings(lookup, mapped):
    assert lookup.run([], variables={}, event_source_arn=mapped, function_name="gone", region="us-east-1") == []


def test_a_filter_is_needed(lookup, mapped):
    with pytest.raises(AnsibleLookupError, match="needs event_source_arn, function_name or both"):
        lookup.run([], variables={}, region="us-east-1")


def test_an_unreachable_endpoint_names_the_function_and_the_permission(unreachable):
    message = unreachable(function_name="fn")
    assert "could not list the event source mappings of fn" in message and "127.0.0.1:9" in message
    assert "lambda:ListEventSourceMappings" in message
