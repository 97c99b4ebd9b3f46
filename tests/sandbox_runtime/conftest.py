# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Private servers for the Lambda runtime tests, on test-only loopback ports.

The tests here do not need Kubernetes or ACK: they start their own moto (through
sandbox/aws/moto_main.py, so with the sandbox shims) on 127.0.0.1:23101 and their own poller
(healthz 23102, RIE ports 23110-23119), a registry on 23103 (all shifted by the port offset; 23100-23199 is outside every sandbox's ports at any offset up to 2000), and stop them by PID; a second
moto + poller pair (23104, 23105, RIE 23120-23139) serves tests that stop the poller or run
several pollers per mapping. They never touch the sandbox's
ports (15001, 19000-19099), so they run whether the sandbox is up or not.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import pytest
from ackops_sandbox.config import PORT_OFFSET

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

OFFSET = PORT_OFFSET  # the checkout's sandbox port offset (sandbox/README.md), so worktrees do not collide
MOTO_PORT = 23101 + OFFSET
POLLER_PORT = 23102 + OFFSET
RIE_PORTS = "%d-%d" % (23110 + OFFSET, 23119 + OFFSET)
REGISTRY = "127.0.0.1:%d" % (23103 + OFFSET)


def _get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_http(url, proc, timeout, log_path):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status, body = _get(url)
            if 200 <= status < 300:  # moto answers /moto-api/config with 201
                return body
            last = status
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.3)
    with open(log_path, "rb") as handle:
        tail = handle.read()[-3000:].decode("utf-8", "replace")
    raise AssertionError("%s did not answer 2xx in %ss (last: %s); log tail:\n%s" % (url, timeout, last, tail))


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def rie_binary():
    """The RIE build.sh produces (a no-op when it is cached, which sandboxctl up ensures)."""
    done = subprocess.run(["bash", os.path.join(REPO, "sandbox", "build.sh"), "rie"],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise AssertionError("sandbox/build.sh rie failed:\n%s" % done.stderr[-2000:])
    return done.stdout.strip().splitlines()[-1]


def crane_binary():
    done = subprocess.run(["bash", os.path.join(REPO, "sandbox", "build.sh"), "crane"],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise AssertionError("sandbox/build.sh crane failed:\n%s" % done.stderr[-2000:])
    return done.stdout.strip().splitlines()[-1]


def aws_env():
    return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}


def start_moto(port, log_dir):
    """moto through sandbox/aws/moto_main.py (every shim applied), Lambda without Docker."""
    endpoint = "http://127.0.0.1:%d" % port
    log_path = os.path.join(str(log_dir), "moto.log")
    env = dict(os.environ, **aws_env())
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, os.path.join(REPO, "sandbox", "aws", "moto_main.py"),
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        wait_http(endpoint + "/moto-api/config", proc, 45, log_path)
        req = urllib.request.Request(endpoint + "/moto-api/config", method="POST",
                                     data=json.dumps({"lambda": {"use_docker": False}}).encode("utf-8"))
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert json.loads(resp.read())["lambda"]["use_docker"] is False
    except BaseException:
        stop(proc)
        raise
    return proc, endpoint


def start_poller(endpoint, port, rie_ports, base, registry=REGISTRY, extra_args=()):
    """sandbox/lambda_runtime/poller.py against endpoint; logs in base/logs, code in base/work."""
    log_dir, work_dir = os.path.join(str(base), "logs"), os.path.join(str(base), "work")
    os.makedirs(log_dir, exist_ok=True)
    env = dict(os.environ, **aws_env())
    env["AWS_ENDPOINT_URL"] = endpoint
    cmd = [sys.executable, os.path.join(REPO, "sandbox", "lambda_runtime", "poller.py"),
           "--port", str(port), "--rie-ports", rie_ports, "--endpoint", endpoint,
           "--log-dir", log_dir, "--work-dir", work_dir, "--poll-interval", "0.5",
           "--rie", rie_binary(), "--crane", crane_binary(), "--registry", registry] + list(extra_args)
    out_path = os.path.join(log_dir, "poller.stdout.log")
    with open(out_path, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        wait_http("http://127.0.0.1:%d/healthz" % port, proc, 60, out_path)
    except BaseException:
        stop(proc)
        raise
    return proc, {"url": "http://127.0.0.1:%d" % port, "log_dir": log_dir, "work_dir": work_dir,
                  "proc": proc, "registry": registry}


def leftover_rie_pids(work_dir):
    pid_dir = os.path.join(work_dir, "pids")
    return os.listdir(pid_dir) if os.path.isdir(pid_dir) else []


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    proc, endpoint = start_moto(MOTO_PORT, tmp_path_factory.mktemp("moto"))
    try:
        yield endpoint
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def clients(moto_endpoint):
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="testing",
                                    aws_secret_access_key="testing")
    return dict((name, session.client(name, endpoint_url=moto_endpoint))
                for name in ("iam", "sqs", "lambda", "dynamodb", "logs"))


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    """A private OCI registry (crane registry serve) on 127.0.0.1:23103; yields (host:port, crane)."""
    crane = crane_binary()
    disk = tmp_path_factory.mktemp("registry")
    log_path = str(disk / "registry.log")
    address = REGISTRY
    with open(log_path, "ab") as log:
        (disk / "data").mkdir()
        proc = subprocess.Popen([crane, "registry", "serve", "--address", address, "--disk", str(disk / "data")],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_http("http://%s/v2/" % address, proc, 20, log_path)
        yield address, crane
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def poller(moto_endpoint, tmp_path_factory):
    """Our poller against the private moto; yields a dict with its URL, log dir and registry."""
    registry = os.environ.get("ACKOPS_TEST_REGISTRY", REGISTRY)
    proc, info = start_poller(moto_endpoint, POLLER_PORT, RIE_PORTS, tmp_path_factory.mktemp("runtime"), registry)
    try:
        yield info
    finally:
        stop(proc)
        leftovers = leftover_rie_pids(info["work_dir"])
        assert not leftovers, "the poller left RIE processes behind: %s" % leftovers


@pytest.fixture
def second_stack(tmp_path):
    """Another moto (23104) and poller (23105, RIE 23120-23139, --max-concurrency 3), for tests
    that stop the poller or need several pollers per mapping."""
    moto_proc, endpoint = start_moto(23104 + OFFSET, tmp_path)
    procs = [moto_proc]
    try:
        poller_proc, info = start_poller(endpoint, 23105 + OFFSET, "%d-%d" % (23120 + OFFSET, 23139 + OFFSET), tmp_path,
                                         extra_args=["--max-concurrency", "3"])
        procs.append(poller_proc)
        session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="testing",
                                        aws_secret_access_key="testing")
        info["leftover_rie_pids"] = lambda: leftover_rie_pids(info["work_dir"])
        info["clients"] = dict((name, session.client(name, endpoint_url=endpoint))
                               for name in ("iam", "sqs", "lambda", "dynamodb", "logs"))
        yield info
    finally:
        for proc in reversed(procs):
            stop(proc)


@pytest.fixture
def runtime_stats(poller):
    """A callable returning the poller's GET /stats document."""
    def _stats():
        status, body = _get(poller["url"] + "/stats")
        assert status == 200, body
        return json.loads(body)
    return _stats
