# Integration tests of ackops.serverless.ack_wait on the sandbox API server.
#
# The module runs through ansible-playbook in a subprocess while a thread of the test plays the
# ACK controller: it writes the status subresource (conditions, ARNs) of Queue resources of a
# test copy of the ACK Queue CRD (see sandbox/ackops_sandbox/ack_harness.py for why a copy). Flips
# happen only once the module's watch is open on the API server (read from the apiserver's
# apiserver_longrunning_requests metric), so every case really is waited for.
from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest
from ackops_sandbox.ack_harness import (
    FINALIZER,
    PLURAL,
    TEST_API_VERSION,
    TEST_GROUP,
    CuttableProxy,
    Kube,
    Playbook,
    condition,
    kubeconfig_via,
    parse_iso,
    synced_status,
    wait_task,
)


@pytest.fixture(scope="module")
def kube(sandbox):
    kube = Kube(sandbox["KUBECONFIG"])
    kube.ensure_test_crd()
    # kube-controller-manager (its garbage collector) starts watching a new kind only when its discovery finds it,
    # up to 30 s later: a watch that appears in the middle of a test would pass for the module's (later()).
    kube.wait_for_watchers(TEST_GROUP, PLURAL, 1, timeout=90)
    return kube


@pytest.fixture
def namespace(kube):
    name = kube.create_namespace("ackwait")
    yield name
    kube.delete_namespace(name)


@pytest.fixture
def env(sandbox):
    merged = dict(os.environ)
    merged.update(sandbox)
    return merged


def queue_ref(namespace, name, **extra):
    args = {"api_version": TEST_API_VERSION, "kind": "Queue", "name": name, "namespace": namespace}
    args.update(extra)
    return args


def watch_count(kube):
    """Watches on our queues now: the highest of three reads 0.15 s apart, since a watch of another client
    (kube-controller-manager's garbage collector, quota) that is being re-made makes the count blink lower."""
    counts = []
    for sample in range(3):
        if sample:
            time.sleep(0.15)
        counts.append(kube.watchers(TEST_GROUP, PLURAL))
    return max(counts)


def later(kube, action, delay=0.5, watchers=1, ready=None):
    """Run `action` in a thread once `watchers` more watches on our queues exist, after `delay` s.

    `ready`, if given, is polled first (e.g. "the spec update happened"); the watch count is
    compared with its value at that point. Returns a dict filled with the flip's wall-clock
    time ('at') once it happened.
    """
    box = {}
    baseline = None if ready else watch_count(kube)

    def run():
        try:
            start = baseline
            if ready is not None:
                deadline = time.monotonic() + 120
                while not ready():
                    assert time.monotonic() < deadline, "precondition never met"
                    time.sleep(0.05)
                start = watch_count(kube)
            kube.wait_for_watchers(TEST_GROUP, PLURAL, start + watchers, timeout=180)
            time.sleep(delay)
            started = time.time()   # before the write: latencies measured from here are upper bounds
            action()
            box["at"] = started
        except Exception as exc:  # surfaced by the test through box['error']
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    box["thread"] = thread
    return box


def joined(box):
    box["thread"].join(240)
    if "error" in box:
        raise box["error"]
    assert "at" in box, "the flip never happened"
    return box["at"]


def seen_after(item, flipped_at):
    """Seconds between the flip and the module seeing the resource done."""
    assert item["done_at"], item
    return parse_iso(item["done_at"]) - flipped_at


def flipped_while_waiting(attempt, tries=3):
    """attempt(i) makes resource i, starts its flip with later() and runs the wait, returning (run, flip box).
    Returns (run, flipped_at, seconds from the module's start to the flip) of the first attempt whose module
    was already waiting when the flip came. The
    flip waits for one more watch on our queues than before, which another client re-making its watch can
    also give (more so on a loaded machine): an attempt whose module started after the flip shows nothing of
    the wait, so it is made again with a new resource, never counted."""
    for i in range(tries):
        run, flip = attempt(i)
        flipped_at = joined(flip)
        result = run.task("wait")["result"]
        module_started = parse_iso(result["finished_at"]) - result["elapsed"]
        if module_started < flipped_at:
            return run, flipped_at, flipped_at - module_started
    raise AssertionError("in {0} attempts the flip always came before the module started".format(tries))


def test_returns_when_synced_with_arn_and_status_fields(kube, namespace, env):
    def attempt(i):
        name = "orders{0}".format(i)
        kube.create_queue(namespace, name)
        flip = later(kube, lambda: kube.write_status(namespace, name, synced_status(name, namespace)), delay=1.5)
        return Playbook(env, [wait_task(queue_ref(namespace, name, timeout=60))],
                        kubeconfig_in_defaults=env["KUBECONFIG"]).run(), flip

    run, flipped_at, flip_after_start = flipped_while_waiting(attempt)
    task = run.task("wait")
    result = task["result"]
    assert run.rc == 0, run.out
    assert result["changed"] is False
    (item,) = result["resources"]
    name = item["name"]
    assert item["done"] is True
    assert item["arn"] == "arn:aws:sqs:us-east-1:123456789012:" + name
    assert item["queue_url"] == os.environ["AWS_ENDPOINT_URL"] + "/123456789012/" + name
    assert item["queue_arn"] == item["arn"]
    assert item["status"]["ackResourceMetadata"]["region"] == "us-east-1"
    assert {c["type"] for c in item["conditions"]} == {"ACK.ResourceSynced", "Ready"}
    # it waited until the flip (its wait starts a little after its own start, hence the 0.2 s)
    assert item["waited_seconds"] >= flip_after_start - 0.2
    # event-driven: the module sees the flip within 1 s (a watch event, no polling interval);
    # the task as a whole also carries ansible-playbook's own process overhead
    assert 0 <= seen_after(item, flipped_at) < 1.0
    assert task["end"] - flipped_at < 3.0, task["end"] - flipped_at


def test_terminal_fails_fast_naming_resource_and_message(kube, namespace, env):
    kube.create_queue(namespace, "bad")
    message = "InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout."
    status = {"conditions": [
        condition("ACK.Terminal", "True", message),
        condition("ACK.ResourceSynced", "False", "Resource not synced", "resource is in terminal condition"),
    ]}
    flip = later(kube, lambda: kube.write_status(namespace, "bad", status), delay=1.0)
    run = Playbook(env, [wait_task(queue_ref(namespace, "bad", timeout=120))]).run()
    flipped_at = joined(flip)
    task = run.task("wait")
    assert run.rc != 0
    msg = task["result"]["msg"]
    assert "Queue {0}/bad".format(namespace) in msg
    assert "ACK.Terminal=True" in msg and message in msg
    assert parse_iso(task["result"]["finished_at"]) - flipped_at < 2.0
    assert task["end"] - flipped_at < 4.0, task["end"] - flipped_at


def test_timeout_reports_conditions_and_recoverable_message(kube, namespace, env):
    recoverable = "AWS.SimpleQueueService.RequestThrottled: Rate exceeded"
    kube.create_queue(namespace, "slow", status={"conditions": [
        condition("ACK.Recoverable", "True", recoverable),
        condition("ACK.ResourceSynced", "Unknown", "Unable to determine if desired resource state matches latest "
                                                   "observed state", "RequestThrottled"),
    ]})
    kube.create_queue(namespace, "fine", status=synced_status("fine", namespace))
    args = {"namespace": namespace, "timeout": 3, "resources": [
        {"api_version": TEST_API_VERSION, "kind": "Queue", "name": "slow"},
        {"api_version": TEST_API_VERSION, "kind": "Queue", "name": "fine"},
    ]}
    run = Playbook(env, [wait_task(args)]).run()
    task = run.task("wait")
    result = task["result"]
    assert run.rc != 0
    assert result["msg"].startswith("Timed out after 3s waiting for 1 of 2 resource(s)")
    assert "Queue {0}/slow".format(namespace) in result["msg"]
    assert recoverable in result["msg"] and "ACK.ResourceSynced=Unknown" in result["msg"]
    assert "fine" not in result["msg"].split(" - ", 1)[1]
    by_name = {r["name"]: r for r in result["resources"]}
    assert by_name["fine"]["done"] is True and by_name["slow"]["done"] is False
    assert [c["type"] for c in by_name["slow"]["conditions"]] == ["ACK.Recoverable", "ACK.ResourceSynced"]
    assert result["pending"] == ["Queue {0}/slow".format(namespace)]
    assert 3.0 <= task["end"] - task["start"] < 8.0


def _update_spec_task(namespace, name, visibility):
    return {
        "name": "update",
        "kubernetes.core.k8s": {
            "state": "present",
            "definition": {"apiVersion": TEST_API_VERSION, "kind": "Queue",
                           "metadata": {"name": name, "namespace": namespace},
                           "spec": {"queueName": name, "visibilityTimeout": visibility}},
        },
        "register": "queue_update",
    }


def _read_task(namespace, name):
    return {"name": "read", "register": "queue_before",
            "kubernetes.core.k8s_info": {"api_version": TEST_API_VERSION, "kind": "Queue",
                                         "name": name, "namespace": namespace}}


def _annotate_task(namespace, name, policy):
    return {"name": "update", "register": "queue_update",
            "kubernetes.core.k8s": {"state": "patched", "definition": {
                "apiVersion": TEST_API_VERSION, "kind": "Queue",
                "metadata": {"name": name, "namespace": namespace,
                             "annotations": {"services.k8s.aws/deletion-policy": policy}}}}}


@pytest.mark.parametrize("with_before", [True, False], ids=["since+before", "since"])
def test_stale_synced_true_after_a_spec_change_does_not_count(kube, namespace, env, with_before):
    kube.create_queue(namespace, "orders", status=synced_status("orders", namespace))
    time.sleep(1.2)   # the old condition is at least one second older than the update
    args = queue_ref(namespace, "orders", timeout=60, since="{{ queue_update }}")
    if with_before:
        args["before"] = "{{ queue_before }}"

    def resync():
        kube.write_status(namespace, "orders", synced_status("orders", namespace))

    def updated():
        return kube.get_queue(namespace, "orders")["metadata"]["generation"] == 2

    flip = later(kube, resync, delay=2.0, ready=updated)
    run = Playbook(env, [_read_task(namespace, "orders"), _update_spec_task(namespace, "orders", "60"),
                         wait_task(args)]).run()
    flipped_at = joined(flip)
    update, task = run.task("update"), run.task("wait")
    assert run.rc == 0, run.out
    assert update["result"]["changed"] is True
    # the old ResourceSynced=True was there all along: returning before the re-sync is a bug
    (item,) = task["result"]["resources"]
    assert task["end"] >= flipped_at
    assert 0 <= seen_after(item, flipped_at) < 1.0
    assert item["generation"] == 2
    assert item["change_marker"]["source"] == "since"


def test_a_metadata_only_change_returns_at_once(kube, namespace, env):
    """ACK does not reconcile an annotation change (no generation move): the conditions already
    there are the answer, as on EKS with the real controllers."""
    kube.create_queue(namespace, "relabelled", status=synced_status("relabelled", namespace))
    time.sleep(1.2)
    args = queue_ref(namespace, "relabelled", timeout=60, since="{{ queue_update }}", before="{{ queue_before }}")
    run = Playbook(env, [_read_task(namespace, "relabelled"), _annotate_task(namespace, "relabelled", "retain"),
                         wait_task(args)]).run()
    update, task = run.task("update"), run.task("wait")
    assert run.rc == 0, run.out
    assert update["result"]["changed"] is True
    assert update["result"]["result"]["metadata"]["generation"] == 1
    (item,) = task["result"]["resources"]
    assert item["done"] is True and item["change_marker"] is None
    assert task["end"] - task["start"] < 5.0


def test_a_metadata_only_change_without_before_times_out_with_a_hint(kube, namespace, env):
    kube.create_queue(namespace, "unknown", status=synced_status("unknown", namespace))
    time.sleep(1.2)
    args = queue_ref(namespace, "unknown", timeout=3, since="{{ queue_update }}")
    run = Playbook(env, [_annotate_task(namespace, "unknown", "retain"), wait_task(args)]).run()
    task = run.task("wait")
    assert run.rc != 0
    assert "Timed out after 3s" in task["result"]["msg"] and "pass before" in task["result"]["msg"]


def test_the_same_recoverable_error_fails_after_the_grace(kube, namespace, env):
    message = ("operation error Lambda: CreateFunction, https response error StatusCode: 400, RequestID: {0}, "
               "InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.")

    def recoverable(request_id):
        return {"conditions": [
            condition("ACK.Recoverable", "True", message.format(request_id)),
            condition("ACK.ResourceSynced", "Unknown",
                      "Unable to determine if desired resource state matches latest observed state"),
        ]}

    kube.create_queue(namespace, "retried", status=recoverable("0f6f3b1f-5d11-4d4e-9a43-6a1f0c8e2b1d"))
    # a retry with another request id is the same error
    flip = later(kube, lambda: kube.write_status(namespace, "retried", recoverable("9a9a9a9a-5d11-4d4e-9a43-6a1f0c8e2b1d")),
                 delay=0.5)
    run = Playbook(env, [wait_task(queue_ref(namespace, "retried", timeout=60, recoverable_timeout=3))]).run()
    joined(flip)
    task = run.task("wait")
    assert run.rc != 0
    assert 3.0 <= task["end"] - task["start"] < 8.0
    assert "cannot be assumed by Lambda" in task["result"]["msg"]
    assert "recoverable_timeout" in task["result"]["msg"]
    (item,) = task["result"]["resources"]
    assert item["recoverable_for"] >= 3


def test_absent_returns_when_finalizer_removed(kube, namespace, env):
    def attempt(i):
        name = "gone{0}".format(i)
        kube.create_queue(namespace, name, status=synced_status(name, namespace))
        kube.delete_queue(namespace, name)
        assert kube.get_queue(namespace, name)["metadata"]["deletionTimestamp"]
        flip = later(kube, lambda: kube.patch_queue(namespace, name, {"metadata": {"finalizers": None}}), delay=1.5)
        return Playbook(env, [wait_task(queue_ref(namespace, name, state="absent", timeout=60))]).run(), flip

    run, flipped_at, flip_after_start = flipped_while_waiting(attempt)
    task = run.task("wait")
    assert run.rc == 0, run.out
    (item,) = task["result"]["resources"]
    assert item["exists"] is False and item["done"] is True
    assert item["waited_seconds"] >= flip_after_start - 0.2
    assert 0 <= seen_after(item, flipped_at) < 1.0


def test_absent_timeout_says_finalizer_still_there(kube, namespace, env):
    kube.create_queue(namespace, "stuck")
    kube.delete_queue(namespace, "stuck")
    run = Playbook(env, [wait_task(queue_ref(namespace, "stuck", state="absent", timeout=2))]).run()
    msg = run.task("wait")["result"]["msg"]
    assert run.rc != 0 and "to be gone" in msg and FINALIZER in msg


def test_deleted_while_waiting_fails_at_once(kube, namespace, env):
    kube.create_queue(namespace, "doomed", finalizer=False)
    flip = later(kube, lambda: kube.delete_queue(namespace, "doomed"), delay=1.0)
    run = Playbook(env, [wait_task(queue_ref(namespace, "doomed", timeout=120))]).run()
    flipped_at = joined(flip)
    task = run.task("wait")
    assert run.rc != 0
    assert "deleted while waiting" in task["result"]["msg"] and "doomed" in task["result"]["msg"]
    assert parse_iso(task["result"]["finished_at"]) - flipped_at < 2.0


def test_label_selector_waits_for_every_match(kube, namespace, env):
    names = ["q{0}".format(i) for i in range(6)]
    for name in names:
        kube.create_queue(namespace, name, labels={"app.kubernetes.io/part-of": "ackwait-test"})
    kube.create_queue(namespace, "other", labels={"app.kubernetes.io/part-of": "something-else"})

    def sync_one_by_one():
        for name in names:
            kube.write_status(namespace, name, synced_status(name, namespace))
            time.sleep(0.3)

    flip = later(kube, sync_one_by_one, delay=0.5)
    args = {"api_version": TEST_API_VERSION, "kind": "Queue", "namespace": namespace,
            "label_selectors": ["app.kubernetes.io/part-of=ackwait-test"], "timeout": 60}
    run = Playbook(env, [wait_task(args)]).run()
    flipped_at = joined(flip)
    task = run.task("wait")
    assert run.rc == 0, run.out
    resources = task["result"]["resources"]
    assert sorted(r["name"] for r in resources) == names
    assert all(r["done"] for r in resources)
    waited = {r["name"]: r["waited_seconds"] for r in resources}
    assert waited["q5"] - waited["q0"] >= 1.2   # the last one synced ~1.5 s after the first
    assert task["end"] >= flipped_at - 0.35    # returned only after the last of them


def test_survives_cut_connections_and_resumes_without_relisting(kube, namespace, env, sandbox):
    """Connections to the API server are cut twice mid-wait; the sync is written while the
    server is unreachable. The module must reconnect, resume from its last resourceVersion and
    still see that update (a watch resumed from the right version replays it)."""
    kube.create_queue(namespace, "flaky")
    host, port = "127.0.0.1", int(os.environ["ACKOPS_KUBE_APISERVER"].rsplit(":", 1)[1])
    proxy = CuttableProxy(host, port)
    workdir = tempfile.mkdtemp(prefix="ack-wait-proxy-")
    proxied = kubeconfig_via(sandbox["KUBECONFIG"], proxy.port, workdir)

    def chaos():
        time.sleep(1.0)
        assert proxy.cut() >= 1
        time.sleep(1.0)
        proxy.paused.set()
        proxy.cut()
        kube.write_status(namespace, "flaky", synced_status("flaky", namespace))   # while unreachable
        time.sleep(1.5)
        proxy.paused.clear()

    flip = later(kube, chaos, delay=0.0)
    args = queue_ref(namespace, "flaky", timeout=60, kubeconfig=proxied)
    try:
        run = Playbook(env, [wait_task(args)]).run()
        joined(flip)
    finally:
        proxy.close()
    task = run.task("wait")
    assert run.rc == 0, run.out
    stats = task["result"]["watch"]
    assert stats["reconnects"] >= 2, stats
    assert stats["lists"] == 1, stats          # resumed from resourceVersion, no re-list needed
    assert stats["errors"], stats              # the cuts were seen as connection errors
    assert proxy.cuts >= 2 and proxy.accepted >= 3
    (item,) = task["result"]["resources"]
    assert item["done"] and item["queue_url"].endswith("/flaky")


def test_server_side_watch_timeout_resumes(kube, namespace, env):
    kube.create_queue(namespace, "patient")
    flip = later(kube, lambda: kube.write_status(namespace, "patient", synced_status("patient", namespace)), delay=3.5)
    run = Playbook(env, [wait_task(queue_ref(namespace, "patient", timeout=60, watch_timeout=1))]).run()
    flipped_at = joined(flip)
    task = run.task("wait")
    assert run.rc == 0, run.out
    assert task["result"]["watch"]["watch_requests"] >= 3
    assert task["result"]["watch"]["lists"] == 1
    assert 0 <= seen_after(task["result"]["resources"][0], flipped_at) < 1.0


def test_quiet_period_holds(kube, namespace, env):
    kube.create_queue(namespace, "steady", status=synced_status("steady", namespace))
    run = Playbook(env, [wait_task(queue_ref(namespace, "steady", timeout=30, quiet_period=2))]).run()
    task = run.task("wait")
    assert run.rc == 0, run.out
    assert 2.0 <= task["result"]["elapsed"] < 6.0


def test_check_mode_evaluates_once_without_waiting(kube, namespace, env):
    kube.create_queue(namespace, "pending-one")
    run = Playbook(env, [wait_task(queue_ref(namespace, "pending-one", timeout=120))], check=True).run()
    task = run.task("wait")
    assert run.rc == 0, run.out
    result = task["result"]
    assert result["changed"] is False
    assert result["resources"][0]["done"] is False
    assert result["pending"] == ["Queue {0}/pending-one".format(namespace)]
    assert task["end"] - task["start"] < 20


def test_bad_input_gives_clear_errors(kube, namespace, env):
    tasks = [
        wait_task({"name": "x", "namespace": namespace}, name="no kind", ignore_errors=True),
        wait_task({"api_version": TEST_API_VERSION, "kind": "Nope", "name": "x", "namespace": namespace},
                  name="unknown kind", ignore_errors=True),
        wait_task(queue_ref(namespace, "does-not-exist", timeout=120), name="missing", ignore_errors=True),
        wait_task({"api_version": TEST_API_VERSION, "kind": "Queue", "namespace": namespace,
                   "label_selectors": ["app=none"], "timeout": 120}, name="empty selector", ignore_errors=True),
        wait_task({"api_version": TEST_API_VERSION, "kind": "Queue", "name": "x", "namespace": namespace,
                   "timeout": 5, "quiet_period": 9}, name="quiet too long", ignore_errors=True),
    ]
    run = Playbook(env, tasks).run()
    msg = {name: run.task(name)["result"]["msg"] for name in
           ("no kind", "unknown kind", "missing", "empty selector", "quiet too long")}
    assert "missing parameter(s) required by 'name': api_version, kind" in msg["no kind"]
    assert "Unknown kind 'Nope'" in msg["unknown kind"] and "CRDs are installed" in msg["unknown kind"]
    assert msg["missing"].startswith("Not found: Queue {0}/does-not-exist".format(namespace))
    assert "No Queue matches the label selector 'app=none'" in msg["empty selector"]
    assert "quiet_period must be" in msg["quiet too long"]
    missing = run.task("missing")
    assert missing["end"] - missing["start"] < 20   # did not sit out its 120 s timeout


# --- end to end against the controllers (stand-ins in the sandbox, real ACK on EKS) -----------

def _dynamodb_controller_running(kube):
    if not kube.crd_exists("tables.dynamodb.services.k8s.aws"):
        return "the dynamodb controller chart (Table CRD) is not installed"
    try:
        deployments = kube.apps.list_namespaced_deployment("ack-system").items
    except Exception as exc:
        return "cannot list deployments in ack-system: {0}".format(exc)
    if not any("dynamodb" in d.metadata.name for d in deployments):
        return "no dynamodb controller Deployment in ack-system"
    try:
        urllib.request.urlopen(os.environ["ACKOPS_ACK_SUPERVISOR_URL"] + "/healthz", timeout=2).read()
    except Exception as exc:
        return "the stand-in controller supervisor is not answering on {0} ({1})".format(
            os.environ["ACKOPS_ACK_SUPERVISOR_URL"], exc)
    return None


@pytest.fixture
def dynamodb_controller(kube, env):
    """The sandbox's dynamodb controller, installed from the local registry as the controllers role
    would, when no earlier test left one running; removed again if this fixture installed it."""
    installed = False
    release = ["ack-dynamodb-controller", "--namespace", "ack-system"]
    if _dynamodb_controller_running(kube):
        subprocess.run(["helm", "upgrade", "--install", *release,
                        "oci://{0}/aws-controllers-k8s/dynamodb-chart".format(env["ACKOPS_REGISTRY"]),
                        "--version", "1.9.2", "--plain-http", "--create-namespace",
                        "--set", "aws.region={0}".format(env["AWS_REGION"]),
                        "--set", "aws.endpoint_url={0}".format(env["AWS_ENDPOINT_URL"]),
                        "--set", "aws.allow_unsafe_aws_endpoint_urls=true", "--wait", "--timeout", "180s"],
                       env=env, check=True, capture_output=True, text=True, timeout=240)
        installed = True
    reason = _dynamodb_controller_running(kube)
    assert reason is None, reason
    yield
    if installed:
        subprocess.run(["helm", "uninstall", *release, "--wait"], env=env, check=False, capture_output=True, timeout=240)


def test_invalid_table_reports_terminal_within_seconds(kube, namespace, env, dynamodb_controller):
    table = {
        "apiVersion": "dynamodb.services.k8s.aws/v1alpha1", "kind": "Table",
        "metadata": {"name": "ackwait-invalid", "namespace": namespace},
        # the hash key is not among the attribute definitions: DynamoDB rejects the table
        "spec": {"tableName": "ackwait-invalid-{0}".format(namespace),
                 "attributeDefinitions": [{"attributeName": "id", "attributeType": "S"}],
                 "keySchema": [{"attributeName": "email", "keyType": "HASH"}],
                 "billingMode": "PAY_PER_REQUEST"},
    }
    tasks = [
        {"name": "create", "kubernetes.core.k8s": {"state": "present", "definition": table}, "register": "table"},
        wait_task({"api_version": "dynamodb.services.k8s.aws/v1alpha1", "kind": "Table", "name": "ackwait-invalid",
                   "namespace": namespace, "since": "{{ table }}", "timeout": 120}),
    ]
    try:
        run = Playbook(env, tasks).run()
        task = run.task("wait")
        assert run.rc != 0
        assert "ACK.Terminal=True" in task["result"]["msg"], task["result"]["msg"]
        assert task["end"] - task["start"] < 20
    finally:
        try:
            kube.custom.delete_namespaced_custom_object("dynamodb.services.k8s.aws", "v1alpha1", namespace,
                                                        "tables", "ackwait-invalid")
        except Exception:
            pass
        # let the controller drop its finalizer before the namespace goes
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                kube.custom.get_namespaced_custom_object("dynamodb.services.k8s.aws", "v1alpha1", namespace,
                                                         "tables", "ackwait-invalid")
            except Exception:
                break
            time.sleep(0.5)

