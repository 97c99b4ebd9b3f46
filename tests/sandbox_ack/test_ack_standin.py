# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The stand-in ACK controllers end to end in the sandbox: charts from the OCI registry, the
supervisor running one process per chart Deployment, reconciles against moto."""

import json
import os
import subprocess
import time
import urllib.request
import uuid

import boto3
import kubernetes
import pytest

NAMESPACE = "ack-system"
VERSIONS = {"sqs": "1.6.1", "dynamodb": "1.9.2", "lambda": "1.14.1"}
ACCOUNT = "123456789012"
SUPERVISOR = os.environ.get("ACKOPS_ACK_SUPERVISOR_URL", "http://127.0.0.1:18000")
TEST_NS = "ack-standin-test"
SUFFIX = uuid.uuid4().hex[:6]


def role_arn(service):
    return "arn:aws:iam::%s:role/ack-%s-controller-standin-test" % (ACCOUNT, service)


def helm(*args, check=True):
    result = subprocess.run(["helm"] + list(args), capture_output=True, text=True, check=False, timeout=300)
    if check and result.returncode != 0:
        pytest.fail("helm %s failed: %s" % (" ".join(args), result.stderr or result.stdout), pytrace=False)
    return result


def install(service, env, release=None, service_account=None):
    release = release or "ack-%s-controller" % service
    helm("upgrade", "--install", release,
         "oci://%s/aws-controllers-k8s/%s-chart" % (env["ACKOPS_REGISTRY"], service),
         "--version", VERSIONS[service], "--plain-http", "--namespace", NAMESPACE, "--create-namespace",
         "--set", "aws.region=us-east-1", "--set", "aws.endpoint_url=%s" % env["AWS_ENDPOINT_URL"],
         "--set", "aws.allow_unsafe_aws_endpoint_urls=true",
         "--set", "serviceAccount.name=%s" % (service_account or "ack-%s-controller" % service),
         "--set", "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=%s" % role_arn(service),
         "--wait", "--timeout", "120s")


def restart(apps, deployment):
    apps.patch_namespaced_deployment(deployment, NAMESPACE, {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ")}}}}})


def supervisor_status():
    with urllib.request.urlopen(SUPERVISOR + "/status", timeout=5) as response:
        return json.loads(response.read())


def wait_for(what, probe, timeout=60.0, interval=0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    pytest.fail("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last), pytrace=False)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def ack(sandbox):
    # The sandbox is shared: releases that another test or role installed are used as they are.
    listed = json.loads(helm("list", "--namespace", NAMESPACE, "--output", "json").stdout or "[]")
    existing = {r["name"] for r in listed}
    for service in VERSIONS:
        if "ack-%s-controller" % service not in existing:
            install(service, sandbox)
    kubernetes.config.load_kube_config(config_file=sandbox["KUBECONFIG"])
    core = kubernetes.client.CoreV1Api()
    try:
        core.create_namespace({"metadata": {"name": TEST_NS}})
    except kubernetes.client.ApiException as exc:
        assert exc.status == 409
    iam = boto3.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="standin-fn-%s" % SUFFIX, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    yield {"env": sandbox, "core": core, "apps": kubernetes.client.AppsV1Api(),
           "co": kubernetes.client.CustomObjectsApi(), "role": role}
    try:
        iam.delete_role(RoleName=role["RoleName"])
    except iam.exceptions.NoSuchEntityException:
        pass  # moto was reset meanwhile (the sandbox is shared)
    for service in VERSIONS:  # leave the sandbox as we found it
        if "ack-%s-controller" % service not in existing:
            helm("uninstall", "ack-%s-controller" % service, "--namespace", NAMESPACE, "--wait")


def cr(ack, service, plural, kind, name, spec):
    group = "%s.services.k8s.aws" % service
    return ack["co"].create_namespaced_custom_object(group, "v1alpha1", TEST_NS, plural, {
        "apiVersion": group + "/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec})


def get(ack, service, plural, name):
    try:
        return ack["co"].get_namespaced_custom_object("%s.services.k8s.aws" % service, "v1alpha1", TEST_NS, plural, name)
    except kubernetes.client.ApiException as exc:
        if exc.status == 404:
            return None
        raise


def condition(obj, ctype):
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if cond["type"] == ctype:
            return cond
    return None


def synced(ack, service, plural, name):
    obj = get(ack, service, plural, name)
    cond = condition(obj, "ACK.ResourceSynced")
    return obj if cond and cond["status"] == "True" else None


def test_charts_start_one_controller_per_deployment(ack):
    status = wait_for("three running controllers", lambda: (lambda s: s if all(
        svc in s["controllers"] and s["controllers"][svc]["alive"] for svc in VERSIONS) else None)(supervisor_status()))
    for service in VERSIONS:
        child = status["controllers"][service]
        assert pid_alive(child["pid"])
        sa = ack["core"].read_namespaced_service_account("ack-%s-controller" % service, NAMESPACE)
        annotation = (sa.metadata.annotations or {}).get("eks.amazonaws.com/role-arn")
        if child["role_arn"] != annotation:
            # As on EKS, an annotation changed after the pod started applies after a rollout restart.
            restart(ack["apps"], "ack-%s-controller-%s-chart" % (service, service))
            child = wait_for("%s restarted with the annotated role" % service, lambda s=service, a=annotation: (
                lambda c: c if c and c["alive"] and c["role_arn"] == a else None)(supervisor_status()["controllers"].get(s)))
        assert annotation and child["role_arn"] == annotation  # ServiceAccount annotation -> AWS_ROLE_ARN
        assert child["health_port"] == int(SUPERVISOR.rsplit(":", 1)[1]) + {"sqs": 1, "dynamodb": 2, "lambda": 3}[service]
        pod = ack["core"].read_namespaced_pod(child["pod"], NAMESPACE)
        assert child["pod_template_hash"] == pod.metadata.labels["pod-template-hash"]
        assert "--deletion-policy" in child["argv"] and "delete" in child["argv"]
        assert ack["env"]["AWS_ENDPOINT_URL"] in child["argv"]  # $(AWS_ENDPOINT_URL) expanded like the kubelet does
        wait_for("Deployment of %s available" % service, lambda s=service: ack["apps"].read_namespaced_deployment(
            "ack-%s-controller-%s-chart" % (s, s), NAMESPACE).status.available_replicas == 1)  # computed by KCM from the pod
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % child["health_port"], timeout=5) as response:
            assert response.status == 200


def test_resources_sync_update_and_delete(ack):
    queue, table, fn = "standin-q-" + SUFFIX, "standin-customer-" + SUFFIX, "standin-fn-" + SUFFIX
    cr(ack, "sqs", "queues", "Queue", "q", {"queueName": queue, "visibilityTimeout": "45"})
    cr(ack, "dynamodb", "tables", "Table", "customer", {
        "tableName": table, "billingMode": "PAY_PER_REQUEST",
        "attributeDefinitions": [{"attributeName": "email", "attributeType": "S"}],
        "keySchema": [{"attributeName": "email", "keyType": "HASH"}]})
    cr(ack, "lambda", "functions", "Function", "fn", {
        "name": fn, "packageType": "Image", "code": {"imageURI": "%s/ackops/standin-fn:test" % ack["env"]["ACKOPS_REGISTRY"]},
        "role": ack["role"]["Arn"], "memorySize": 128, "timeout": 30,
        "environment": {"variables": {"TABLE_NAME": table}}})
    cr(ack, "lambda", "eventsourcemappings", "EventSourceMapping", "esm", {
        "eventSourceARN": "arn:aws:sqs:us-east-1:%s:%s" % (ACCOUNT, queue),
        "functionRef": {"from": {"name": "fn"}}, "batchSize": 10, "enabled": True})

    q = wait_for("Queue synced", lambda: synced(ack, "sqs", "queues", "q"))
    assert q["status"]["queueARN"] == "arn:aws:sqs:us-east-1:%s:%s" % (ACCOUNT, queue)
    assert q["status"]["ackResourceMetadata"] == {"arn": q["status"]["queueARN"], "ownerAccountID": ACCOUNT,
                                                  "region": "us-east-1"}
    assert "finalizers.sqs.services.k8s.aws/Queue" in q["metadata"]["finalizers"]
    t = wait_for("Table synced", lambda: synced(ack, "dynamodb", "tables", "customer"))
    assert t["status"]["tableStatus"] == "ACTIVE"
    f = wait_for("Function synced", lambda: synced(ack, "lambda", "functions", "fn"))
    assert f["status"]["state"] == "Active"
    e = wait_for("EventSourceMapping synced", lambda: synced(ack, "lambda", "eventsourcemappings", "esm"))
    assert condition(e, "ACK.ReferencesResolved")["status"] == "True"
    assert condition(e, "Ready")["status"] == "True"

    sqs, ddb, lam = boto3.client("sqs"), boto3.client("dynamodb"), boto3.client("lambda")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]["VisibilityTimeout"] == "45"
    assert ddb.describe_table(TableName=table)["Table"]["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
    mapping = lam.get_event_source_mapping(UUID=e["status"]["uuid"])
    assert mapping["FunctionArn"].endswith(":function:" + fn) and mapping["BatchSize"] == 10

    # spec update -> UpdateFunctionConfiguration
    ack["co"].patch_namespaced_custom_object("lambda.services.k8s.aws", "v1alpha1", TEST_NS, "functions", "fn",
                                             {"spec": {"memorySize": 512}})
    wait_for("memorySize 512 in moto", lambda: lam.get_function(FunctionName=fn)["Configuration"]["MemorySize"] == 512)
    wait_for("Function synced after the update", lambda: synced(ack, "lambda", "functions", "fn"))

    # deletion removes the AWS resources, then the finalizer
    for service, plural, name in (("lambda", "eventsourcemappings", "esm"), ("lambda", "functions", "fn"),
                                  ("dynamodb", "tables", "customer"), ("sqs", "queues", "q")):
        ack["co"].delete_namespaced_custom_object("%s.services.k8s.aws" % service, "v1alpha1", TEST_NS, plural, name)
    for service, plural, name in (("lambda", "eventsourcemappings", "esm"), ("lambda", "functions", "fn"),
                                  ("dynamodb", "tables", "customer"), ("sqs", "queues", "q")):
        wait_for("%s %s gone" % (plural, name), lambda s=service, p=plural, n=name: get(ack, s, p, n) is None)
    assert table not in ddb.list_tables()["TableNames"]
    assert fn not in [x["FunctionName"] for x in lam.list_functions()["Functions"]]
    assert e["status"]["uuid"] not in [m["UUID"] for m in lam.list_event_source_mappings()["EventSourceMappings"]]
    assert not [u for u in sqs.list_queues().get("QueueUrls", []) if u.endswith("/" + queue)]


def test_undefined_key_attribute_is_terminal(ack):
    cr(ack, "dynamodb", "tables", "Table", "bad", {
        "tableName": "standin-bad-" + SUFFIX, "billingMode": "PAY_PER_REQUEST",
        "attributeDefinitions": [{"attributeName": "name", "attributeType": "S"}],
        "keySchema": [{"attributeName": "email", "keyType": "HASH"}]})
    try:
        obj = wait_for("ACK.Terminal", lambda: (lambda o: o if condition(o, "ACK.Terminal") else None)(
            get(ack, "dynamodb", "tables", "bad")))
        terminal = condition(obj, "ACK.Terminal")
        assert terminal["status"] == "True"
        assert "ValidationException" in terminal["message"] and "not defined in AttributeDefinitions" in terminal["message"]
        assert condition(obj, "ACK.ResourceSynced")["status"] == "False"
    finally:
        ack["co"].delete_namespaced_custom_object("dynamodb.services.k8s.aws", "v1alpha1", TEST_NS, "tables", "bad")
        wait_for("bad Table gone", lambda: get(ack, "dynamodb", "tables", "bad") is None)


def test_rollout_restart_starts_a_new_process(ack):
    before = wait_for("a dynamodb controller", lambda: supervisor_status()["controllers"].get("dynamodb"))
    restart(ack["apps"], "ack-dynamodb-controller-dynamodb-chart")
    after = wait_for("a new dynamodb controller process", lambda: (lambda c: c if c and c["alive"] and c["pid"] != before["pid"]
                                                                   else None)(supervisor_status()["controllers"].get("dynamodb")))
    assert after["pod_template_hash"] != before["pod_template_hash"]
    wait_for("old process gone", lambda: not pid_alive(before["pid"]), timeout=20)
    wait_for("deployment available again", lambda: (lambda d: d.status.updated_replicas == 1 and d.status.available_replicas == 1
                                                    and not d.status.unavailable_replicas)(
        ack["apps"].read_namespaced_deployment("ack-dynamodb-controller-dynamodb-chart", NAMESPACE)), timeout=60)


def test_uninstall_stops_the_controller(ack):
    """A second sqs release takes over the sqs process (newest pod); uninstalling it stops that process.
    The project's own release ack-sqs-controller, when installed, gets its process back."""
    release = "ack-sqs-standin-test"
    install("sqs", ack["env"], release=release, service_account=release)
    try:
        mine = wait_for("the test release's sqs process", lambda: (lambda c: c if c and c["alive"] and c["pod"].startswith(
            release + "-sqs-chart-") else None)(supervisor_status()["controllers"].get("sqs")))
        assert mine["role_arn"] == role_arn("sqs")
    finally:
        helm("uninstall", release, "--namespace", NAMESPACE)
    started = time.monotonic()
    wait_for("the test release's process stopped", lambda: not pid_alive(mine["pid"]), timeout=20)
    stopped_after = time.monotonic() - started
    assert stopped_after < 20
    current = supervisor_status()["controllers"].get("sqs")
    assert current is None or not current["pod"].startswith(release)
    wait_for("sqs controller of ack-sqs-controller back", lambda: (
        lambda c: c and c["alive"] and c["pod"].startswith("ack-sqs-controller-sqs-chart-"))(
        supervisor_status()["controllers"].get("sqs")))


def test_region_annotation_and_retain_policy(ack):
    name = "standin-west-" + SUFFIX
    group = "sqs.services.k8s.aws"
    ack["co"].create_namespaced_custom_object(group, "v1alpha1", TEST_NS, "queues", {
        "apiVersion": group + "/v1alpha1", "kind": "Queue",
        "metadata": {"name": "west", "annotations": {"services.k8s.aws/region": "us-west-2",
                                                     "services.k8s.aws/deletion-policy": "retain"}},
        "spec": {"queueName": name, "redrivePolicy": "", "delaySeconds": "2"}})
    west = boto3.client("sqs", region_name="us-west-2")
    try:
        obj = wait_for("Queue in us-west-2 synced", lambda: synced(ack, "sqs", "queues", "west"))
        assert obj["status"]["ackResourceMetadata"]["region"] == "us-west-2"
        assert obj["status"]["queueARN"] == "arn:aws:sqs:us-west-2:%s:%s" % (ACCOUNT, name)
        ack["co"].delete_namespaced_custom_object(group, "v1alpha1", TEST_NS, "queues", "west")
        wait_for("Queue CR gone", lambda: get(ack, "sqs", "queues", "west") is None)
        url = west.get_queue_url(QueueName=name)["QueueUrl"]  # retained: still in moto
        assert west.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"]["DelaySeconds"] == "2"
    finally:
        for u in west.list_queues(QueueNamePrefix=name).get("QueueUrls", []):
            west.delete_queue(QueueUrl=u)
