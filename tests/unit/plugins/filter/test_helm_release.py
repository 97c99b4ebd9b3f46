from __future__ import annotations

import base64
import gzip
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ackops.serverless.plugins.filter.helm_release import FilterModule, helm_release

RELEASE = {
    "name": "ack-sqs-controller", "namespace": "ack-system", "version": 3,
    "info": {"status": "deployed"},
    "chart": {"metadata": {"name": "sqs-chart", "version": "1.6.1", "appVersion": "1.6.1"},
              "templates": [{"name": "templates/deployment.yaml", "data": "a2luZDogRGVwbG95bWVudA=="}]},
    "config": {"aws": {"region": "us-east-1"}, "serviceAccount": {"create": True, "name": "ack-sqs-controller"}},
    "manifest": "---\nkind: Deployment\n",
}


def secret(payload: bytes, name="sh.helm.release.v1.ack-sqs-controller.v3"):
    """A Secret as the Kubernetes API returns it: Helm's base64, then the API's base64 of the data."""
    return {"metadata": {"name": name, "labels": {"owner": "helm", "status": "deployed"}},
            "data": {"release": base64.b64encode(base64.b64encode(payload)).decode()}}


def test_reads_a_gzipped_record_like_helm_writes_it():
    record = helm_release(secret(gzip.compress(json.dumps(RELEASE).encode())))
    assert record == {"name": "ack-sqs-controller", "namespace": "ack-system", "revision": 3, "status": "deployed",
                      "chart": "sqs-chart", "version": "1.6.1", "app_version": "1.6.1",
                      "config": RELEASE["config"]}


def test_reads_an_uncompressed_record_and_defaults_what_is_missing():
    minimal = {"name": "r", "chart": {"metadata": {"name": "c", "version": "0.1.0"}}}
    record = helm_release(secret(json.dumps(minimal).encode()))
    assert record["config"] == {} and record["app_version"] == "" and record["status"] == ""


@pytest.mark.parametrize("bad, message", [
    ({"metadata": {"name": "x"}, "data": {}}, "Secret x has no 'release' key"),
    (secret(b"\x1f\x8b\x08 not really gzip"), "does not hold a readable Helm release record"),
    (secret(b"{not json"), "does not hold a readable Helm release record"),
    (secret(b"[1, 2]"), "no release name"),
    ({"metadata": {"name": "x"}, "data": {"release": "%%%"}}, "does not hold a readable Helm release record"),
    ("a string", "expects a Secret"),
])
def test_anything_else_is_a_clear_error(bad, message):
    with pytest.raises(AnsibleFilterError, match=message):
        helm_release(bad)


def test_is_registered_under_its_name():
    assert FilterModule().filters()["helm_release"] is helm_release
