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
import time

import boto3
import pytest
from ackops_sandbox.config import REPO
from ackops_sandbox.playbook import run_playbook as run

TIMES_FILE = REPO / "tests" / "output" / "pipeline_times.json"

QUEUE, DLQ, TABLE = "sqs-queue-demo-ack", "sqs-queue-demo-ack-dlq", "customer"
FUNCTION, ROLE, REPOSITORY = "demo-sqs-dynamodb-func-ack", "demo-sqs-dynamodb-func-ack-role", "demo-sqs-dynamodb-func-ack"
ESM = FUNCTION + "-sqs"
ACK_KINDS = [
    ("sqs.services.k8s.aws", "queues"),
    ("dynamodb.services.k8s.aws", "tables"),
    ("lambda.services.k8s.aws", "functions"),
    ("lambda.services.k8s.aws", "eventsourcemappings"),
]
TIMES = {}


def run_playbook(name, playbook, *args, json_output=False, expect_failure=False):
    """Run a playbook from the repo root, record its wall time under name; fail on a non-zero exit
    (on a zero exit with expect_failure)."""
    result = run(playbook, *args, json_report=json_output)
    TIMES[name] = result.seconds
    TIMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    TIMES_FILE.write_text(json.dumps(TIMES, indent=2))
    print(f"\n{name}: {playbook} {' '.join(args)} -> rc {result.rc} in {result.seconds} s")
    if expect_failure:
        assert result.rc != 0, f"{playbook} should have failed:\n{result.tail(6000)}"
    else:
        assert result.rc == 0, f"{playbook} failed (rc {result.rc}):\n{result.tail(6000)}"
    return result


@pytest.fixture(scope="module")
def kube_custom(sandbox):
    """kind, name -> the pipeline's custom resource as the API server has it."""
    from kubernetes import client, config

    api = client.CustomObjectsApi(config.new_client_from_config(config_file=sandbox["KUBECONFIG"]))
    plural = {"Queue": ("sqs.services.k8s.aws", "queues"), "Table": ("dynamodb.services.k8s.aws", "tables"),
              "Function": ("lambda.services.k8s.aws", "functions")}
    return lambda kind, name: api.get_namespaced_custom_object(plural[kind][0], "v1alpha1", "default",
                                                               plural[kind][1], name)


@pytest.fixture(scope="module")
def aws(sandbox):
    return {svc: boto3.client(svc, endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name="us-east-1")
            for svc in ("sqs", "dynamodb", "lambda", "ecr", "iam", "logs")}


def test_site_converges_and_smoke_test_finds_the_items(sandbox, aws):
    first = run_playbook("first_converge", "site.yml")
    out = first.output
    assert first.failed == 0
    assert re.search(r"4 items found in customer after \d+ s: user1@foo.com, user2@foo.com, user3@foo.com, user4@foo.com", out)
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
    """A plain second site.yml, smoke test included: it verifies and reports changed=false."""
    again = run_playbook("idempotent_run", "site.yml")
    assert again.changed == 0, again.changed_tasks()


def test_check_mode_on_converged_reports_nothing(sandbox):
    check = run_playbook("check_run", "site.yml", "--check", "--diff")
    assert check.changed == 0, check.changed_tasks()
    assert "--- before" not in check.output


STRAY_TASK = ("Delete the mappings of the queue to the function that the EventSourceMapping does not own "
              "(each would consume the queue too)")


@pytest.fixture(scope="module")
def mapping_api(sandbox):
    """The EventSourceMapping custom resources of the default namespace, through the Kubernetes API."""
    from kubernetes import client, config

    api = client.CustomObjectsApi(config.new_client_from_config(config_file=sandbox["KUBECONFIG"]))
    where = ("lambda.services.k8s.aws", "v1alpha1", "default", "eventsourcemappings")
    return api, where


def _drop_mapping_resource_keeping_its_mapping(mapping_api, name):
    """Delete the EventSourceMapping with deletion-policy retain: its mapping stays in Lambda, owned by nothing.
    Returns the resource as it was (without its status), to create again."""
    api, where = mapping_api
    api.patch_namespaced_custom_object(*where, name, {"metadata": {"annotations": {
        "services.k8s.aws/deletion-policy": "retain"}}})
    old = api.get_namespaced_custom_object(*where, name)
    api.delete_namespaced_custom_object(*where, name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            api.get_namespaced_custom_object(*where, name)
        except Exception:  # 404: the controller let it go
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the EventSourceMapping was not removed within 60 s")
    return {"apiVersion": old["apiVersion"], "kind": old["kind"], "spec": old["spec"],
            "metadata": {k: old["metadata"][k] for k in ("name", "namespace", "labels", "annotations") if k in old["metadata"]}}


def test_a_mapping_the_event_source_mapping_does_not_own_is_deleted_before_it_blocks_the_controller(sandbox, aws, mapping_api):
    """Lambda refuses a second mapping of a queue to a function (the sandbox's moto too, like AWS), and ACK retries
    that forever. A mapping that no EventSourceMapping owns (made in the console as the tutorial does, left by an
    EventSourceMapping removed with deletion-policy retain, or by a create whose answer was lost) is deleted before
    the apply, both when the EventSourceMapping is still to be made and when the controller is already stuck
    on it (verify names the mapping); the pipeline ends with one mapping, the EventSourceMapping's own."""
    api, where = mapping_api

    def mappings():
        return [m["UUID"] for m in aws["lambda"].list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"]]

    def owned():
        return api.get_namespaced_custom_object(*where, ESM)["status"].get("uuid")

    # The EventSourceMapping to be made while a mapping of the queue to the function exists.
    (first,) = mappings()
    _drop_mapping_resource_keeping_its_mapping(mapping_api, ESM)
    assert mappings() == [first]
    made = run_playbook("stray_before_create", "playbooks/pipeline.yml", json_output=True)
    assert made.changed_tasks() == [STRAY_TASK, APPLY]
    (second,) = mappings()
    assert second != first and owned() == second

    # The controller already stuck: its create refused for a mapping it does not own.
    document = _drop_mapping_resource_keeping_its_mapping(mapping_api, ESM)
    api.create_namespaced_custom_object(*where[:3], where[3], document)
    deadline = time.monotonic() + 60
    refused = ""
    while time.monotonic() < deadline and "ResourceConflictException" not in refused:
        time.sleep(0.5)
        conditions = api.get_namespaced_custom_object(*where, ESM).get("status", {}).get("conditions") or []
        refused = " ".join(c.get("message") or "" for c in conditions if c["type"] == "ACK.Recoverable")
    assert "existing mapping with UUID " + second in refused, refused
    verify = run_playbook("verify_stray", "playbooks/verify.yml", expect_failure=True)
    assert verify.changed == 0 and "no custom resource owns: " + second in verify.output
    repaired = run_playbook("stray_blocking", "playbooks/pipeline.yml", json_output=True)
    assert STRAY_TASK in repaired.changed_tasks()
    (third,) = mappings()
    assert third not in (first, second) and owned() == third
    assert run_playbook("stray_converged", "playbooks/pipeline.yml").changed == 0


ROLE_TASK = "Ensure the function's execution role (trusted by Lambda for this account only)"
POLICY_TASK = "Ensure the role's inline policy (least privilege on the pipeline's own resources)"


ECR_TASK = "Ensure the ECR repository exists with its settings"
ECR_REPORT = "Report the ECR repository settings that would change"


def test_function_role_and_ecr_settings_changed_by_hand_are_reported_by_check_and_put_back(sandbox, aws):
    """The role reads the function role and the ECR repository first (the iam_roles and ecr_repositories
    lookups): converged, amazon.aws.iam_role, iam_policy and community.aws.ecs_ecr do not run. A trust policy,
    an inline policy and a scan-on-push setting changed by hand are counted as changes by --check, which
    changes nothing (ecs_ecr itself reports its change as skipped in check mode, which the recap does not
    count), and put back by the modules."""
    converged = run_playbook("function_role_converged", "playbooks/pipeline.yml", json_output=True)
    assert converged.changed_tasks() == []
    for task in (ROLE_TASK, POLICY_TASK, ECR_TASK, ECR_REPORT):
        assert converged.task_result(task).get("skipped"), task
    trust = aws["iam"].get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    policy = aws["iam"].get_role_policy(RoleName=ROLE, PolicyName="sqs-to-dynamodb")["PolicyDocument"]
    wide_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                          "Action": "sts:AssumeRole"}]}
    wide_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}
    aws["iam"].update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(wide_trust))
    aws["iam"].put_role_policy(RoleName=ROLE, PolicyName="sqs-to-dynamodb", PolicyDocument=json.dumps(wide_policy))
    aws["ecr"].put_image_scanning_configuration(repositoryName=REPOSITORY,
                                                imageScanningConfiguration={"scanOnPush": False})

    def scan_on_push():
        repository = aws["ecr"].describe_repositories(repositoryNames=[REPOSITORY])["repositories"][0]
        return repository["imageScanningConfiguration"]["scanOnPush"]

    check = run_playbook("function_role_check", "playbooks/pipeline.yml", "--check", json_output=True)
    assert check.changed_tasks() == [ECR_REPORT, ROLE_TASK, POLICY_TASK]
    assert check.changed == 3
    assert "would set the ECR repository %s to imageTagMutability MUTABLE and scanOnPush True (now MUTABLE and " \
           "False)" % REPOSITORY == check.task_result(ECR_REPORT)["msg"]
    assert aws["iam"].get_role_policy(RoleName=ROLE, PolicyName="sqs-to-dynamodb")["PolicyDocument"] == wide_policy
    assert scan_on_push() is False
    repair = run_playbook("function_role_repair", "playbooks/pipeline.yml", json_output=True)
    assert repair.changed_tasks() == [ECR_TASK, ROLE_TASK, POLICY_TASK]
    assert aws["iam"].get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == trust
    assert aws["iam"].get_role_policy(RoleName=ROLE, PolicyName="sqs-to-dynamodb")["PolicyDocument"] == policy
    assert scan_on_push() is True


APPLY = "Apply the queues, the table, the function and the event source mapping"
WAIT = "Wait until ACK has synced them (a spec change waits for its reconcile, a metadata change does not)"
SETTLE = "Wait until AWS has settled what ACK does not follow (function update, mapping state)"


def test_memory_change_touches_only_the_function_and_waits_for_it(sandbox, aws):
    current = aws["lambda"].get_function_configuration(FunctionName=FUNCTION)["MemorySize"]
    for memory in (512 if current == 384 else 384, 256):  # change, then back to the default
        result = run_playbook(f"memory_{memory}", "playbooks/pipeline.yml",
                              "-e", f"resources_function_memory_size={memory}", json_output=True)
        assert result.changed_tasks() == [APPLY]
        assert [r["result"]["kind"] for r in result.task_result(APPLY)["result"]["results"] if r["changed"]] == ["Function"]
        # The wait returned only once the controller had applied the change in AWS (moto) ...
        assert aws["lambda"].get_function_configuration(FunctionName=FUNCTION)["MemorySize"] == memory
        # ... on a ResourceSynced condition written after the change, not the stale one ...
        waited = [r for r in result.task_result(WAIT)["resources"] if r["kind"] == "Function"][0]
        marker = waited["change_marker"]["changed_at"]
        synced = [c for c in waited["conditions"] if c["type"] == "ACK.ResourceSynced"][0]
        assert synced["status"] == "True"
        assert synced["lastTransitionTime"] >= marker, (synced, marker)
        # ... and once Lambda had finished the update, which ACK's synced rule does not wait for.
        settled = [r for r in result.task_result(SETTLE)["resources"] if r["kind"] == "Function"][0]
        assert settled["state"] == "settled" and settled["aws"]["last_update_status"] == "Successful"
        assert settled["aws"]["memory_size"] == memory


def test_deletion_policy_change_is_metadata_only_and_returns_at_once(sandbox, kube_custom):
    """ACK does not reconcile an annotation change; the waits must not expect it to (they timed out
    on EKS). retain, back to delete, then an unchanged run: the pipeline job, which applies the resources."""
    before = kube_custom("Function", FUNCTION)["metadata"]["generation"]
    for name, policy in (("policy_retain", "retain"), ("policy_delete", "delete"), ("policy_unchanged", "delete")):
        result = run_playbook(name, "playbooks/pipeline.yml", "-e", f"resources_deletion_policy={policy}", json_output=True)
        function = kube_custom("Function", FUNCTION)
        assert function["metadata"]["annotations"]["services.k8s.aws/deletion-policy"] == policy
        assert function["metadata"]["generation"] == before
        wait = result.task_result(WAIT)
        if name == "policy_unchanged":
            assert result.changed_tasks() == []
            # Nothing to patch and ACK reported every resource synced: neither the apply nor the wait starts.
            assert result.task_result(APPLY).get("skipped") and wait.get("skipped"), (result.task_result(APPLY), wait)
        else:
            assert result.changed_tasks() == [APPLY]
            assert wait["elapsed"] < 30, wait["elapsed"]       # no wait for a reconcile that never comes
            assert all(r["change_marker"] is None for r in wait["resources"])


def test_changing_the_table_key_fails_before_anything_is_applied(sandbox, kube_custom):
    table = kube_custom("Table", TABLE)
    failed = run_playbook("table_key_change", "playbooks/pipeline.yml", "-e", "resources_table_hash_key=id",
                          expect_failure=True)
    assert 'resources_table_hash_key is "id"' in failed.output and 'exists with the hash key "email"' in failed.output
    assert "choose a new resources_table_name" in failed.output
    after = kube_custom("Table", TABLE)
    assert (after["metadata"]["generation"], after["spec"]) == (table["metadata"]["generation"], table["spec"])


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
    assert aws["logs"].describe_log_groups(logGroupNamePrefix="/aws/lambda/" + FUNCTION)["logGroups"] == []
    assert [r["RoleName"] for r in aws["iam"].list_roles()["Roles"] if "ack-" in r["RoleName"]] == []
    second = run_playbook("cleanup_again", "playbooks/cleanup.yml")
    assert second.changed == 0, second.changed_tasks()
