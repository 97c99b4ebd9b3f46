# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Fixtures of the conformance tests against the real ACK charts.

`ack_reference`: the folder of reference data (the real charts' CRDs, values.yaml and
values.schema.json at the pinned versions, see /work/shared/ack-reference/README.md): the
ACKOPS_ACK_REFERENCE environment variable, else ../shared/ack-reference next to the checkout,
else /work/shared/ack-reference; the tests skip, saying so, when none exists.

`role_output`: what the `resources` role's templates render and the values the `controllers`
role hands to helm, produced by ansible-playbook from the roles' own files (templates, defaults,
vars, and the expressions of the helm task), once per session.
"""

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
SERVICES = {"sqs": "v1.6.1", "dynamodb": "v1.9.2", "lambda": "v1.14.1"}
# The account the resources role reads with the caller_identity lookup (arns.yml computes the ARNs from it),
# and what other roles hand it (the image of the lambda_image role).
ACCOUNT = "123456789012"
CALLER = {"account": ACCOUNT, "arn": "arn:aws:iam::%s:user/conformance" % ACCOUNT}
RUNTIME_FACTS = {
    "resources_region": "us-east-1",
    "resources_function_image_uri": "%s.dkr.ecr.us-east-1.amazonaws.com/demo@sha256:%s" % (ACCOUNT, "0" * 64),
}
# Every optional input of the templates, set (the test checks this list covers their {% if %}s).
OPTIONAL_SET = {
    "resources_dlq_enabled": True,
    "resources_esm_maximum_batching_window": 5,
    "resources_function_environment": {"LOG_LEVEL": "debug"},
    "resources_tags": {"managed-by": "ackops.serverless", "team": "data"},
}
# What the controllers role gets on EKS (IRSA role ARNs) and on the sandbox (an endpoint).
CONTROLLER_INPUTS = {
    "eks": {"controllers_region": "eu-west-1", "controllers_endpoint_url": "",
            "irsa_role_arns": {s: "arn:aws:iam::%s:role/ack-%s-controller" % (ACCOUNT, s) for s in SERVICES}},
    "sandbox": {"controllers_region": "us-east-1", "controllers_endpoint_url": "http://127.0.0.1:15001"},
}


def _reference_dir():
    candidates = [os.environ.get("ACKOPS_ACK_REFERENCE"), REPO.parent / "shared" / "ack-reference",
                  "/work/shared/ack-reference"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "sqs-controller-v1.6.1").is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def ack_reference():
    found = _reference_dir()
    if found is None:
        pytest.skip("no ACK reference data (the real charts' CRDs and values schema): set ACKOPS_ACK_REFERENCE "
                    "to a folder like /work/shared/ack-reference")
    return found


def _arn_tasks():
    """arns.yml without its AWS call: the caller given as resources_aws_identity (as the preflight role hands it on),
    so its caller_identity lookup is skipped."""
    tasks = yaml.safe_load((REPO / "roles" / "resources" / "tasks" / "arns.yml").read_text(encoding="utf-8"))
    assert any("caller_identity" in str(t) for t in tasks), "arns.yml no longer reads the caller: update this"
    return [{"name": "the caller", "ansible.builtin.set_fact": {"resources_aws_identity": CALLER}}] + tasks


def _playbook(out):
    roles = REPO / "roles"
    templates = sorted(p.name for p in (roles / "resources" / "templates").glob("*.yaml.j2"))
    render = {p.split(".")[0]: "{{ lookup('ansible.builtin.template', '%s') | from_yaml }}" % (
        roles / "resources" / "templates" / p) for p in templates}
    tasks = [{"name": "validate like the controllers role", "ansible.builtin.include_tasks":
              str(roles / "controllers" / "tasks" / "validate.yml")},
             {"name": "the values the helm task is given", "ansible.builtin.set_fact": {
                 "out_values": "{{ dict(controllers__charts | map(attribute='service') | zip(controllers__charts"
                               " | map(attribute='release_name') | map('extract', controllers__wanted_values))) }}"},
              "vars": {"controllers__service_accounts": {"resources": []}}},
             *_arn_tasks(),
             {"name": "templates with the defaults", "ansible.builtin.set_fact": {"out_defaults": render}},
             {"name": "templates with every option", "ansible.builtin.set_fact": {"out_options": render},
              "vars": OPTIONAL_SET},
             {"name": "write", "ansible.builtin.copy": {"dest": str(out), "content": "{{ {'values': out_values, "
                                                        "'defaults': out_defaults, 'options': out_options} | to_json }}"}}]
    sources = (("resources", "defaults"), ("resources", "vars"), ("controllers", "defaults"), ("controllers", "vars"))
    vars_files = [str(roles / role / folder / "main.yml") for role, folder in sources]
    return [{"name": "render", "hosts": "localhost", "gather_facts": False, "vars_files": vars_files,
             "tasks": tasks}]


def _run(extra_vars):
    with tempfile.TemporaryDirectory(prefix="ack-conformance-") as work:
        out = Path(work) / "out.json"
        play = Path(work) / "play.yml"
        play.write_text(yaml.safe_dump(_playbook(out), sort_keys=False), encoding="utf-8")
        extra = Path(work) / "extra.json"
        extra.write_text(json.dumps(dict(RUNTIME_FACTS, **extra_vars)), encoding="utf-8")
        env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
        result = subprocess.run([str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                                 "-e", "ansible_python_interpreter=%s" % (REPO / ".venv" / "bin" / "python"),
                                 "-e", "@%s" % extra, str(play)], cwd=str(REPO), env=env, capture_output=True,
                                text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def role_output():
    """{'eks'|'sandbox': {'values': {svc: values}, 'defaults': {template: doc}, 'options': {...}}}"""
    return {name: _run(inputs) for name, inputs in CONTROLLER_INPUTS.items()}
