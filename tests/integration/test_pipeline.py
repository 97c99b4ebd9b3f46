# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""End to end on the sandbox: site.yml from nothing, idempotence, check mode, a one-variable change
(function memory) and playbooks/cleanup.yml, in that order (the tests of this module share the
pipeline they build, so they run in file order and each depends on the previous one).

Wall times of every run are printed (pytest -s shows them) and written to
tests/output/pipeline_times.json.
"""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / ".venv" / "bin" / "ansible-playbook"
TIMES_FILE = REPO / "tests" / "output" / "pipeline_times.json"

QUEUE, DLQ, TABLE = "sqs-queue-demo-ack", "sqs-queue-demo-ack-dlq", "customer"
FUNCTION, ROLE, REPOSITORY = "demo-sqs-dynamodb-func-ack", "demo-sqs-dynamodb-func-ack-role", "demo-sqs-dynamodb-func-ack"
ACK_KINDS = [
    ("sqs.services.k8s.aws", "queues"),
    ("dynamodb.services.k8s.aws", "tables"),
    ("lambda.services.k8s.aws", "functions"),
    ("lambda.services.k8s.aws", "eventsourcemappings"),
]
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
TIMES = {}


def run_playbook(name, playbook, *args, json_output=False):
    """Run a playbook from the repo root; return (recap dict, output, seconds)."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    if json_output:
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    started = time.monotonic()
    proc = subprocess.run([str(PLAYBOOK), playbook, *args], cwd=REPO, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800, check=False)
    seconds = round(time.monotonic() - started, 1)
    TIMES[name] = seconds
    TIMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    TIMES_FILE.write_text(json.dumps(TIMES, indent=2))
    print(f"\n{name}: {playbook} {' '.join(args)} -> rc {proc.returncode} in {seconds} s")
    assert proc.returncode == 0, f"{playbook} failed (rc {proc.returncode}):\n{proc.stdout[-6000:]}"
    if json_output:
        return json.loads(proc.stdout[proc.stdout.index("{"):]), proc.stdout, seconds
    ok, changed, unreachable, failed = (int(x) for x in RECAP.findall(proc.stdout)[-1])
    return {"ok": ok, "changed": changed, "failed": failed}, proc.stdout, seconds


def changed_tasks(report):
    """Names of the tasks that reported changed in an ansible.posix.json report."""
    names = []
    for play in report["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get("localhost", {})
            if result.get("changed"):
                names.append(task["task"]["name"].split(" : ")[-1])
    return names


def task_result(report, name):
    for play in report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"].split(" : ")[-1] == name:
                return task["hosts"]["localhost"]
    raise AssertionError(f"task {name!r} not in the report")


@pytest.fixture(scope="module")
def aws(sandbox):
    return {svc: boto3.client(svc, endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name="us-east-1")
            for svc in ("sqs", "dynamodb", "lambda", "ecr", "iam")}


def test_site_converges_and_smoke_test_finds_the_items(sandbox, aws):
    recap, out, _ = run_playbook("first_converge", "site.yml")
    assert recap["failed"] == 0
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
    recap, out, _ = run_playbook("idempotent_run", "site.yml")
    assert recap["changed"] == 0, out[-4000:]
    assert "4 items found in customer" in out


def test_check_mode_on_converged_reports_nothing(sandbox):
    recap, out, _ = run_playbook("check_run", "site.yml", "--check", "--diff")
    assert recap["changed"] == 0
    assert "--- before" not in out


def test_memory_change_touches_only_the_function_and_waits_for_it(sandbox, aws):
    current = aws["lambda"].get_function_configuration(FunctionName=FUNCTION)["MemorySize"]
    for memory in (512 if current == 384 else 384, 256):  # change, then back to the default
        report, _, _ = run_playbook(f"memory_{memory}", "playbooks/pipeline.yml",
                                    "-e", f"resources_function_memory_size={memory}", json_output=True)
        assert changed_tasks(report) == ["Apply the function"]
        # The wait returned only once the controller had applied the change in AWS (moto) ...
        assert aws["lambda"].get_function_configuration(FunctionName=FUNCTION)["MemorySize"] == memory
        # ... and on a ResourceSynced condition written after the change, not the stale one.
        waited = task_result(report, "Wait until the function is synced")["resources"][0]
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
    second, _, _ = run_playbook("cleanup_again", "playbooks/cleanup.yml")
    assert second["changed"] == 0
