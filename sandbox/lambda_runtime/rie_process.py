# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Run one Lambda function under the AWS Lambda Runtime Interface Emulator (RIE) with awslambdaric.

The runtime's Python packages live in their own venv under the sandbox cache, created on first
use from requirements-runtime.txt (exact pins): handlers see awslambdaric and boto3 as in AWS's
Python runtime, not the project's development tools.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import function_logs

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(HERE, "requirements-runtime.txt")
VERSIONS_ENV = os.path.join(os.path.dirname(HERE), "versions.env")
INVOKE_PATH = "/2015-03-31/functions/function/invocations"


class RuntimeStartError(Exception):
    """The runtime cannot be started; the message says what to fix."""


class ProcessRetired(Exception):
    """The process was stopped (replaced) before the event was sent: the handler never saw it."""


def cache_dir():
    return os.environ.get("ACKOPS_SANDBOX_CACHE") or os.path.expanduser("~/.cache/ackops-sandbox")


def rie_binary():
    """Path of the RIE built by sandbox/build.sh rie (override: ACKOPS_RIE_BIN)."""
    if os.environ.get("ACKOPS_RIE_BIN"):
        return os.environ["ACKOPS_RIE_BIN"]
    version = None
    with open(VERSIONS_ENV) as handle:
        for line in handle:
            if line.startswith("RIE_VERSION="):
                version = line.split("=", 1)[1].strip()
    path = os.path.join(cache_dir(), "bin", "rie-%s" % version)
    if not os.access(path, os.X_OK):
        raise RuntimeStartError("the Runtime Interface Emulator is missing at %s: run 'sandbox/build.sh rie'" % path)
    return path


def runtime_python(log=None):
    """Python of the runtime venv, created (once, under a file lock) if missing."""
    with open(REQUIREMENTS, "rb") as handle:
        key = hashlib.sha256(handle.read()).hexdigest()[:12]
    base = os.path.join(cache_dir(), "lambda-runtime")
    venv = os.path.join(base, "py%d%d-%s" % (sys.version_info[0], sys.version_info[1], key))
    python = os.path.join(venv, "bin", "python")
    stamp = os.path.join(venv, ".complete")
    if os.path.exists(stamp):
        return python
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(stamp):
            return python
        if log:
            log("creating the Lambda runtime venv %s (pip install from %s)" % (venv, REQUIREMENTS))
        base_python = getattr(sys, "_base_executable", None) or sys.executable
        steps = [
            [base_python, "-m", "venv", "--clear", venv],
            [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "-r", REQUIREMENTS],
        ]
        for cmd in steps:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                raise RuntimeStartError(
                    "creating the Lambda runtime venv failed: %s\n%s" % (" ".join(cmd), done.stderr.strip()[-2000:]))
        with open(stamp, "w") as handle:
            handle.write("ok\n")
    return python


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class PortPool:
    """RIE listen ports (19001-19099 in the sandbox)."""

    def __init__(self, first, last):
        self._free = list(range(first, last + 1))
        self._lock = threading.Lock()

    def take_many(self, count):
        taken = []
        try:
            for _i in range(count):
                taken.append(self.take())
        except RuntimeStartError:
            for port in taken:
                self.give(port)
            raise
        return taken

    def take(self):
        with self._lock:
            for port in list(self._free):
                self._free.remove(port)
                if port_is_free(port):
                    return port
                self._free.append(port)
        raise RuntimeStartError("no free port left for a Runtime Interface Emulator")

    def give(self, port):
        with self._lock:
            if port not in self._free:
                self._free.append(port)


def function_environment(config, code, endpoint, region, extra=None):
    """The environment Lambda gives a Python function, pointed at the sandbox endpoint.

    RIE forwards its whole environment to the function, so this is built from scratch.
    """
    name = config["FunctionName"]
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LAMBDA_TASK_ROOT": code.code_dir,
        "LAMBDA_RUNTIME_DIR": os.path.dirname(code.code_dir),
        "PYTHONPATH": code.code_dir,
        "PYTHONUNBUFFERED": "1",
        "_HANDLER": code.handler,
        "AWS_EXECUTION_ENV": "AWS_Lambda_%s" % (config.get("Runtime") or "python3.11"),
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.get("MemorySize") or 128),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(config.get("Timeout") or 3),
        "AWS_LAMBDA_FUNCTION_VERSION": config.get("Version") or "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/%s" % name,
        "AWS_LAMBDA_LOG_STREAM_NAME": "sandbox/[$LATEST]%s" % config.get("RevisionId", "0")[:8],
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": endpoint,
        # The sandbox's dummy credentials; on AWS these are the execution role's session.
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        "AWS_SESSION_TOKEN": "sandbox",
    }
    env.update(code.image_env or {})
    env.update((config.get("Environment") or {}).get("Variables") or {})
    env.update(extra or {})
    env.pop("AWS_LAMBDA_MAX_CONCURRENCY", None)  # would switch RIE into managed-instances mode
    return env


class FunctionProcess:
    """One RIE + awslambdaric process serving one function version, invoked one event at a time."""

    def __init__(self, config, code, ports, log_path, endpoint, region, python, rie, pid_dir=None, log_shipper=None):
        """ports: (invoke port, Runtime API port); every RIE needs its own of both. Output goes to
        log_path and, through log_shipper (function_logs.LogShipper), to CloudWatch Logs."""
        self.name = config["FunctionName"]
        self.timeout = int(config.get("Timeout") or 3)
        self.ports = tuple(ports)
        port, api_port = self.ports
        self.port = port
        self.url = "http://127.0.0.1:%d%s" % (port, INVOKE_PATH)
        self._lock = threading.Lock()
        self._log = open(log_path, "ab", buffering=0)
        # RIE's Runtime API defaults to 127.0.0.1:9001: a second RIE would panic on it.
        cmd = [rie, "--runtime-interface-emulator-address", "127.0.0.1:%d" % port,
               "--runtime-api-address", "127.0.0.1:%d" % api_port,
               python, "-m", "awslambdaric", code.handler]
        self._log.write(("=== %s starting %s on port %d, handler %s, code %s\n" % (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), self.name, port, code.handler, code.code_dir)).encode())
        self.log_group = function_logs.log_group_name(self.name)
        self.log_stream = function_logs.log_stream_name()
        self._log_shipper = log_shipper
        env = function_environment(config, code, endpoint, region, extra={
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group, "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream})
        self.proc = subprocess.Popen(
            cmd, cwd=code.code_dir, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self._output = threading.Thread(target=self._copy_output, name="output-%s-%d" % (self.name, port), daemon=True)
        self._output.start()
        self._pid_file = None
        if pid_dir:
            os.makedirs(pid_dir, exist_ok=True)
            self._pid_file = os.path.join(pid_dir, str(self.proc.pid))
            with open(self._pid_file, "w") as handle:
                handle.write(self.name + "\n")
        self._wait_listening()

    def _copy_output(self):
        """Until the process group closes its stdout: every line to the log file and the shipper."""
        try:
            for line in iter(self.proc.stdout.readline, b""):
                try:
                    self._log.write(line)
                except (OSError, ValueError):
                    pass
                if self._log_shipper is not None:
                    self._log_shipper.add(self.log_group, self.log_stream, line.decode("utf-8", "replace"))
        finally:
            self.proc.stdout.close()
            try:
                self._log.close()
            except OSError:
                pass

    def note(self, message):
        """A line the Lambda service itself writes to the function's log (RIE does not print
        "Task timed out after N seconds"; AWS writes it to the function's log stream)."""
        line = "%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000Z", message)
        try:
            self._log.write(line.encode("utf-8"))
        except (OSError, ValueError):  # closed once the process is gone
            pass
        if self._log_shipper is not None:
            self._log_shipper.add(self.log_group, self.log_stream, line)

    def _wait_listening(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeStartError("RIE for %s exited with %s at start; see its log" % (self.name, self.proc.returncode))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeStartError("RIE for %s did not listen on 127.0.0.1:%d within %.0f s" % (self.name, self.port, timeout))

    def alive(self):
        return self.proc.poll() is None

    def invoke(self, payload):
        """POST one event; returns (status, body). Serialised: RIE runs one invocation at a time.

        Raises ProcessRetired, without sending anything, once the process has been stopped.
        """
        with self._lock:
            if self.retired:
                raise ProcessRetired(self.name)
            req = urllib.request.Request(self.url, data=payload, method="POST",
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=self.timeout + 30) as resp:
                    return resp.status, resp.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read()
            except (urllib.error.URLError, OSError) as exc:
                return 599, ("invoke failed: %s" % exc).encode("utf-8")

    def _signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except OSError:
            pass

    retired = False

    def stop(self, wait_for_invocation=True):
        """Stop RIE and the runtime. By default after the in-flight invocation; at shutdown at once
        (an interrupted batch is not deleted, so it comes back after the visibility timeout)."""
        if wait_for_invocation:
            with self._lock:
                self._stop()
        else:
            self._stop()

    def _stop(self):
        self.retired = True
        if self.proc.poll() is None:
            # RIE and the runtime it started share the process group we created for them.
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._signal_group(signal.SIGKILL)
        if self._pid_file:
            try:
                os.unlink(self._pid_file)
            except OSError:
                pass
        # The output thread ends once the killed group's stdout is closed, and closes the log file.
        self._output.join(timeout=2)


def reap_stale(pid_dir):
    """Kill RIE process groups a previous poller started and could not stop (it was SIGKILLed).

    Only PIDs recorded in pid_dir by FunctionProcess whose command line is still an RIE's.
    """
    if not os.path.isdir(pid_dir):
        return []
    killed = []
    for entry in os.listdir(pid_dir):
        path = os.path.join(pid_dir, entry)
        try:
            pid = int(entry)
            with open("/proc/%d/cmdline" % pid, "rb") as handle:
                cmdline = handle.read()
        except (ValueError, OSError):
            cmdline = b""
            pid = None
        if pid and b"--runtime-interface-emulator-address" in cmdline:
            try:
                os.killpg(pid, signal.SIGKILL)
                killed.append(pid)
            except OSError:
                pass
        try:
            os.unlink(path)
        except OSError:
            pass
    return killed
