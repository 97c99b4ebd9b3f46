# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The supervisor playing kubelet for the ACK charts' Deployments: one `ack-controller <svc>`
process per chart Deployment, with the pod's args and env, rollouts and uninstall."""

import time
import urllib.request

from ack_helpers import (NAMESPACE, VERSIONS, helm, install, pid_alive, role_arn, supervisor_status,
                         supervisor_url, wait_for)


def restart(apps, deployment):
    apps.patch_namespaced_deployment(deployment, NAMESPACE, {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ")}}}}})


def controller(service, predicate=lambda c: c["alive"]):
    return (lambda c: c if c and predicate(c) else None)(supervisor_status()["controllers"].get(service))


def test_charts_start_one_go_controller_per_deployment(ack):
    status = wait_for("three running controllers", lambda: (lambda s: s if all(
        svc in s["controllers"] and s["controllers"][svc]["alive"] for svc in VERSIONS) else None)(supervisor_status()))
    base = int(supervisor_url().rsplit(":", 1)[1])
    for index, service in enumerate(("sqs", "dynamodb", "lambda"), start=1):
        child = status["controllers"][service]
        assert pid_alive(child["pid"])
        sa = ack["core"].read_namespaced_service_account("ack-%s-controller" % service, NAMESPACE)
        annotation = (sa.metadata.annotations or {}).get("eks.amazonaws.com/role-arn")
        if child["role_arn"] != annotation:
            # As on EKS, an annotation changed after the pod started applies after a rollout restart.
            restart(ack["apps"], "ack-%s-controller-%s-chart" % (service, service))
            child = wait_for("%s restarted with the annotated role" % service,
                             lambda s=service, a=annotation: controller(s, lambda c: c["alive"] and c["role_arn"] == a))
        assert annotation and child["role_arn"] == annotation  # ServiceAccount annotation -> AWS_ROLE_ARN
        assert child["health_port"] == base + index
        argv = child["argv"]
        assert argv[0].rsplit("/", 1)[1].startswith("ack-controller-src-") and argv[1] == service
        assert argv[argv.index("--healthz-addr") + 1] == "127.0.0.1:%d" % (base + index)
        assert argv[argv.index("--metrics-addr") + 1] == "127.0.0.1:%d" % (base + index + 3)
        assert argv[argv.index("--reconcile-default-resync-seconds") + 1] == "36000"  # ACK's 10 h default
        pod = ack["core"].read_namespaced_pod(child["pod"], NAMESPACE)
        assert child["pod_template_hash"] == pod.metadata.labels["pod-template-hash"]
        assert argv[argv.index("--deletion-policy") + 1] == "delete"
        assert ack["env"]["AWS_ENDPOINT_URL"] in argv  # $(AWS_ENDPOINT_URL) expanded like the kubelet does
        wait_for("Deployment of %s available" % service, lambda s=service: ack["apps"].read_namespaced_deployment(
            "ack-%s-controller-%s-chart" % (s, s), NAMESPACE).status.available_replicas == 1)  # computed by KCM from the pod
        for path in ("/healthz", "/readyz"):
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (child["health_port"], path), timeout=5) as response:
                assert response.status == 200
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % (base + index + 3), timeout=5) as response:
            assert b"controller_runtime_reconcile_total" in response.read()  # controller-runtime's metrics


def test_rollout_restart_starts_a_new_process(ack):
    before = wait_for("a dynamodb controller", lambda: controller("dynamodb"))
    restart(ack["apps"], "ack-dynamodb-controller-dynamodb-chart")
    after = wait_for("a new dynamodb controller process",
                     lambda: controller("dynamodb", lambda c: c["alive"] and c["pid"] != before["pid"]))
    assert after["pod_template_hash"] != before["pod_template_hash"]
    wait_for("old process gone", lambda: not pid_alive(before["pid"]), timeout=20)
    wait_for("deployment available again", lambda: (lambda d: d.status.updated_replicas == 1 and d.status.available_replicas == 1
                                                    and not d.status.unavailable_replicas)(
        ack["apps"].read_namespaced_deployment("ack-dynamodb-controller-dynamodb-chart", NAMESPACE)), timeout=60)


def test_uninstall_stops_the_controller(ack):
    """A second sqs release takes over the sqs process (newest pod); uninstalling it stops that process.
    The project's own release ack-sqs-controller gets its process back."""
    release = "ack-sqs-controller-test"
    install("sqs", ack["env"], release=release, service_account=release)
    try:
        mine = wait_for("the test release's sqs process",
                        lambda: controller("sqs", lambda c: c["alive"] and c["pod"].startswith(release + "-sqs-chart-")))
        assert mine["role_arn"] == role_arn("sqs")
    finally:
        helm("uninstall", release, "--namespace", NAMESPACE)
    started = time.monotonic()
    wait_for("the test release's process stopped", lambda: not pid_alive(mine["pid"]), timeout=20)
    assert time.monotonic() - started < 20
    current = supervisor_status()["controllers"].get("sqs")
    assert current is None or not current["pod"].startswith(release + "-")
    wait_for("sqs controller of ack-sqs-controller back",
             lambda: controller("sqs", lambda c: c["alive"] and c["pod"].startswith("ack-sqs-controller-sqs-chart-")))
