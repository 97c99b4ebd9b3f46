# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""kubernetes.core.k8s, k8s_info and helm work against the sandbox, and idempotently."""

import re

from kubernetes import client
from sbx_helpers import REPO, SMOKE_CHART, run, tool

PLAYBOOK = REPO / "tests" / "sandbox" / "playbooks" / "kubernetes_core.yml"


def _recap(output):
    match = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert match, output
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def test_playbook_converges_then_is_idempotent(sandbox, api_client, unique):
    namespace = f"sbx-play-{unique}"
    env = dict(sandbox, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    argv = [str(REPO / ".venv" / "bin" / "ansible-playbook"), str(PLAYBOOK),
            "-e", f"sbx_namespace={namespace}", "-e", f"sbx_helm_binary={tool(sandbox, 'helm')}",
            "-e", f"sbx_chart_path={SMOKE_CHART}"]
    try:
        first = _recap(run(argv, env, timeout=300).stdout)
        assert first["failed"] == 0
        assert first["changed"] == 3  # namespace, ConfigMap, helm release

        second = run(argv, env, timeout=300).stdout
        assert _recap(second)["changed"] == 0, second
        assert _recap(second)["failed"] == 0

        check = run(argv + ["--check"], env, timeout=300).stdout
        assert _recap(check)["changed"] == 0, check
    finally:
        try:
            client.CoreV1Api(api_client).delete_namespace(namespace)
        except client.ApiException as err:
            assert err.status == 404
