# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 4, moto restarted with the pipeline deployed: every AWS resource is lost (IAM roles, the OIDC
provider, the ECR repository, queues, table, function, mapping; the EKS record comes back with a new
OIDC issuer) while the custom resources stay in etcd, all reporting ACK.ResourceSynced=True.

moto is SIGKILLed by the PID in this checkout's .sandbox/run/moto.pid and `sandboxctl up` starts a
fresh one. A re-run of site.yml must converge and its smoke test pass, with exactly one of each
resource. (Before the resources role repaired resources stuck in the controller's backoff, this run
failed: the Function was retried before its IAM role existed again.)"""

from rel_helpers import (PIPELINE, assert_converged, assert_exactly_one_of_each, aws_has, component_pid, disruptive,
                         kill_component, record, run_playbook, run_site, sandbox_up)

pytestmark = disruptive


def test_moto_restart_loses_aws_and_site_converges_again(converged, aws, kube):
    old = kill_component("moto")
    up_seconds, _ = sandbox_up()
    assert component_pid("moto") != old
    lost = [kind for kind in ("Queue", "Table", "Function", "EventSourceMapping") if not aws_has(aws, kind)]
    assert lost == ["Queue", "Table", "Function", "EventSourceMapping"], lost
    still_synced = [f"{k}/{n}" for k, n in PIPELINE
                    if any(c["type"] == "ACK.ResourceSynced" and c["status"] == "True"
                           for c in (kube.get(k, n) or {}).get("status", {}).get("conditions", []))]

    verify = run_playbook("playbooks/verify.yml")
    assert verify.rc != 0, "verify.yml did not notice that AWS lost everything:\n" + verify.tail()

    run = run_site()
    assert_converged(run)
    counts = assert_exactly_one_of_each(aws, kube)
    again = run_playbook("playbooks/verify.yml")
    assert again.rc == 0, again.tail()
    record("moto_restart", "all_aws_state_lost", {
        "sandbox_up_seconds": up_seconds, "custom_resources_still_synced_after_loss": still_synced,
        "verify_detected": verify.rc != 0, "run_rc": run.rc, "run_seconds": run.seconds, "changed": run.recap["changed"],
        "smoke_test": run.smoke_passed, "one_of_each": all(n == 1 for n in counts.values()), "counts": counts})
