# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 1b, a mapping that appears in the middle of a run: Lambda refuses a second mapping between a queue and a
function (ResourceConflictException, naming the one that exists; the sandbox's moto too, like AWS), and ACK
retries that forever. The resources role deletes such a mapping before the apply when it finds one; this case
makes one appear after that look, as a create call whose answer was lost and which the SDK retried leaves one:
ack_wait must fail at once on the refusal, naming the mapping, and the role must delete it, make ACK retry and
converge in the same run, with exactly one mapping, the EventSourceMapping's own."""

import time

from rel_helpers import (ESM, FUNCTION, NAMESPACE, QUEUE, assert_exactly_one_of_each, record, run_playbook)

APPLY = "Apply the queues, the table, the function and the event source mapping"
UNBLOCK = "Delete the mapping Lambda refused the EventSourceMapping's own for, and wait again"


def _mappings(aws):
    return [m["UUID"] for m in aws["lambda"].list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"]]


def test_a_mapping_made_during_the_run_is_named_deleted_and_the_run_converges(converged, kube, aws):
    group, version, plural = "lambda.services.k8s.aws", "v1alpha1", "eventsourcemappings"
    # The EventSourceMapping gone from the cluster (retain: its mapping stays) and then its mapping from Lambda:
    # the next run makes both again, and finds no other mapping before its apply.
    kube.custom.patch_namespaced_custom_object(group, version, NAMESPACE, plural, ESM, {"metadata": {"annotations": {
        "services.k8s.aws/deletion-policy": "retain"}}})
    kube.custom.delete_namespaced_custom_object(group, version, NAMESPACE, plural, ESM)
    deadline = time.monotonic() + 60
    while kube.get("EventSourceMapping", ESM) is not None:
        assert time.monotonic() < deadline, "the EventSourceMapping was not removed within 60 s"
        time.sleep(0.5)
    for mapping in _mappings(aws):
        aws["lambda"].delete_event_source_mapping(UUID=mapping)
    queue_arn = aws["sqs"].get_queue_attributes(QueueUrl=aws["sqs"].get_queue_url(QueueName=QUEUE)["QueueUrl"],
                                                AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    stray = []

    def make_a_mapping_before_the_apply(task):
        if task.startswith(APPLY) and not stray:
            stray.append(aws["lambda"].create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=FUNCTION)["UUID"])

    run = run_playbook("playbooks/pipeline.yml", on_task=make_a_mapping_before_the_apply)
    assert stray, "the apply task never started:\n" + run.tail()
    assert run.rc == 0, run.tail()
    assert UNBLOCK in [name for name, _at in run.task_starts], run.tail()
    (own,) = _mappings(aws)
    assert own != stray[0] and kube.get("EventSourceMapping", ESM)["status"]["uuid"] == own
    assert_exactly_one_of_each(aws, kube)
    record("mapping_race", "converged_in_one_run", True)
    record("mapping_race", "run_seconds", run.seconds)
