# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What the sandbox ACK tests share: chart installs, custom resources by kind, waiting."""

import json
import os
import subprocess
import urllib.request
import uuid

import kubernetes
import pytest

from sbx_helpers import eventually

NAMESPACE = "ack-system"
VERSIONS = {"sqs": "1.6.1", "dynamodb": "1.9.2", "lambda": "1.14.1"}
ACCOUNT = "123456789012"
TEST_NS = "ack-controller-test"
SUFFIX = uuid.uuid4().hex[:6]
KINDS = {  # kind -> (service, plural)
    "Queue": ("sqs", "queues"),
    "Table": ("dynamodb", "tables"),
    "Function": ("lambda", "functions"),
    "EventSourceMapping": ("lambda", "eventsourcemappings"),
}
SYNCED = "ACK.ResourceSynced"


def supervisor_url():
    return os.environ.get("ACKOPS_ACK_SUPERVISOR_URL", "http://127.0.0.1:18000")


def role_arn(service):
    return "arn:aws:iam::%s:role/ack-%s-controller-test" % (ACCOUNT, service)


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


def installed_releases():
    return {r["name"] for r in json.loads(helm("list", "--namespace", NAMESPACE, "--output", "json").stdout or "[]")}


def supervisor_status():
    with urllib.request.urlopen(supervisor_url() + "/status", timeout=5) as response:
        return json.loads(response.read())


def wait_for(what, probe, timeout=60.0, interval=0.2):
    return eventually(probe, timeout=timeout, interval=interval, what=what)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Resources:
    """The test namespace's ACK custom resources, addressed by kind and name."""

    def __init__(self, api, namespace=TEST_NS):
        self.api = api
        self.namespace = namespace

    @staticmethod
    def _where(kind):
        service, plural = KINDS[kind]
        return "%s.services.k8s.aws" % service, "v1alpha1", plural

    def create(self, kind, name, spec, annotations=None):
        group, version, plural = self._where(kind)
        meta = {"name": name, "annotations": annotations or {}}
        return self.api.create_namespaced_custom_object(group, version, self.namespace, plural, {
            "apiVersion": "%s/%s" % (group, version), "kind": kind, "metadata": meta, "spec": spec})

    def get(self, kind, name):
        group, version, plural = self._where(kind)
        try:
            return self.api.get_namespaced_custom_object(group, version, self.namespace, plural, name)
        except kubernetes.client.ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def patch(self, kind, name, body):
        group, version, plural = self._where(kind)
        return self.api.patch_namespaced_custom_object(group, version, self.namespace, plural, name, body)

    def delete(self, kind, name):
        group, version, plural = self._where(kind)
        try:
            self.api.delete_namespaced_custom_object(group, version, self.namespace, plural, name)
        except kubernetes.client.ApiException as exc:
            if exc.status != 404:
                raise

    def synced(self, kind, name):
        obj = self.get(kind, name)
        cond = condition(obj, SYNCED)
        return obj if cond and cond["status"] == "True" else None

    def wait_synced(self, kind, name, timeout=60):
        return wait_for("%s %s synced" % (kind, name), lambda: self.synced(kind, name), timeout)

    def wait_condition(self, kind, name, ctype, status, timeout=60):
        def probe():
            obj = self.get(kind, name)
            cond = condition(obj, ctype)
            return obj if cond and cond["status"] == status else None
        return wait_for("%s %s %s=%s" % (kind, name, ctype, status), probe, timeout)

    def delete_and_wait(self, kind, name, timeout=60):
        self.delete(kind, name)
        wait_for("%s %s gone" % (kind, name), lambda: self.get(kind, name) is None, timeout)


def condition(obj, ctype):
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if cond["type"] == ctype:
            return cond
    return None
