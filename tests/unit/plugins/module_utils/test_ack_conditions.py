# Unit tests of the pure condition logic of ack_wait over recorded ACK resource documents.
from __future__ import annotations

import copy
import json
import os

import pytest

from ansible_collections.ackops.serverless.plugins.module_utils import ack_conditions as conds

with open(os.path.join(os.path.dirname(__file__), "fixtures", "ack_documents.json")) as handle:
    DOCS = json.load(handle)


def doc(name):
    return copy.deepcopy(DOCS[name])


def test_parse_time_handles_zulu_offsets_fractions_and_garbage():
    assert conds.parse_time("2026-11-25T16:10:04Z") == 1795623004
    assert conds.parse_time("2026-11-25T16:10:04.987654Z") == 1795623004
    assert conds.parse_time("2026-11-25T17:10:04+01:00") == 1795623004
    assert conds.parse_time("2026-11-25T15:40:04-0030") == 1795623004
    assert conds.parse_time("yesterday") is None
    assert conds.parse_time(None) is None


def test_spec_change_time_ignores_status_writes():
    queue = doc("queue_stale_after_update")
    assert conds.format_time(conds.spec_change_time(queue)) == "2026-11-25T16:20:31Z"
    queue["metadata"].pop("managedFields")
    assert conds.format_time(conds.spec_change_time(queue)) == "2026-11-25T16:10:02Z"


def test_synced_queue_is_done_and_entry_has_what_users_need():
    queue = doc("queue_synced")
    verdict = conds.evaluate(queue, "synced")
    assert verdict["outcome"] == "done"
    item = conds.entry(queue)
    assert item["arn"] == "arn:aws:sqs:us-east-1:123456789012:sqs-queue-demo-ack"
    assert item["queue_url"] == "http://127.0.0.1:15001/123456789012/sqs-queue-demo-ack"
    assert item["queue_arn"].endswith(":sqs-queue-demo-ack")
    assert item["namespace"] == "pipeline" and item["kind"] == "Queue"
    assert item["status"] is queue["status"]
    assert [c["type"] for c in item["conditions"]] == ["ACK.ResourceSynced", "Ready"]


def test_terminal_fails_with_the_condition_message():
    verdict = conds.evaluate(doc("table_terminal"), "synced")
    assert verdict["outcome"] == "failed"
    assert "ACK.Terminal=True" in verdict["reason"]
    assert "Some index key attributes are not defined" in verdict["reason"]


def fixed_table_marker():
    """The marker of the k8s task that fixed the table (generation 1 -> 2)."""
    fixed = doc("table_terminal_then_fixed")
    before = doc("table_terminal")
    before["metadata"]["name"] = fixed["metadata"]["name"]
    before["metadata"]["generation"] = 1
    markers = conds.markers_from_since({"changed": True, "result": fixed}, before=[before])
    return markers[conds.resource_key(fixed)]


def test_terminal_older_than_the_fix_is_ignored():
    fixed = doc("table_terminal_then_fixed")
    verdict = conds.evaluate(fixed, "synced", fixed_table_marker())
    assert verdict["outcome"] == "pending"
    # ResourceSynced=False is still the current (stale) state: reported, not treated as terminal
    assert "ACK.ResourceSynced=False" in verdict["reason"]


def test_recoverable_is_pending_with_its_message():
    verdict = conds.evaluate(doc("function_recoverable"), "synced")
    assert verdict["outcome"] == "pending"
    assert "ACK.ResourceSynced=Unknown" in verdict["reason"]
    assert "ACK.Recoverable=True (InvalidParameterValueException: The role defined" in verdict["reason"]


def test_unresolved_references_are_reported():
    verdict = conds.evaluate(doc("esm_references_unresolved"), "synced")
    assert verdict["outcome"] == "pending"
    assert 'ACK.ReferencesResolved=Unknown (function.lambda.services.k8s.aws "sqs-to-dynamodb" not found)' in verdict["reason"]


def _queue_before(generation):
    before = doc("queue_synced")
    before["metadata"]["generation"] = generation
    return {"resources": [before], "changed": False}


def test_old_synced_true_does_not_count_after_a_spec_change():
    task = doc("k8s_task_result_update")             # generation 2 after the task
    markers = conds.markers_from_since(task, before=_queue_before(1))
    key = conds.resource_key(task["result"])
    verdict = conds.evaluate(doc("queue_stale_after_update"), "synced", markers[key])
    assert verdict["outcome"] == "pending"
    assert "stale" in verdict["reason"] and "2026-11-25T16:20:31Z" in verdict["reason"]


def test_a_metadata_only_change_leaves_the_conditions_valid():
    # The task changed an annotation: changed=True, generation still 2. ACK will not reconcile.
    task = doc("k8s_task_result_update")
    assert conds.markers_from_since(task, before=_queue_before(2)) == {}
    assert conds.evaluate(doc("queue_stale_after_update"), "synced")["outcome"] == "done"


def test_the_generation_move_is_read_from_a_diff_mode_result():
    task = doc("k8s_task_result_update")
    task["diff"] = {"before": {"metadata": {"annotations": {"services.k8s.aws/deletion-policy": "delete"}}},
                    "after": {"metadata": {"annotations": {"services.k8s.aws/deletion-policy": "retain"}}}}
    assert conds.markers_from_since(task) == {}
    task["diff"] = {"before": {"metadata": {"generation": 1}, "spec": {"visibilityTimeout": "30"}},
                    "after": {"metadata": {"generation": 2}, "spec": {"visibilityTimeout": "60"}}}
    assert len(conds.markers_from_since(task)) == 1


def test_a_change_of_unknown_generation_is_taken_as_a_spec_change():
    assert len(conds.markers_from_since(doc("k8s_task_result_update"))) == 1


def test_a_resource_missing_from_before_was_created():
    task = doc("k8s_task_result_update")
    assert len(conds.markers_from_since(task, before={"resources": []})) == 1


def test_before_accepts_looped_k8s_info_and_ack_wait_results():
    task = doc("k8s_task_result_update")
    looped = {"results": [_queue_before(2), {"resources": []}]}
    assert conds.markers_from_since(task, before=looped) == {}
    waited = {"resources": [{"api_version": "sqs.services.k8s.aws/v1alpha1", "kind": "Queue",
                             "namespace": "pipeline", "name": "sqs-queue-demo-ack", "generation": 2}]}
    assert conds.markers_from_since(task, before=waited) == {}


def test_since_result_marks_same_second_conditions_present_at_the_change_as_stale():
    task_result = doc("k8s_task_result_update")
    markers = conds.markers_from_since(task_result)
    key = ("sqs.services.k8s.aws/v1alpha1", "Queue", "pipeline", "sqs-queue-demo-ack")
    assert set(markers) == {key}
    # the condition present at the change, stamped in the change's very second, is stale
    at_change = doc("queue_stale_after_update")
    for cond in at_change["status"]["conditions"]:
        cond["lastTransitionTime"] = "2026-11-25T16:20:31Z"
    task_result["result"] = copy.deepcopy(at_change)
    markers = conds.markers_from_since(task_result)
    assert conds.evaluate(at_change, "synced", markers[key])["outcome"] == "pending"
    # the controller's re-sync in the same second differs from the snapshot: it counts
    resynced = doc("queue_resynced_same_second")
    resynced["status"]["conditions"][0]["message"] = "Resource synced successfully (again)"
    assert conds.evaluate(resynced, "synced", markers[key])["outcome"] == "done"


def test_same_second_resync_counts_without_since():
    resynced = doc("queue_resynced_same_second")
    assert conds.evaluate(resynced, "synced")["outcome"] == "done"


def test_unchanged_since_gives_no_marker_and_loops_are_understood():
    task = doc("k8s_task_result_update")
    unchanged = dict(task, changed=False)
    assert conds.markers_from_since(unchanged) == {}
    looped = {"results": [task, unchanged], "changed": True}
    assert len(conds.markers_from_since(looped)) == 1
    assert conds.markers_from_since(None) == {}
    assert conds.markers_from_since("garbage") == {}


def test_one_k8s_call_with_several_definitions_is_understood():
    # kubernetes.core.k8s given a list of definitions returns {changed, result: {results: [...]}}
    task = doc("k8s_task_result_update")
    unchanged = dict(task, changed=False)
    several = {"changed": True, "result": {"results": [unchanged, task]}}
    assert len(conds.markers_from_since(several)) == 1
    assert conds.markers_from_since({"changed": False, "result": {"results": [unchanged]}}) == {}


def test_newer_generation_than_since_is_detected_again():
    marker = conds.marker_from_since(doc("queue_synced"))  # generation 1
    stale = doc("queue_stale_after_update")                # generation 2
    assert conds.evaluate(stale, "synced", marker)["outcome"] == "pending"


def test_missing_synced_condition_is_pending():
    queue = doc("queue_synced")
    queue["status"] = {}
    verdict = conds.evaluate(queue, "synced")
    assert verdict["outcome"] == "pending" and "no ACK.ResourceSynced condition" in verdict["reason"]


def test_ready_false_blocks_even_when_synced_true():
    queue = doc("queue_synced")
    queue["status"]["conditions"][1]["status"] = "False"
    assert conds.evaluate(queue, "synced")["outcome"] == "pending"
    queue["status"]["conditions"].pop(1)  # controllers before runtime v0.53 publish no Ready
    assert conds.evaluate(queue, "synced")["outcome"] == "done"


@pytest.mark.parametrize("name,expected", [
    ("queue_synced", "pending"),
    ("queue_deleting", "pending"),
])
def test_absent_waits_while_the_object_exists(name, expected):
    verdict = conds.evaluate(doc(name), "absent")
    assert verdict["outcome"] == expected


def test_absent_messages_and_gone():
    assert "not being deleted" in conds.evaluate(doc("queue_synced"), "absent")["reason"]
    deleting = conds.evaluate(doc("queue_deleting"), "absent")["reason"]
    assert "finalizers.sqs.services.k8s.aws/Queue" in deleting
    assert conds.evaluate(None, "absent")["outcome"] == "done"
    assert conds.evaluate(None, "synced")["outcome"] == "pending"


def test_entry_of_a_missing_resource():
    item = conds.entry(None, ("v1alpha1", "Queue", "ns", "q"))
    assert item["exists"] is False and item["name"] == "q" and item["arn"] is None


def test_undated_terminal_takes_the_time_of_its_status_write():
    # generated controllers set ACK.Terminal without lastTransitionTime
    table = doc("table_terminal")
    assert "lastTransitionTime" not in conds.find_condition(table, "ACK.Terminal")
    assert conds.status_time(table) == conds.parse_time("2026-11-25T16:30:01Z")
    # stale (the status predates the fix) ...
    marker = fixed_table_marker()
    assert conds.evaluate(doc("table_terminal_then_fixed"), "synced", marker)["outcome"] == "pending"
    # ... and fresh again once a reconcile after the fix writes the same error
    again = doc("table_terminal_then_fixed")
    for cond in again["status"]["conditions"]:
        if "lastTransitionTime" in cond:
            cond["lastTransitionTime"] = "2026-11-25T16:31:11Z"
    assert conds.evaluate(again, "synced", marker)["outcome"] == "failed"


def test_since_baseline_with_undated_terminal_same_error_after_fix_attempt():
    before = doc("table_terminal_then_fixed")   # as returned by the k8s task that changed the spec
    marker = conds.markers_from_since({"changed": True, "result": before})[
        ("dynamodb.services.k8s.aws/v1alpha1", "Table", "pipeline", "bad-table")]
    assert conds.evaluate(copy.deepcopy(before), "synced", marker)["outcome"] == "pending"
    after = copy.deepcopy(before)
    for cond in after["status"]["conditions"]:
        if "lastTransitionTime" in cond:
            cond["lastTransitionTime"] = "2026-11-25T16:31:10Z"   # same second as the change
    verdict = conds.evaluate(after, "synced", marker)
    assert verdict["outcome"] == "failed" and "Some index key attributes" in verdict["reason"]


def test_queue_arn_comes_from_ack_resource_metadata():
    queue = doc("queue_synced")
    del queue["status"]["queueARN"]                  # the real sqs-controller never sets it
    assert conds.entry(queue)["queue_arn"] == "arn:aws:sqs:us-east-1:123456789012:sqs-queue-demo-ack"


def test_same_error_ignores_request_ids():
    one = ("operation error Lambda: CreateFunction, https response error StatusCode: 400, RequestID: "
           "0f6f3b1f-5d11-4d4e-9a43-6a1f0c8e2b1d, InvalidParameterValueException: bad role")
    other = one.replace("0f6f3b1f-5d11", "99999999-5d11")
    assert conds.same_error(one) == conds.same_error(other)
    assert conds.same_error(one) != conds.same_error(one.replace("bad role", "no image"))


def test_a_current_recoverable_error_is_handed_to_the_caller():
    verdict = conds.evaluate(doc("function_recoverable"), "synced")
    assert verdict["recoverable"].startswith("InvalidParameterValueException: The role defined")


CONFLICT = ('operation error Lambda: CreateEventSourceMapping, https response error StatusCode: 409, RequestID: '
            '0c1f, ResourceConflictException: An event source mapping with SQS arn (" arn:aws:sqs:us-east-1:123456789012:q '
            '") and function (" fn ") already exists. Please update or delete the existing mapping with UUID '
            '6d9bce8e-836b-461a-b1ac-5b8b6b0d3a2f')


def mapping_refused(message=CONFLICT, kind="EventSourceMapping"):
    """An EventSourceMapping whose create Lambda refuses (the function_recoverable document, with its message)."""
    mapping = doc("function_recoverable")
    mapping["kind"] = kind
    for condition in mapping["status"]["conditions"]:
        if condition["type"] in ("ACK.Recoverable", "Ready"):
            condition["message"] = message
    return mapping


def test_a_mapping_refused_for_another_mapping_of_the_pair_fails_at_once_naming_it():
    verdict = conds.evaluate(mapping_refused(), "synced")
    assert verdict["outcome"] == "failed"
    assert verdict["conflicting_mapping"] == "6d9bce8e-836b-461a-b1ac-5b8b6b0d3a2f"
    assert "mapping 6d9bce8e-836b-461a-b1ac-5b8b6b0d3a2f already connects the queue" in verdict["reason"]
    assert "Delete that mapping" in verdict["reason"]


def test_other_conflicts_and_other_kinds_stay_recoverable():
    for refused in (mapping_refused("ResourceConflictException: The operation cannot be performed at this time."),
                    mapping_refused(kind="Function")):
        verdict = conds.evaluate(refused, "synced")
        assert verdict["outcome"] == "pending" and "conflicting_mapping" not in verdict
    assert conds.mapping_conflict(mapping_refused(), {"type": "ACK.Recoverable", "status": "False",
                                                      "message": CONFLICT}) is None
