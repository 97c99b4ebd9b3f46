# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox's ACK controllers behave as the real ones do on the real runtime: what syncs,
what is terminal or recoverable, what triggers a reconcile, late initialization, deletion
policy, adoption, unresolvable references. Each test uses its own AWS names."""

import json
import os
import time

import boto3
import kubernetes
import pytest

from ack_helpers import ACCOUNT, SUFFIX, TEST_NS, condition, wait_for

from ackops_sandbox.ack_harness import Playbook, wait_task

LATE_INITIALIZED = "ACK.LateInitialized"


def table_spec(name, key="email", attribute="email"):
    return {"tableName": name, "billingMode": "PAY_PER_REQUEST",
            "attributeDefinitions": [{"attributeName": attribute, "attributeType": "S"}],
            "keySchema": [{"attributeName": key, "keyType": "HASH"}]}


def function_spec(ack, name, role):
    return {"name": name, "packageType": "Image", "role": role, "memorySize": 128, "timeout": 30,
            "code": {"imageURI": "%s/ackops/test-fn:test" % ack["env"]["ACKOPS_REGISTRY"]}}


def queue_attribute(url, attribute, region=None):
    sqs = boto3.client("sqs", region_name=region) if region else boto3.client("sqs")
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[attribute])["Attributes"].get(attribute)


def test_the_four_kinds_sync_and_delete(ack):
    crs = ack["crs"]
    queue, table, fn = "ack-q-" + SUFFIX, "ack-customer-" + SUFFIX, "ack-fn-" + SUFFIX
    crs.create("Queue", "q", {"queueName": queue, "visibilityTimeout": "45"})
    crs.create("Table", "customer", table_spec(table))
    crs.create("Function", "fn", dict(function_spec(ack, fn, ack["role"]["Arn"]),
                                      environment={"variables": {"TABLE_NAME": table}}))
    crs.create("EventSourceMapping", "esm", {"eventSourceARN": "arn:aws:sqs:us-east-1:%s:%s" % (ACCOUNT, queue),
                                             "functionRef": {"from": {"name": "fn"}}, "batchSize": 10, "enabled": True})
    q = crs.wait_synced("Queue", "q")
    assert "queueARN" not in q["status"]  # never set by the real controller: the ARN is ackResourceMetadata.arn
    assert q["status"]["ackResourceMetadata"] == {"arn": "arn:aws:sqs:us-east-1:%s:%s" % (ACCOUNT, queue),
                                                  "ownerAccountID": ACCOUNT, "region": "us-east-1", "partition": "aws"}
    assert "finalizers.sqs.services.k8s.aws/Queue" in q["metadata"]["finalizers"]
    t = crs.wait_synced("Table", "customer")
    assert t["status"]["tableStatus"] == "ACTIVE"
    f = crs.wait_synced("Function", "fn")
    assert f["status"]["state"] == "Active"
    for late in (q, wait_for("Function fn late-initialized", lambda: (
            lambda o: o if condition(o, LATE_INITIALIZED) else None)(crs.get("Function", "fn")))):
        assert condition(late, LATE_INITIALIZED)["status"] == "True"
        assert late["metadata"]["generation"] == 2  # defaulted fields written back into the spec
    e = crs.wait_synced("EventSourceMapping", "esm")
    assert condition(e, "ACK.ReferencesResolved")["status"] == "True"
    assert condition(e, "Ready")["status"] == "True"

    ddb, lam = boto3.client("dynamodb"), boto3.client("lambda")
    assert queue_attribute(q["status"]["queueURL"], "VisibilityTimeout") == "45"
    assert ddb.describe_table(TableName=table)["Table"]["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
    mapping = lam.get_event_source_mapping(UUID=e["status"]["uuid"])
    assert mapping["FunctionArn"].endswith(":function:" + fn) and mapping["BatchSize"] == 10
    # the controller's resource tags (chart value resourceTags) are on the AWS resource, not in the spec
    tags = boto3.client("sqs").list_queue_tags(QueueUrl=q["status"]["queueURL"]).get("Tags", {})
    assert tags == {"services.k8s.aws/controller-version": "sqs-v1.6.1", "services.k8s.aws/namespace": TEST_NS}
    assert not q["spec"].get("tags")

    for kind, name in (("EventSourceMapping", "esm"), ("Function", "fn"), ("Table", "customer"), ("Queue", "q")):
        crs.delete_and_wait(kind, name)
    assert table not in ddb.list_tables()["TableNames"]
    assert fn not in [x["FunctionName"] for x in lam.list_functions()["Functions"]]
    assert e["status"]["uuid"] not in [m["UUID"] for m in lam.list_event_source_mappings()["EventSourceMappings"]]


def test_undefined_key_attribute_is_terminal(ack):
    crs = ack["crs"]
    crs.create("Table", "bad", table_spec("ack-bad-" + SUFFIX, key="email", attribute="name"))
    try:
        obj = crs.wait_condition("Table", "bad", "ACK.Terminal", "True")
        assert "ValidationException" in condition(obj, "ACK.Terminal")["message"]
        synced = condition(obj, "ACK.ResourceSynced")
        assert synced["status"] == "False" and synced["message"] == "Resource not synced"
        assert condition(obj, "Ready")["status"] == "False"
    finally:
        crs.delete_and_wait("Table", "bad")


def test_a_role_lambda_cannot_assume_is_recoverable_and_retried(ack):
    """lambda-controller declares no terminal errors: the error stays ACK.Recoverable, is retried
    with back-off, and heals once the role exists."""
    crs, iam = ack["crs"], boto3.client("iam")
    role_name = "ack-late-role-" + SUFFIX
    role = "arn:aws:iam::%s:role/%s" % (ACCOUNT, role_name)
    crs.create("Function", "norole", function_spec(ack, "ack-norole-" + SUFFIX, role))
    try:
        obj = crs.wait_condition("Function", "norole", "ACK.Recoverable", "True")
        assert "InvalidParameterValueException" in condition(obj, "ACK.Recoverable")["message"]
        assert condition(obj, "ACK.ResourceSynced")["status"] == "Unknown"
        assert condition(obj, "ACK.Terminal") is None
        time.sleep(3)
        again = crs.get("Function", "norole")
        assert condition(again, "ACK.Recoverable")["status"] == "True" and condition(again, "ACK.Terminal") is None
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                         "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))
        crs.wait_synced("Function", "norole", timeout=90)
    finally:
        crs.delete_and_wait("Function", "norole")
        try:
            iam.delete_role(RoleName=role_name)
        except iam.exceptions.NoSuchEntityException:
            pass


def test_metadata_changes_do_not_reconcile_spec_changes_do(ack):
    crs = ack["crs"]
    crs.create("Queue", "meta", {"queueName": "ack-meta-" + SUFFIX, "visibilityTimeout": "30"})
    try:
        before = wait_for("late-initialized and synced Queue", lambda: (
            lambda o: o if o and o["metadata"]["generation"] == 2 and crs.synced("Queue", "meta") else None)(
            crs.get("Queue", "meta")))
        time.sleep(1.2)  # conditions carry second-resolution timestamps: a reconcile now would show
        crs.patch("Queue", "meta", {"metadata": {"labels": {"team": "a"}, "annotations": {
            "services.k8s.aws/deletion-policy": "retain", "note": "x"}}})
        time.sleep(3)
        after = crs.get("Queue", "meta")
        assert after["metadata"]["generation"] == before["metadata"]["generation"]
        assert after["status"]["conditions"] == before["status"]["conditions"]

        crs.patch("Queue", "meta", {"metadata": {"annotations": {"services.k8s.aws/deletion-policy": "delete"}},
                                    "spec": {"visibilityTimeout": "90"}})
        wait_for("VisibilityTimeout 90 in moto",
                 lambda: queue_attribute(after["status"]["queueURL"], "VisibilityTimeout") == "90")
        # moto has the new value before the controller writes the reconcile's conditions: a read in between still
        # shows the old ResourceSynced=True, so wait for one written after the change (none would fail the test).
        old_stamp = condition(before, "ACK.ResourceSynced")["lastTransitionTime"]

        def resynced():
            obj = crs.get("Queue", "meta")
            synced = condition(obj, "ACK.ResourceSynced") if obj else None
            return obj if synced and synced["status"] == "True" and synced["lastTransitionTime"] > old_stamp else None

        changed = wait_for("ResourceSynced=True written after the spec change", resynced)
        assert changed["metadata"]["generation"] == before["metadata"]["generation"] + 1
    finally:
        crs.delete_and_wait("Queue", "meta")


def test_late_initialization_bumps_the_generation_and_ack_wait_returns(ack):
    crs = ack["crs"]
    name = "ack-late-" + SUFFIX
    queue = {"apiVersion": "sqs.services.k8s.aws/v1alpha1", "kind": "Queue",
             "metadata": {"name": "late", "namespace": TEST_NS}, "spec": {"queueName": name}}
    env = dict(os.environ)
    env.update(ack["env"])
    tasks = [{"name": "apply", "kubernetes.core.k8s": {"state": "present", "apply": True, "definition": queue},
              "register": "applied"},
             wait_task({"api_version": "sqs.services.k8s.aws/v1alpha1", "kind": "Queue", "name": "late",
                        "namespace": TEST_NS, "since": "{{ applied }}", "timeout": 60})]
    try:
        run = Playbook(env, tasks).run()
        assert run.rc == 0, run.out + run.err
        obj = crs.get("Queue", "late")
        assert obj["metadata"]["generation"] == 2  # the controller wrote the defaulted attributes into spec
        assert obj["spec"]["visibilityTimeout"] == "30" and obj["spec"]["delaySeconds"] == "0"
        assert condition(obj, LATE_INITIALIZED)["status"] == "True"
        assert run.task("wait")["result"]["resources"][0]["done"] is True
    finally:
        crs.delete_and_wait("Queue", "late")


def test_retain_keeps_the_aws_resource_in_the_annotated_region(ack):
    crs = ack["crs"]
    name = "ack-west-" + SUFFIX
    west = boto3.client("sqs", region_name="us-west-2")
    crs.create("Queue", "west", {"queueName": name, "delaySeconds": "2"},
               annotations={"services.k8s.aws/region": "us-west-2", "services.k8s.aws/deletion-policy": "retain"})
    try:
        obj = crs.wait_synced("Queue", "west")
        assert obj["status"]["ackResourceMetadata"]["region"] == "us-west-2"
        assert obj["status"]["ackResourceMetadata"]["arn"] == "arn:aws:sqs:us-west-2:%s:%s" % (ACCOUNT, name)
        crs.delete_and_wait("Queue", "west")
        url = west.get_queue_url(QueueName=name)["QueueUrl"]  # retained: still in moto
        assert queue_attribute(url, "DelaySeconds", region="us-west-2") == "2"
    finally:
        for url in west.list_queues(QueueNamePrefix=name).get("QueueUrls", []):
            west.delete_queue(QueueUrl=url)


def test_adoption_annotations_adopt_an_existing_queue(ack):
    crs, sqs = ack["crs"], boto3.client("sqs")
    name = "ack-adopt-" + SUFFIX
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "77"})["QueueUrl"]
    crs.create("Queue", "adopted", {"queueName": name}, annotations={
        "services.k8s.aws/adoption-policy": "adopt", "services.k8s.aws/adoption-fields": json.dumps({"queueURL": url}),
        "services.k8s.aws/deletion-policy": "retain"})
    try:
        obj = crs.wait_synced("Queue", "adopted")
        assert obj["metadata"]["annotations"]["services.k8s.aws/adopted"] == "true"
        assert obj["spec"]["visibilityTimeout"] == "77"  # read from AWS into the spec
        assert obj["status"]["queueURL"] == url
        crs.delete_and_wait("Queue", "adopted")
        assert queue_attribute(url, "VisibilityTimeout") == "77"
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_an_unresolvable_reference_only_reports_references_unresolved(ack):
    crs = ack["crs"]
    crs.create("EventSourceMapping", "orphan", {"eventSourceARN": "arn:aws:sqs:us-east-1:%s:none" % ACCOUNT,
                                                "functionRef": {"from": {"name": "no-such-function"}}})
    try:
        obj = crs.wait_condition("EventSourceMapping", "orphan", "ACK.ReferencesResolved", "Unknown")
        assert [c["type"] for c in obj["status"]["conditions"]] == ["ACK.ReferencesResolved"]
        assert condition(obj, "ACK.ReferencesResolved")["message"] == "Reference resolution failed"
    finally:
        crs.delete_and_wait("EventSourceMapping", "orphan")


def test_the_table_key_is_immutable_its_name_is_not(ack):
    """The real Table CRD's CEL rules: keySchema and localSecondaryIndexes cannot change;
    tableName, and a Function's name, are not immutable in the real CRDs."""
    crs = ack["crs"]
    crs.create("Table", "keys", table_spec("ack-keys-" + SUFFIX))
    try:
        crs.wait_synced("Table", "keys")
        with pytest.raises(kubernetes.client.ApiException) as refused:
            crs.patch("Table", "keys", {"spec": {"keySchema": [{"attributeName": "id", "keyType": "HASH"}]}})
        assert refused.value.status == 422 and "Value is immutable once set" in refused.value.body
        crs.patch("Table", "keys", {"spec": {"tableName": "ack-keys-renamed-" + SUFFIX}})  # accepted by the API server
    finally:
        crs.delete_and_wait("Table", "keys")
        ddb = boto3.client("dynamodb")
        for name in ("ack-keys-" + SUFFIX, "ack-keys-renamed-" + SUFFIX):  # a renamed Table is another table
            if name in ddb.list_tables()["TableNames"]:
                ddb.delete_table(TableName=name)
