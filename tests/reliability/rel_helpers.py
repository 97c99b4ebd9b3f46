# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Shared by the reliability cases: playbook runs (streamed, so a fault can be injected when a given
task starts), the sandbox's processes by PID, the pipeline's state in Kubernetes and in AWS, and the
figures file tests/output/reliability.json that tests/reliability/report.py turns into
docs/reliability.md."""

import fcntl
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from ackops_sandbox import components, proc  # the sandbox's own PID and component helpers

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / ".venv" / "bin" / "ansible-playbook"
FIGURES = Path(os.environ.get("ACKOPS_RELIABILITY_FIGURES", REPO / "tests" / "output" / "reliability.json"))
PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
RUN_LOGS = FIGURES.parent / "reliability-runs"  # every run's output, numbered, for the evidence

# ACKOPS_RELIABILITY_FULL=1 (make reliability-full) runs the full sizes where make test runs smaller ones.
FULL = os.environ.get("ACKOPS_RELIABILITY_FULL", "") not in ("", "0")
DISRUPTIVE = os.environ.get("ACKOPS_SANDBOX_DISRUPTIVE_TESTS") == "1"
disruptive = pytest.mark.skipif(not DISRUPTIVE, reason="restarts or kills sandbox processes; set "
                                                       "ACKOPS_SANDBOX_DISRUPTIVE_TESTS=1 (CI, or a sandbox of your own)")

QUEUE, DLQ, TABLE = "sqs-queue-demo-ack", "sqs-queue-demo-ack-dlq", "customer"
FUNCTION, ROLE = "demo-sqs-dynamodb-func-ack", "demo-sqs-dynamodb-func-ack-role"
ESM = FUNCTION + "-sqs"
NAMESPACE = "default"
ACK = {  # kind -> (group, plural)
    "Queue": ("sqs.services.k8s.aws", "queues"),
    "Table": ("dynamodb.services.k8s.aws", "tables"),
    "Function": ("lambda.services.k8s.aws", "functions"),
    "EventSourceMapping": ("lambda.services.k8s.aws", "eventsourcemappings"),
}
PIPELINE = [("Queue", DLQ), ("Table", TABLE), ("Queue", QUEUE), ("Function", FUNCTION), ("EventSourceMapping", ESM)]
CONTROLLER_OF = {"Queue": "sqs", "Table": "dynamodb", "Function": "lambda", "EventSourceMapping": "lambda"}
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
SMOKE_OK = re.compile(r"(\d+) messages sent to \S+, (\d+) items found in \S+ after \d+ s")
TASK_LINE = re.compile(r"^TASK \[(?:[\w.]+ : )?(.*?)\] \*")


# ----------------------------------------------------------------------------- playbook runs

class Run:
    """One ansible-playbook run: rc, output (stdout and stderr), seconds, the recap and the smoke test."""

    def __init__(self, argv, rc, output, seconds, started_at):
        self.argv, self.rc, self.output, self.seconds, self.started_at = argv, rc, output, seconds, started_at
        found = RECAP.findall(output)
        self.recap = dict(zip(("ok", "changed", "unreachable", "failed"), (int(x) for x in found[-1]))) if found else None
        smoke = SMOKE_OK.findall(output)
        self.smoke_passed = bool(smoke) and smoke[-1][0] == smoke[-1][1]

    def tail(self, chars=6000):
        return self.output[-chars:]

    def failure(self):
        """The messages of the failed tasks ('fatal: ... msg'), for reports."""
        messages = []
        for line in self.output.splitlines():
            if line.startswith("fatal:") or line.startswith("ERROR!") or line.startswith("[ERROR]"):
                found = re.search(r'"msg": "((?:[^"\\]|\\.)*)"', line)
                messages.append(json.loads('"%s"' % found.group(1)) if found else line)
        return " || ".join(messages)

    def task_seconds(self, name_part):
        """Seconds between the start of the first task whose name contains name_part and the next task
        (the streamed output carries the times; None when that task did not run)."""
        times = getattr(self, "task_starts", [])
        for i, (name, at) in enumerate(times):
            if name_part in name:
                return round((times[i + 1][1] if i + 1 < len(times) else self.started_at + self.seconds) - at, 1)
        return None


def playbook_env(extra=None):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               PYTHONUNBUFFERED="1")
    env.update(extra or {})
    return env


_LOG_NUMBER = threading.Lock()


def run_playbook(playbook, *args, env=None, on_task=None, timeout=1200, cwd=REPO, quiet=False):
    """Run ansible-playbook, streaming its output; on_task(name) is called (in this thread) when a task
    starts, so a test can inject a fault at a chosen point. Returns a Run (never raises on rc != 0)."""
    argv = [str(PLAYBOOK), str(playbook), *args]
    started_at, started = time.time(), time.monotonic()
    lines, task_starts = [], []
    child = subprocess.Popen(argv, cwd=cwd, env=env or playbook_env(), text=True, bufsize=1,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timer = threading.Timer(timeout, child.kill)
    timer.start()
    try:
        for line in child.stdout:
            lines.append(line)
            found = TASK_LINE.match(line)
            if found:
                task_starts.append((found.group(1), time.time()))
                if on_task is not None:
                    on_task(found.group(1))
        child.wait()
    finally:
        timer.cancel()
    run = Run(argv, child.returncode, "".join(lines), round(time.monotonic() - started, 1), started_at)
    run.task_starts = task_starts
    timeline = "".join(f"# {at - started_at:7.1f} s  {name}\n" for name, at in task_starts)
    with _LOG_NUMBER:  # runs of parallel threads get numbers of their own
        RUN_LOGS.mkdir(parents=True, exist_ok=True)
        run.log = RUN_LOGS / f"{len(list(RUN_LOGS.glob('*.log'))) + 1:03d}-{Path(str(playbook)).stem}.log"
        run.log.write_text(f"$ {' '.join(argv)}\n# rc {run.rc} in {run.seconds} s\n{run.output}\n# task start times\n{timeline}",
                           encoding="utf-8")
    if not quiet:
        print(f"\n{playbook} {' '.join(args)} -> rc {run.rc} in {run.seconds} s ({run.log.name})")
    return run


def run_site(*args, **kwargs):
    return run_playbook("site.yml", *args, **kwargs)


def assert_converged(run, smoke=True):
    assert run.rc == 0, f"{' '.join(run.argv[1:])} failed (rc {run.rc}): {run.failure()}\n{run.tail()}"
    if smoke:
        assert run.smoke_passed, "the smoke test did not report all its items:\n" + run.tail()


# ----------------------------------------------------------------------------- the sandbox's processes

def component_pid(name):
    """PID of a sandbox component of THIS checkout (its pid file, checked against its command line)."""
    pid = proc.read_pid(name, components.named(name).signature())
    assert pid, f"sandbox component {name} is not running (no live PID in .sandbox/run/{name}.pid)"
    return pid


def kill_component(name, sig=signal.SIGKILL):
    """Kill one component of this checkout's sandbox by its PID; returns the PID."""
    pid = component_pid(name)
    os.kill(pid, sig)
    return pid


def sandbox_up(timeout=600):
    """sandboxctl up: restarts what is missing; returns (seconds, output)."""
    started = time.monotonic()
    result = subprocess.run([str(REPO / ".venv" / "bin" / "python"), str(REPO / "sandbox" / "sandboxctl.py"), "up"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                            check=False)
    assert result.returncode == 0, "sandboxctl up failed:\n" + result.stdout
    return round(time.monotonic() - started, 1), result.stdout


def supervisor_status():
    url = os.environ["ACKOPS_ACK_SUPERVISOR_URL"].rstrip("/") + "/status"
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.load(answer)


def controller_pid(service):
    """PID of the ACK controller process of a service, from the supervisor of this sandbox."""
    child = supervisor_status()["controllers"][service]
    assert child["alive"], f"the {service} controller is not running: {child}"
    return child["pid"], child["restarts"]


# ----------------------------------------------------------------------------- Kubernetes and AWS

class Kube:
    def __init__(self, kubeconfig):
        from kubernetes import client, config

        self.client = client
        api = config.new_client_from_config(config_file=kubeconfig)
        self.custom = client.CustomObjectsApi(api)
        self.core = client.CoreV1Api(api)
        self.apps = client.AppsV1Api(api)

    def get(self, kind, name, namespace=NAMESPACE):
        group, plural = ACK[kind]
        try:
            return self.custom.get_namespaced_custom_object(group, "v1alpha1", namespace, plural, name)
        except self.client.ApiException as err:
            if err.status == 404:
                return None
            raise

    def list(self, kind):
        group, plural = ACK[kind]
        return self.custom.list_cluster_custom_object(group, "v1alpha1", plural)["items"]

    def state(self):
        """What must not move when a bad input is rejected: resourceVersion of every pipeline custom
        resource, of the controllers' ServiceAccounts and Deployments' templates, and the Helm revisions."""
        state = {}
        for kind, name in PIPELINE:
            obj = self.get(kind, name)
            state[f"{kind}/{name}"] = obj["metadata"]["resourceVersion"] if obj else None
        for account in self.core.list_namespaced_service_account("ack-system").items:
            if account.metadata.name.startswith("ack-"):
                state[f"ServiceAccount/{account.metadata.name}"] = account.metadata.resource_version
        for secret in self.core.list_namespaced_secret("ack-system", label_selector="owner=helm").items:
            labels = secret.metadata.labels
            if labels.get("status") == "deployed":
                state[f"helm/{labels['name']}"] = int(labels["version"])
        return state


def aws_clients(endpoint=None, region="us-east-1"):
    endpoint = endpoint or os.environ["AWS_ENDPOINT_URL"]
    return {svc: boto3.client(svc, endpoint_url=endpoint, region_name=region)
            for svc in ("sqs", "dynamodb", "lambda", "iam", "logs", "ecr", "sts")}


def aws_inventory(aws, function=FUNCTION, queues=(QUEUE, DLQ), table=TABLE, role=ROLE):
    """How many of each of the pipeline's AWS resources exist (the mappings of the function, by queue)."""
    urls = []
    for page in aws["sqs"].get_paginator("list_queues").paginate(QueueNamePrefix=queues[0][:40]):
        urls.extend(page.get("QueueUrls", []))
    names = [u.rsplit("/", 1)[1] for u in urls]
    functions = [f["FunctionName"] for page in aws["lambda"].get_paginator("list_functions").paginate()
                 for f in page["Functions"]]
    mappings = [m for page in aws["lambda"].get_paginator("list_event_source_mappings").paginate()
                for m in page["EventSourceMappings"] if m["FunctionArn"].endswith(":function:" + function)]
    roles = [r["RoleName"] for page in aws["iam"].get_paginator("list_roles").paginate() for r in page["Roles"]]
    tables = [t for page in aws["dynamodb"].get_paginator("list_tables").paginate() for t in page["TableNames"]]
    counts = {f"queue {q}": names.count(q) for q in queues}
    counts.update({f"table {table}": tables.count(table), f"function {function}": functions.count(function),
                   f"role {role}": roles.count(role)})
    by_queue = {}
    for mapping in mappings:
        by_queue.setdefault(mapping["EventSourceArn"].rsplit(":", 1)[1], []).append(mapping["UUID"])
    counts[f"mapping {function} <- {queues[0]}"] = len(by_queue.get(queues[0], []))
    counts["mappings of the function, all queues"] = len(mappings)
    return counts


def assert_exactly_one_of_each(aws, kube=None):
    counts = aws_inventory(aws)
    assert all(n == 1 for n in counts.values()), f"expected exactly one of each AWS resource: {counts}"
    if kube is not None:
        for kind, name in PIPELINE:
            names = [o["metadata"]["name"] for o in kube.list(kind)]
            assert names.count(name) == 1, f"{kind} {name}: {names}"
    return counts


def delete_out_of_band(aws, kind):
    """Delete the pipeline's AWS resource of one kind directly in AWS (moto), behind ACK's back."""
    if kind == "Queue":
        aws["sqs"].delete_queue(QueueUrl=aws["sqs"].get_queue_url(QueueName=QUEUE)["QueueUrl"])
    elif kind == "Table":
        aws["dynamodb"].delete_table(TableName=TABLE)
    elif kind == "Function":
        aws["lambda"].delete_function(FunctionName=FUNCTION)
    elif kind == "EventSourceMapping":
        for mapping in aws["lambda"].list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"]:
            aws["lambda"].delete_event_source_mapping(UUID=mapping["UUID"])
    else:
        raise ValueError(kind)


def aws_has(aws, kind):
    try:
        if kind == "Queue":
            aws["sqs"].get_queue_url(QueueName=QUEUE)
        elif kind == "Table":
            aws["dynamodb"].describe_table(TableName=TABLE)
        elif kind == "Function":
            aws["lambda"].get_function(FunctionName=FUNCTION)
        else:
            return len(aws["lambda"].list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"]) > 0
        return True
    except aws["sqs"].exceptions.QueueDoesNotExist:
        return False
    except Exception as err:  # the other services' not-found errors
        if "NotFound" in type(err).__name__ or "ResourceNotFound" in str(err):
            return False
        raise


# ----------------------------------------------------------------------------- figures

@contextmanager
def _locked_figures():
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    with open(FIGURES.with_suffix(".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(FIGURES.read_text(encoding="utf-8")) if FIGURES.exists() else {}
        yield data
        FIGURES.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def record(case, key, value):
    """Store one figure: figures[case][key] = value (merged into tests/output/reliability.json)."""
    with _locked_figures() as data:
        data.setdefault("cases", {}).setdefault(case, {})[key] = value


def record_meta(**values):
    with _locked_figures() as data:
        data.setdefault("meta", {}).update(values)
