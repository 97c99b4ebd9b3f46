# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Process helpers: pid files, detached start, precise stop, port owners, HTTP probes."""

import json
import os
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import config


class SandboxError(Exception):
    """An error the user can act on; printed without a traceback."""


# ---------------------------------------------------------------- pid files

def pid_file(name):
    return config.RUN / f"{name}.pid"


def cmdline(pid):
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _stat_fields(pid):
    """The fields of /proc/<pid>/stat after the command name (state first), or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rpartition(")")[2].split()
    except OSError:
        return None


def is_zombie(pid):
    fields = _stat_fields(pid)
    return fields is None or fields[0] == "Z"


def read_pid(name, signature):
    """PID from the pid file if that process is alive and its argv holds signature (guards PID reuse)."""
    try:
        pid = int(pid_file(name).read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None
    args = cmdline(pid)
    if not args or is_zombie(pid):
        return None
    if signature not in args:
        return None
    return pid


def stop_orphans(name):
    """Kill what is left of a component whose main process died (children still in its group)."""
    try:
        pid = int(pid_file(name).read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return []
    left = [] if cmdline(pid) and not is_zombie(pid) else process_group(pid)
    for member in left:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass
    pid_file(name).unlink(missing_ok=True)
    return left


def process_group(pgid):
    """PIDs whose process group is pgid (a component and the children it spawned)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry.name)
        if fields is not None and int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def start(name, argv, env, cwd):
    """Start argv detached in its own session, log appended to logs/<name>.log, pid written."""
    config.LOGS.mkdir(parents=True, exist_ok=True)
    config.RUN.mkdir(parents=True, exist_ok=True)
    log_path = config.LOGS / f"{name}.log"
    with open(log_path, "ab") as log:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        log.write(f"\n=== {stamp} sandboxctl starts: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, start_new_session=True, close_fds=True)
    pid_file(name).write_text(f"{proc.pid}\n", encoding="utf-8")
    return proc


def stop(name, pid, grace=10.0):
    """SIGTERM the component, SIGKILL whatever is left of its process group after grace seconds.
    Returns the PIDs that had to be killed."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(pid)
        if not process_group(pid):
            break
        time.sleep(0.2)
    killed = process_group(pid)
    for member in killed:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for _ in range(50):
        _reap(pid)
        if not process_group(pid):
            break
        time.sleep(0.1)
    pid_file(name).unlink(missing_ok=True)
    return killed


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def cpu_seconds(pids):
    """CPU time used by the processes, with that of the children they waited for (user + system)."""
    ticks = 0
    for fields in filter(None, map(_stat_fields, pids)):
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_bytes(pids):
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


# ---------------------------------------------------------------- ports

def _listening_inodes(port):
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="utf-8").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def port_owners(port):
    """[(pid, cmdline)] of processes listening on TCP port (any address); [] when free.
    A listener whose owner cannot be read (other user) is reported as pid None."""
    inodes = _listening_inodes(port)
    if not inodes:
        return []
    owners = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                owners.append((int(entry.name), " ".join(cmdline(int(entry.name)) or ["?"])))
                break
    return owners or [(None, "unknown process (not readable by this user)")]


def wait_port_free(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while _listening_inodes(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _listening_inodes(port)


# ---------------------------------------------------------------- HTTP probes

_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE


def http(method, url, body=None, headers=None, timeout=3.0):
    """(status, body bytes); status 0 when nothing answers. Loopback TLS is not verified."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=_INSECURE) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (OSError, ValueError):
        return 0, b""


def tail(path, lines=20):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
