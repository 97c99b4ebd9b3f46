# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The ackops.serverless.k8s_access lookup (what the rbac role's check runs) against the sandbox's API server:
it answers exactly what the k8s_access_info module answers, allowed and denied, and names a server it cannot
reach."""

import json
import pathlib

import yaml
from ackops_sandbox.playbook import ansible_env, run_playbook

PLAYBOOK = "tests/integration/playbooks/k8s_access.yml"
CHECKS = 2 + 2 + 2  # CRDs get/patch; functions and functions/status get; the release Secret get/delete


def _both(*args):
    run = run_playbook(PLAYBOOK, *args, json_report=True)
    assert run.rc == 0, run.tail()
    shown = run.report["plays"][0]["tasks"][-1]["hosts"]["localhost"]["msg"]
    return shown["module"], shown["lookup"]


def test_admin_may_do_everything_and_both_say_so(sandbox):
    module, lookup = _both()
    assert lookup == module
    assert lookup["checked"] == CHECKS and lookup["denied"] == [] and lookup["denied_summary"] == []
    assert "get functions.lambda.services.k8s.aws/status in namespace default" in lookup["allowed"]
    assert "delete secrets sh.helm.release.v1.ack-sqs-controller.v1 in namespace ack-system" in lookup["allowed"]
    assert lookup["user"]["username"]


def test_a_user_without_roles_is_denied_everything_and_both_name_it_alike(sandbox):
    module, lookup = _both("-e", "k8s_access_as=ackops-test-nobody")
    assert lookup == module
    assert lookup["user"]["username"] == "ackops-test-nobody"
    assert lookup["allowed"] == [] and len(lookup["denied"]) == CHECKS
    # A rule without a namespace of its own is checked in the one given (ack-system).
    assert lookup["denied_summary"][0] == "customresourcedefinitions.apiextensions.k8s.io in namespace ack-system: get, patch"
    assert {"verb": "get", "group": "lambda.services.k8s.aws", "resource": "functions", "subresource": "status",
            "namespace": "default"}.items() <= lookup["denied"][3].items(), json.dumps(lookup["denied"][3])


def test_an_unreachable_server_is_named(sandbox, tmp_path):
    kubeconfig = yaml.safe_load(pathlib.Path(sandbox["KUBECONFIG"]).read_text(encoding="utf-8"))
    for cluster in kubeconfig["clusters"]:
        cluster["cluster"]["server"] = "https://127.0.0.1:1"  # a closed port on loopback
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(kubeconfig), encoding="utf-8")
    run = run_playbook(PLAYBOOK, "--tags", "lookup", env=ansible_env(KUBECONFIG=str(tmp_path / "kubeconfig")))
    assert run.rc != 0
    assert "Cannot reach the Kubernetes API server to review access" in run.output, run.tail()
    assert "127.0.0.1" in run.output and "KUBECONFIG" in run.output, run.tail()
