#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Time from creating an ACK resource to ACK.ResourceSynced=True, and from deleting it to gone, per kind.

Runs against the sandbox (make sandbox-up) with the sandbox's ACK controllers (Go, on the real ACK
runtime), installed here from the local OCI registry if no release of ours is there yet (left
installed afterwards). Also prints the controller binary's recorded build time and the resident
memory of the controllers and of the whole sandbox. Each round
creates a Queue, a Table, a Function (package type Image; the image is not run) and a disabled
EventSourceMapping, waits on each through the watch API, then deletes them and waits until the
controllers removed their finalizers. Prints figures, asserts nothing. Usage:
    .venv/bin/python benchmarks/ack_sync_bench.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time

import boto3
from ackops_sandbox.pki import parse_env_file
from kubernetes import client, config, watch

NAMESPACE = "ackops-bench"
ACK_NAMESPACE = "ack-system"
CHARTS = {"sqs": "1.6.1", "dynamodb": "1.9.2", "lambda": "1.14.1"}
KINDS = {  # kind: (group, plural)
    "Queue": ("sqs.services.k8s.aws", "queues"),
    "Table": ("dynamodb.services.k8s.aws", "tables"),
    "Function": ("lambda.services.k8s.aws", "functions"),
    "EventSourceMapping": ("lambda.services.k8s.aws", "eventsourcemappings"),
}


def ensure_controllers(apps):
    """Install the sandbox's charts the way the controllers role would, unless a release is there."""
    for service, version in CHARTS.items():
        selector = "app.kubernetes.io/name=%s-chart" % service
        if _namespace_exists() and apps.list_namespaced_deployment(ACK_NAMESPACE, label_selector=selector).items:
            continue
        subprocess.run(
            ["helm", "upgrade", "--install", "ack-%s-controller" % service,
             "oci://%s/aws-controllers-k8s/%s-chart" % (os.environ["ACKOPS_REGISTRY"], service),
             "--version", version, "--plain-http", "--namespace", ACK_NAMESPACE, "--create-namespace",
             "--set", "aws.region=%s" % os.environ["AWS_REGION"],
             "--set", "aws.endpoint_url=%s" % os.environ["AWS_ENDPOINT_URL"],
             "--set", "aws.allow_unsafe_aws_endpoint_urls=true", "--wait", "--timeout", "180s"],
            check=True, capture_output=True, text=True)


def _namespace_exists(name=ACK_NAMESPACE):
    return any(ns.metadata.name == name for ns in client.CoreV1Api().list_namespace().items)


def manifests(index, role_arn, queue_arn):
    suffix = "bench-%d" % index
    return [
        ("Queue", {"queueName": "q-" + suffix}),
        ("Table", {"tableName": "t-" + suffix, "billingMode": "PAY_PER_REQUEST",
                   "attributeDefinitions": [{"attributeName": "email", "attributeType": "S"}],
                   "keySchema": [{"attributeName": "email", "keyType": "HASH"}]}),
        ("Function", {"name": "f-" + suffix, "packageType": "Image", "role": role_arn,
                      "code": {"imageURI": "%s/bench@sha256:%s" % (os.environ["ACKOPS_REGISTRY"], "0" * 64)}}),
        ("EventSourceMapping", {"eventSourceARN": queue_arn(suffix), "functionRef": {"from": {"name": "f-" + suffix}},
                                "batchSize": 10, "enabled": False}),
    ]


def synced(obj):
    return any(c.get("type") == "ACK.ResourceSynced" and c.get("status") == "True"
               for c in (obj.get("status") or {}).get("conditions") or [])


def wait_for(api, kind, name, predicate, timeout=120):
    """Watch one object until predicate(obj or None) holds; return the seconds it took."""
    group, plural = KINDS[kind]
    start = time.monotonic()
    current = None
    try:
        current = api.get_namespaced_custom_object(group, "v1alpha1", NAMESPACE, plural, name)
    except client.ApiException as err:
        if err.status != 404:
            raise
    if predicate(current):
        return time.monotonic() - start
    version = (current or {}).get("metadata", {}).get("resourceVersion")
    stream = watch.Watch()
    for event in stream.stream(api.list_namespaced_custom_object, group, "v1alpha1", NAMESPACE, plural,
                               field_selector="metadata.name=" + name, resource_version=version,
                               timeout_seconds=timeout):
        obj = None if event["type"] == "DELETED" else event["object"]
        if predicate(obj):
            stream.stop()
            return time.monotonic() - start
    raise TimeoutError("%s/%s did not get there within %ss" % (kind, name, timeout))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(parse_env_file())
    config.load_kube_config(os.environ["KUBECONFIG"])
    api = client.CustomObjectsApi()
    ensure_controllers(client.AppsV1Api())
    if not _namespace_exists(NAMESPACE):
        client.CoreV1Api().create_namespace({"metadata": {"name": NAMESPACE}})

    iam = boto3.client("iam")
    account = boto3.client("sts").get_caller_identity()["Account"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                      "Action": "sts:AssumeRole"}]}
    try:
        role_arn = iam.create_role(RoleName="ackops-bench", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role_arn = iam.get_role(RoleName="ackops-bench")["Role"]["Arn"]

    def queue_arn(suffix):
        return "arn:aws:sqs:%s:%s:q-%s" % (os.environ["AWS_REGION"], account, suffix)

    to_synced = {kind: [] for kind in KINDS}
    to_gone = {kind: [] for kind in KINDS}
    for index in range(args.rounds):
        created = []
        for kind, spec in manifests(index, role_arn, queue_arn):
            group, plural = KINDS[kind]
            name = spec.get("queueName") or spec.get("tableName") or spec.get("name") or "esm-bench-%d" % index
            body = {"apiVersion": group + "/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec}
            api.create_namespaced_custom_object(group, "v1alpha1", NAMESPACE, plural, body)
            to_synced[kind].append(wait_for(api, kind, name, lambda obj: obj is not None and synced(obj)))
            created.append((kind, name))
        for kind, name in reversed(created):
            group, plural = KINDS[kind]
            api.delete_namespaced_custom_object(group, "v1alpha1", NAMESPACE, plural, name)
            to_gone[kind].append(wait_for(api, kind, name, lambda obj: obj is None))
    iam.delete_role(RoleName="ackops-bench")

    print("ACK resources on the sandbox (ack-controller on the real ACK runtime, moto), %d rounds" % args.rounds)
    print("%-20s %12s %12s %12s %12s" % ("kind", "synced p50", "synced max", "gone p50", "gone max"))
    for kind in KINDS:
        print("%-20s %11.2fs %11.2fs %11.2fs %11.2fs" % (
            kind, statistics.median(to_synced[kind]), max(to_synced[kind]),
            statistics.median(to_gone[kind]), max(to_gone[kind])))


    print_build_and_memory()


def print_build_and_memory():
    """The controller binary's recorded build time, and resident memory (sum of RSS)."""
    from ackops_sandbox import components, proc  # pylint: disable=import-outside-toplevel
    from ackops_sandbox import config as sandbox_config  # pylint: disable=import-outside-toplevel

    version = sandbox_config.BINARY_VERSIONS["ack-controller"]
    seconds = sandbox_config.CACHE / "logs" / ("build-ack-controller-%s.seconds" % version)
    print("ack-controller %s: built in %s (recorded by sandbox/build.sh; cold only in an empty cache)" % (
        version, "%s s" % seconds.read_text().split()[0] if seconds.exists() else "(not recorded)"))
    supervisor = components.named("ack-supervisor")
    supervisor_pid = proc.read_pid(supervisor.name, supervisor.signature())
    controllers = [pid for pid in (proc.process_group(supervisor_pid) if supervisor_pid else [])
                   if (proc.cmdline(pid) or [""])[0].rsplit("/", 1)[-1].startswith("ack-controller-")]
    total = sum(proc.rss_bytes(proc.process_group(pid)) for pid in
                (proc.read_pid(c.name, c.signature()) for c in components.COMPONENTS) if pid is not None)
    print("resident memory: ACK controllers %.0f MiB (%d processes), whole sandbox %.0f MiB (goal <= 1536 MiB)" % (
        proc.rss_bytes(controllers) / 2**20, len(controllers), total / 2**20))


if __name__ == "__main__":
    main()
