# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Run a playbook the way AWX runs a job: ansible-runner, a private data dir, the execution environment.

The private data dir holds what AWX puts there: the project, the inventory, `env/extravars` (the
survey's answers) and `env/envvars` with only what AWX's credential types inject. The job runs in
the execution environment (`podman run`, host network to reach the sandbox on 127.0.0.1), so
nothing of the test process's environment (KUBECONFIG, AWS variables, PATH) reaches it.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CONTAINERS_CONF = REPO / ".cache" / "ee" / "containers.conf"


# What AWX's credential types inject (awx/main/models/credential/injectors.py).
def aws_credential(access_key, secret_key, session_token=None):
    """"Amazon Web Services": the key pair and, for temporary credentials, the session token."""
    env = {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    if session_token:
        env["AWS_SECURITY_TOKEN"] = session_token
        env["AWS_SESSION_TOKEN"] = session_token
    return env


def k8s_bearer_credential(private_data_dir, host, bearer_token, ca_pem=None, verify_ssl=True):
    """"OpenShift or Kubernetes API Bearer Token": host and token; with a CA, a file AWX writes into env/."""
    env = {"K8S_AUTH_HOST": host, "K8S_AUTH_API_KEY": bearer_token}
    if verify_ssl and ca_pem:
        env_dir = Path(private_data_dir) / "env"
        env_dir.mkdir(parents=True, exist_ok=True)
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as out:
            out.write(ca_pem)
        os.chmod(path, 0o660)
        env["K8S_AUTH_VERIFY_SSL"] = "True"
        env["K8S_AUTH_SSL_CA_CERT"] = "/runner/env/" + os.path.basename(path)  # the path inside the EE
    else:
        env["K8S_AUTH_VERIFY_SSL"] = "False"
    return env


def sandbox_inventory(sandbox_env):
    """The sandbox inventory with concrete values: an AWX job gets no ACKOPS_* environment."""
    registry = sandbox_env["ACKOPS_REGISTRY"]
    return {
        "all": {
            "hosts": {"localhost": {"ansible_connection": "local",
                                    "ansible_python_interpreter": "{{ ansible_playbook_python }}"}},
            "vars": {
                "ackops_aws_region": sandbox_env["AWS_REGION"],
                "ackops_aws_endpoint_url": sandbox_env["AWS_ENDPOINT_URL"],
                "ackops_eks_cluster_name": sandbox_env["ACKOPS_EKS_CLUSTER"],
                "ackops_ack_namespace": "ack-system",
                "ackops_chart_registry": f"oci://{registry}/aws-controllers-k8s",
                "ackops_chart_plain_http": True,
                "ackops_image_registry": registry,
                "ackops_sandbox": True,
                "lambda_image_base_image": "",
            },
        }
    }


def plain_copy(dest):
    """What git tracks of the repository: an AWX project sync of this repository."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=REPO, check=True, capture_output=True).stdout
    files = [f for f in listing.decode().split("\0") if f and os.path.lexists(REPO / f)]
    pack = subprocess.run(["tar", "--null", "-T", "-", "-cf", "-"], cwd=REPO, input="\0".join(files).encode(),
                          check=True, capture_output=True).stdout
    Path(dest).mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-xf", "-", "-C", str(dest)], input=pack, check=True)


def thin_project(dest, playbooks):
    """A user's thin project: playbooks that import the execution environment's collection."""
    Path(dest).mkdir(parents=True, exist_ok=True)
    for name, imported in playbooks.items():
        Path(dest, name).write_text(yaml.safe_dump(
            [{"name": f"Run {imported}", "ansible.builtin.import_playbook": imported}], sort_keys=False))


@dataclass
class JobResult:
    rc: int
    status: str
    stats: dict
    events: list
    stdout: str
    artifact_dir: Path
    secrets_checked: list = field(default_factory=list)

    def changed(self):
        return sum((self.stats or {}).get("changed", {}).values())

    def failed_tasks(self):
        return [e for e in self.events if e.get("event") == "runner_on_failed"
                and not e.get("event_data", {}).get("ignore_errors")]

    def task_names(self):
        return [e["event_data"].get("task") for e in self.events if e.get("event") == "playbook_on_task_start"]

    def roles_run(self):
        """The roles whose tasks started, in order, once each."""
        roles = [e["event_data"].get("role") for e in self.events if e.get("event") == "playbook_on_task_start"]
        return list(dict.fromkeys(r for r in roles if r))

    def summary(self):
        tail = "\n".join(self.stdout.splitlines()[-40:])
        return f"status={self.status} rc={self.rc} stats={self.stats}\n{tail}"


class Job:
    """One job run in a fresh private data dir under `root`."""

    def __init__(self, root, name, image, project, inventory, extravars=None):
        self.dir = Path(root) / name
        shutil.rmtree(self.dir, ignore_errors=True)
        (self.dir / "env").mkdir(parents=True)
        (self.dir / "inventory").mkdir()
        project(self.dir / "project")
        (self.dir / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory, sort_keys=False))
        (self.dir / "env" / "extravars").write_text(json.dumps(extravars or {}))
        # As AWX: the job runs in the execution environment; root inside it owns the private data dir.
        (self.dir / "env" / "settings").write_text(json.dumps({
            "process_isolation": True,
            "process_isolation_executable": "podman",
            "container_image": image,
            "container_options": ["--user=0"],
        }))
        self.envvars = {}
        self.secrets = []

    def credential(self, env, secret_keys=("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "K8S_AUTH_API_KEY")):
        self.envvars.update(env)
        self.secrets += [env[k] for k in secret_keys if env.get(k)]
        return self

    def run(self, playbook, timeout=1800):
        import ansible_runner

        (self.dir / "env" / "envvars").write_text(json.dumps(self.envvars))
        previous = os.environ.get("CONTAINERS_CONF")
        os.environ["CONTAINERS_CONF"] = str(CONTAINERS_CONF)
        try:
            runner = ansible_runner.run(private_data_dir=str(self.dir), playbook=playbook, quiet=True,
                                        timeout=timeout, ident=secrets.token_hex(4))
        finally:
            if previous is None:
                os.environ.pop("CONTAINERS_CONF", None)
            else:
                os.environ["CONTAINERS_CONF"] = previous
        artifact_dir = Path(runner.config.artifact_dir)
        stdout = (artifact_dir / "stdout").read_text(errors="replace") if (artifact_dir / "stdout").exists() else ""
        events = list(runner.events)
        return JobResult(rc=runner.rc, status=runner.status, stats=runner.stats or {}, events=events,
                         stdout=stdout, artifact_dir=artifact_dir, secrets_checked=list(self.secrets))


# What AWX keeps of a job: its events and its output. (runner's artifacts/<id>/command and env.list
# and the env/ files carry the credentials to the job by design, like AWX's private data dir,
# which AWX deletes when the job ends.)
JOB_OUTPUTS = ("job_events", "stdout", "stderr", "fact_cache", "status", "rc")


def leaked_secrets(result):
    """Each secret value found in the job's events or output, with the file it is in."""
    found = []
    for name in JOB_OUTPUTS:
        path = result.artifact_dir / name
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path] if path.exists() else []
        for file in files:
            text = file.read_text(errors="replace")
            for value in result.secrets_checked:
                if value and value in text:
                    found.append(f"{file.relative_to(result.artifact_dir)}: {value[:6]}...")
    return found


def run_timed(job, playbook):
    """Run the job, print its time, status and changes, and fail on any secret in what AWX would keep."""
    started = time.monotonic()
    result = job.run(playbook)
    print(f"\n{job.dir.name}: {playbook} took {time.monotonic() - started:.0f}s, status={result.status}, "
          f"changed={result.changed()}", file=sys.stderr)
    assert not leaked_secrets(result), leaked_secrets(result)
    return result


def task_failure_messages(result):
    return [e["event_data"].get("res", {}).get("msg", "") for e in result.failed_tasks()]


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
