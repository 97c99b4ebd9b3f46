# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The roles' validate entry points (tasks_from: validate) check their inputs and contact nothing: they run with
every AWS and Kubernetes address pointing at a closed port, pass with the inventory's values, and refuse a bad value
naming it and what is allowed."""

import pytest
from ackops_sandbox.playbook import ansible_env, run_playbook

PLAYBOOK = "tests/integration/playbooks/validate_entry_points.yml"
ROLES = ["cluster", "irsa", "controllers", "lambda_image", "resources", "smoke_test"]
CLOSED = "https://127.0.0.1:1"  # nothing listens there: a role that asked anything would fail


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    kubeconfig = tmp_path_factory.mktemp("nowhere") / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"
        f"clusters: [{{name: nowhere, cluster: {{server: '{CLOSED}'}}}}]\n"
        "users: [{name: nobody, user: {token: not-a-token}}]\n"
        "contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]\n", encoding="utf-8")
    return ansible_env(KUBECONFIG=str(kubeconfig), AWS_ENDPOINT_URL=CLOSED, K8S_AUTH_KUBECONFIG=None)


def test_every_entry_point_passes_with_the_inventorys_values_and_contacts_nothing(env):
    run = run_playbook(PLAYBOOK, "-e", f"ackops_aws_endpoint_url={CLOSED}", env=env)
    assert run.rc == 0, run.tail()
    for role in ROLES:
        assert f"ackops.serverless.{role} : Validating arguments against arg spec 'validate'" in run.output, role
    assert run.changed == 0


@pytest.mark.parametrize("role, variable, value, allowed", [
    ("cluster", "cluster_name", "-bad", "1-100"),
    ("irsa", "irsa_role_path", "ack", "starts and ends with '/'"),
    ("controllers", "controllers_namespace", "ACK_System", "namespace name"),
    ("lambda_image", "lambda_image_workdir", "var/task", "absolute path"),
    ("resources", "resources_function_timeout", "0", "1-900"),
    ("smoke_test", "smoke_test_dlq_sample", "101", "0-100"),
    ("resources", "resources_esm_batch_size", "ten", "unable to convert to int"),  # the argument spec's own check
])
def test_a_bad_value_is_refused_by_its_role_naming_it(env, role, variable, value, allowed):
    run = run_playbook(PLAYBOOK, "-e", f"{variable}={value}", "-e", f"ackops_aws_endpoint_url={CLOSED}", env=env)
    assert run.rc != 0, run.tail()
    failed = run.output[run.output.index("fatal:"):]
    assert f"ackops.serverless.{role} :" in run.output[:run.output.index("fatal:")].rsplit("TASK [", 1)[1]
    assert variable in failed and allowed in failed, failed[:2000]
    assert run.changed == 0
