# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Every play in a ```yaml block of a role's README runs as written against the sandbox.

A role stands alone: its example sets the role's own variables and nothing else, like a user's playbook
outside this repository (no playbooks/vars/ackops.yml, no play-level module_defaults). What tells an
example that it talks to the sandbox is only what tells any program that: the sandbox's environment
(.sandbox/env: AWS_ENDPOINT_URL, KUBECONFIG, ...) and, for the addresses a role cannot take from the
environment, the extra variables in SANDBOX_VARS below (where the charts and images live, the cluster's
name). Whatever an example creates beyond the pipeline's own objects is removed afterwards.
"""

import json
import os
import re

import boto3
import pytest
import yaml
from ackops_sandbox.config import REPO
from ackops_sandbox.playbook import run_playbook

FENCE = re.compile(r"^```yaml\n(.*?)^```", re.M | re.S)
INVENTORY = REPO / "inventories" / "sandbox"


def sandbox_vars(role):
    """Extra variables for what only the sandbox differs in (none for most roles)."""
    registry = os.environ["ACKOPS_REGISTRY"]
    return {
        "irsa": {"irsa_cluster_name": "ackops-sandbox", "irsa_sandbox": True},  # no pods to check
        "controllers": {"controllers_chart_registry": f"oci://{registry}/aws-controllers-k8s",
                        "controllers_chart_plain_http": True,
                        "controllers_endpoint_url": os.environ["AWS_ENDPOINT_URL"]},
        "lambda_image": {"lambda_image_registry": registry},
    }.get(role, {})


def examples():
    """(role, index, play list) of every README block that is a list of plays."""
    found = []
    for readme in sorted((REPO / "roles").glob("*/README.md")):
        role = readme.parent.name
        for index, block in enumerate(FENCE.findall(readme.read_text(encoding="utf-8"))):
            plays = yaml.safe_load(block)
            if isinstance(plays, list) and plays and all(isinstance(p, dict) and "hosts" in p for p in plays):
                found.append(pytest.param(role, plays, id=f"{role}-{index}"))
    return found


@pytest.fixture(scope="module")
def leftovers(sandbox):
    """Remove what the examples make beyond the pipeline's objects, and put the controllers back."""
    yield
    kwargs = dict(endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name=sandbox["AWS_REGION"])
    iam, ecr = boto3.client("iam", **kwargs), boto3.client("ecr", **kwargs)
    for role in [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"] == "ackops-sandbox-ack-s3-controller"]:
        for policy in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
        iam.delete_role(RoleName=role)
    if "my-function" in [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]:
        ecr.delete_repository(repositoryName="my-function", force=True)
    restored = run_playbook("playbooks/controllers.yml")
    assert restored.rc == 0, restored.tail()


def test_examples_were_found():
    assert {p.values[0] for p in examples()} >= {"preflight", "irsa", "controllers", "lambda_image"}


NEEDS_PIPELINE = {"smoke_test"}  # roles whose example works on a deployed pipeline, as their README says


@pytest.fixture
def precondition(request, tmp_path):
    """For an example that needs the pipeline: deploy it first (playbooks/pipeline.yml), remove it after."""
    role = request.node.callspec.params["role"]
    if role not in NEEDS_PIPELINE:
        yield
        return
    deployed = run_playbook("playbooks/pipeline.yml")
    assert deployed.rc == 0, deployed.tail()
    yield
    remove = tmp_path / "remove_pipeline.yml"
    remove.write_text(yaml.safe_dump([{
        "name": "Remove the pipeline the example ran on", "hosts": "localhost", "gather_facts": False,
        "vars_files": [str(REPO / "playbooks" / "vars" / "ackops.yml")],
        "roles": [{"role": "ackops.serverless.resources", "vars": {"resources_operation": "delete"}},
                  {"role": "ackops.serverless.lambda_image", "vars": {"lambda_image_operation": "delete"}}],
    }], sort_keys=False))
    removed = run_playbook(remove)
    assert removed.rc == 0, removed.tail()


@pytest.mark.parametrize("role,plays", examples())
def test_readme_example_runs(role, plays, sandbox, leftovers, precondition, tmp_path):
    playbook = tmp_path / "example.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    extra = tmp_path / "sandbox.json"
    extra.write_text(json.dumps(sandbox_vars(role)))
    run = run_playbook(playbook, "-i", str(INVENTORY), "-e", f"@{extra}")
    assert run.rc == 0, run.tail()
    assert run.failed == 0
