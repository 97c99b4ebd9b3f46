from __future__ import annotations

import pytest
from moto import mock_aws

from _aws_module_harness import queues_and_functions, run_module

from ansible_collections.ackops.serverless.plugins.modules import ack_aws_state


def mapping_cr(uuid, enabled=True):
    """An EventSourceMapping custom resource as ACK leaves it once synced."""
    return {"apiVersion": "lambda.services.k8s.aws/v1alpha1", "kind": "EventSourceMapping",
            "metadata": {"name": "f-sqs", "namespace": "default"},
            "spec": {"enabled": enabled},
            "status": {"uuid": uuid, "ackResourceMetadata": {"region": "us-east-1"},
                       "conditions": [{"type": "ACK.ResourceSynced", "status": "True"}]}}


@pytest.fixture
def lam(aws_env):
    with mock_aws(config={"lambda": {"use_docker": False}}):
        client, arns = queues_and_functions(("q", "other"), ("f",))
        yield client, arns


def test_other_mappings_of_the_queue_and_function_are_listed(lam, capsys):
    client, (queue, other_queue) = lam
    owned, extra = (client.create_event_source_mapping(EventSourceArn=queue, FunctionName="f")["UUID"] for dummy in range(2))
    client.create_event_source_mapping(EventSourceArn=other_queue, FunctionName="f")  # another queue: not a duplicate
    rc, result = run_module(ack_aws_state.main, {"resources": [mapping_cr(owned)], "wait": False}, capsys)
    assert rc == 0, result
    assert result["other_mappings"] == [extra]
    assert result["resources"][0]["other_mappings"] == [extra]
    assert result["resources"][0]["state"] == "settled"


def test_a_single_mapping_has_no_others(lam, capsys):
    client, (queue, dummy) = lam
    owned = client.create_event_source_mapping(EventSourceArn=queue, FunctionName="f")["UUID"]
    rc, result = run_module(ack_aws_state.main, {"resources": [mapping_cr(owned)], "wait": False}, capsys)
    assert (rc, result["other_mappings"], result["drifted"]) == (0, [], [])


def test_a_mapping_gone_from_aws_is_drift_and_lists_nothing(lam, capsys):
    rc, result = run_module(ack_aws_state.main, {"resources": [mapping_cr("00000000-0000-0000-0000-000000000000")],
                                                 "wait": False}, capsys)
    assert rc == 0, result
    assert result["drifted"] == ["EventSourceMapping default/f-sqs"]
    assert result["other_mappings"] == []


def test_the_lookup_answers_as_the_module_does_without_waiting(lam, capsys):
    """The resources role reads AWS's side with the lookup before an apply (read.yml): the same entries."""
    from ansible.plugins.loader import lookup_loader

    client, (queue, dummy) = lam
    owned, extra = (client.create_event_source_mapping(EventSourceArn=queue, FunctionName="f")["UUID"] for dummy in range(2))
    gone = dict(mapping_cr("00000000-0000-0000-0000-000000000000"), metadata={"name": "gone", "namespace": "default"})
    never_synced = {"apiVersion": "lambda.services.k8s.aws/v1alpha1", "kind": "Function",
                    "metadata": {"name": "new", "namespace": "default"}, "spec": {"name": "new"}}
    resources = [mapping_cr(owned), gone, never_synced]
    rc, module_view = run_module(ack_aws_state.main, {"resources": resources, "wait": False}, capsys)
    assert rc == 0, module_view
    ack_aws_state_lookup = lookup_loader.get("ackops.serverless.ack_aws_state")
    (lookup_view,) = ack_aws_state_lookup.run([], variables={}, resources=resources, region="us-east-1")
    assert lookup_view == {key: module_view[key] for key in ("resources", "drifted", "moving", "other_mappings")}
    assert lookup_view["other_mappings"] == [extra] and lookup_view["drifted"] == ["EventSourceMapping default/gone"]
    assert [e["state"] for e in lookup_view["resources"]] == ["settled", "missing", "unknown"]


def test_the_lookup_names_an_unreachable_endpoint(lam, monkeypatch):
    from ansible.errors import AnsibleLookupError
    from ansible.plugins.loader import lookup_loader

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(AnsibleLookupError, match="Could not read EventSourceMapping .* in AWS.*127.0.0.1:9"):
        lookup_loader.get("ackops.serverless.ack_aws_state").run(
            [], variables={}, resources=[mapping_cr("00000000-0000-0000-0000-000000000000")], region="us-east-1",
            endpoint_url="http://127.0.0.1:9")
