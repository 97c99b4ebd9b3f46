# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""End to end on the sandbox: site.yml with its smoke test, idempotence, check mode, a one-variable change
(function memory) and playbooks/cleanup.yml twice, in that order (the tests of this module share the
pipeline they build, so they run in file order and each depends on the previous one). site.yml starts from
whatever the sandbox holds: in `make test` that is the pipeline the molecule scenario's converge built from
nothing, and these tests are the rest of that scenario's lifecycle (idempotence, cleanup, destroy).

Wall times of every run are printed (pytest -s shows them) and written to
tests/output/pipeline_times.json.
"""

import json
import os
import re

import boto3
import pytest
from ackops_sandbox.config import REPO
from ackops_sandbox.playbook import run_playbook as run

TIMES_FILE = REPO / "tests" / "output" / "pipeline_times.json"

QUEUE, DLQ, TABLE = "sqs-queue-demo-ack", "sqs-queue-demo-ack-dlq", "customer"
FUNCTION, ROLE, REPOSITORY = "demo-sqs-dynamodb-func-ack", "demo-sqs-dynamodb-func-ack-role", "demo-sqs-dynamodb-func-ack"
ACK_KINDS = [
    ("sqs.services.k8s.aws", "queues"),
    ("dynamodb.services.k8s.aws", "tables"),
    ("lambda.services.k8s.aws", "functions"),
    ("lambda.services.k8s.aws", "eventsourcemappings"),
]
TIMES = {}


def run_playbook(name, playbook, *args, json_output=False):
    """Run a playbook from the repo root, record its wall time under name; fail on a non-zero exit."""
    result = run(playbook, *args, json_report=json_output)
    TIMES[name] = result.seconds
    TIMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    TIMES_FILE.write_text(json.dumps(TIMES, indent=2))
    print(f"\n{name}: {playbook} {' '.join(args)} -> rc {result.rc} in {result.seconds} s")
    assert result.rc == 0, f"{playbook} failed (rc {result.rc}):\n{result.tail(6000)}"
    return result


@pytest.fixture(scope="module")
def aws(sandbox):
    return {svc: boto3.client(svc, endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name="us-east-1")
            for svc in ("sqs", "dynamodb", "lambda", "ecr", "iam")}


def test_site_converges_and_smoke_test_finds_the_items(sandbox, aws):
    first = run_playbook("first_converge", "site.yml")
    out = first.output
    assert first.failed == 0
    assert "4 items found in customer: user1@foo.com, user2@foo.com, user3@foo.com, user4@foo.com" in out
    config = aws["lambda"].get_function_configuration(FunctionName=FUNCTION)
    assert config["Environment"]["Variables"]["TABLE_NAME"] == TABLE
    assert config["Role"].endswith(":role/" + ROLE)
    image = aws["lambda"].get_function(FunctionName=FUNCTION)["Code"]["ImageUri"]
    assert re.fullmatch(r"%s/%s@sha256:[0-9a-f]{64}" % (re.escape(os.environ["ACKOPS_REGISTRY"]), REPOSITORY), image), image
    mappings = aws["lambda"].list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"]
    assert [m["EventSourceArn"].rsplit(":", 1)[1] for m in mappings] == [QUEUE]
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    redrive = json.loads(aws["sqs"].get_queue_attributes(
        QueueUrl=aws["sqs"].get_queue_url(QueueName=QUEUE)["QueueUrl"], AttributeNames=["RedrivePolicy"])
        ["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(":" + DLQ)


def test_execution_role_is_least_privilege(sandbox, aws):
    trust = aws["iam"].get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]
    policy = aws["iam"].get_role_policy(RoleName=ROLE, PolicyName="sqs-to-dynamodb")["PolicyDocument"]
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["WriteItems"]["Action"] == ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
    assert by_sid["WriteItems"]["Resource"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/customer"]
    assert by_sid["ConsumeQueue"]["Resource"] == ["arn:aws:sqs:us-east-1:123456789012:" + QUEUE]
    assert sorted(by_sid["ConsumeQueue"]["Action"]) == [
        "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    for statement in policy["Statement"]:
        assert not any("*" in action for action in statement["Action"])
        assert "*" not in statement["Resource"]
    assert aws["iam"].list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []


def test_second_run_changes_nothing(sandbox):
    again = run_playbook("idempotent_run", "site.yml", "-e", "site_smoke_test=false")
    assert again.changed == 0, again.changed_tasks()


def test_check_mode_on_converged_reports_nothing(sandbox):
    check = run_playbook("check_run", "site.yml", "--check", "--diff")
    assert check.changed == 0, check.changed_tasks()
    assert "--- before" not in check.output


def test_memory_change_touches_only_the_function_and_waits_for_it(sandbox, aws):
    current = aws["lambda"].get_function_configuration(FunctionName=FUNCTION)["MemorySize"]
    for memory in (512 if current == 384 else 384, 256):  # change, then back to the default
        result = run_playbook(f"memory_{memory}", "playbooks/pipeline.yml",
                              "-e", f"resources_function_memory_size={memory}", json_output=True)
        assert result.changed_tasks() == ["Apply the function"]
        # The wait returned only once the controller had applied the change in AWS (moto) ...
        assert aws["lambda"].get_function_configuration(FunctionName=FUNCTION)["MemorySize"] == memory
        # ... and on a ResourceSynced condition written after the change, not the stale one.
        waited = result.task_result("Wait until the function is synced")["resources"][0]
        marker = waited["change_marker"]["changed_at"]
        synced = [c for c in waited["conditions"] if c["type"] == "ACK.ResourceSynced"][0]
        assert synced["status"] == "True"
        assert synced["lastTransitionTime"] >= marker, (synced, marker)


def test_cleanup_removes_everything(sandbox, aws):
    from kubernetes import client, config

    run_playbook("cleanup", "playbooks/cleanup.yml")
    config.load_kube_config(config_file=sandbox["KUBECONFIG"])
    custom = client.CustomObjectsApi()
    served = {(g.name) for g in client.ApisApi().get_api_versions().groups}
    for group, plural in ACK_KINDS:
        if group in served:
            try:
                items = custom.list_cluster_custom_object(group, "v1alpha1", plural)["items"]
            except client.exceptions.ApiException as err:
                assert err.status == 404
                items = []
            assert [i["metadata"]["name"] for i in items] == [], (group, plural)
    releases = client.CoreV1Api().list_namespaced_secret("ack-system", label_selector="owner=helm").items
    assert [s.metadata.name for s in releases] == []
    assert QUEUE not in " ".join(aws["sqs"].list_queues().get("QueueUrls", []))
    assert TABLE not in aws["dynamodb"].list_tables()["TableNames"]
    assert FUNCTION not in [f["FunctionName"] for f in aws["lambda"].list_functions()["Functions"]]
    assert aws["lambda"].list_event_source_mappings()["EventSourceMappings"] == []
    assert REPOSITORY not in [r["repositoryName"] for r in aws["ecr"].describe_repositories()["repositories"]]
    assert ROLE not in [r["RoleName"] for r in aws["iam"].list_roles()["Roles"]]
    assert [r["RoleName"] for r in aws["iam"].list_roles()["Roles"] if "ack-" in r["RoleName"]] == []
    second = run_playbook("cleanup_again", "playbooks/cleanup.yml")
    assert second.changed == 0, second.changed_tasks()
