# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""sandboxctl up | down [--purge] | status: the commands."""

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager

from . import config, pki, proc
from .components import COMPONENTS, wait_ready
from .proc import SandboxError

ALWAYS_BUILT = ["helm", "crane"]  # tools on PATH for everyone, whether a component runs them or not


def say(message):
    print(f"sandbox: {message}", flush=True)


@contextmanager
def locked():
    """One up/down at a time: parallel test sessions all call `up`."""
    config.RUN.mkdir(parents=True, exist_ok=True)
    with open(config.RUN / "sandboxctl.lock", "w", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another sandboxctl is running; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# ---------------------------------------------------------------- build

def _foreign_build_running(binary):
    """True while another process (e.g. a background build.sh) is writing this binary."""
    marker = f"{binary}.tmp"
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            args = proc.cmdline(int(entry)) or []
            if marker in args:
                return True
    return False


def build(wanted):
    """Build missing binaries (unlocked: build.sh serialises builds of one component itself)."""
    for name in wanted:
        target = config.binary(name)
        if not target.exists() and _foreign_build_running(target):
            say(f"{name}: another build of {target.name} is running; waiting for it")
            while _foreign_build_running(target) and not target.exists():
                time.sleep(5)
        if not target.exists():
            say(f"{name}: building {target.name} with sandbox/build.sh (cold builds take minutes)")
            started = time.monotonic()
            result = subprocess.run(["bash", str(config.BUILD_SH), name], stdout=subprocess.PIPE, text=True,
                                    check=False)
            if result.returncode != 0 or not target.exists():
                raise SandboxError(f"building {name} failed (see the messages above)")
            say(f"{name}: built in {time.monotonic() - started:.0f}s")
        link_on_path(name)


def link_on_path(name):
    """CACHE_BIN/<plain name> -> <name>-<version>, so PATH from .sandbox/env finds helm, crane, ..."""
    target = config.binary(name)
    link = config.CACHE_BIN / config.PATH_NAMES[name]
    if not link.is_symlink() or os.readlink(link) != target.name:
        tmp = link.with_name(link.name + ".lnk")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target.name)
        os.replace(tmp, link)


# ---------------------------------------------------------------- up

def _check_ports_free(comp):
    for port in comp.ports:
        if not proc.wait_port_free(port, timeout=3):
            owners = "; ".join(f"PID {pid}: {cmd}" for pid, cmd in proc.port_owners(port))
            raise SandboxError(
                f"port {config.HOST}:{port} needed by {comp.name} is taken by {owners or 'an unknown process'}. "
                f"Stop that process (it was not started by sandboxctl), then run `sandboxctl up` again.")


def _start(comp, env):
    _check_ports_free(comp)
    child = proc.start(comp.name, comp.argv(), env, comp.cwd)
    pid = child.pid
    started = time.monotonic()
    say(f"{comp.name}: started PID {pid}, waiting up to {comp.timeout:.0f}s for readiness")
    deadline = started + comp.timeout
    ok, detail = comp.ready()
    while not ok and time.monotonic() < deadline:
        if child.poll() is not None:
            break  # exited: no point waiting
        time.sleep(0.3)
        ok, detail = comp.ready()
    if not ok:
        log = config.LOGS / f"{comp.name}.log"
        why = "is not ready" if child.poll() is None else f"exited with status {child.returncode}"
        raise SandboxError(f"{comp.name} {why} after {time.monotonic() - started:.0f}s ({detail}).\n"
                           f"Last 20 lines of {log}:\n{proc.tail(log)}")
    if comp.after_start:
        comp.after_start()
    say(f"{comp.name}: ready in {time.monotonic() - started:.1f}s")


def _ensure_running(comp, env, restarted):
    """Leave a healthy component alone, else (re)start it; returns True when it was started."""
    pid = proc.read_pid(comp.name, comp.signature())
    renew = [dep for dep in comp.restart_with if dep in restarted and comp.name not in restarted]
    if pid is not None and renew:
        say(f"{comp.name}: restarting PID {pid} because {', '.join(renew)} restarted")
        proc.stop(comp.name, pid, comp.stop_grace)
    elif pid is not None:
        ok, detail = comp.ready()
        if not ok:  # alive but not answering: it may be settling after a dependency came back
            ok, detail = wait_ready(comp, min(comp.timeout, 30))
        if ok:
            if comp.after_start:  # idempotent: re-assert what it set up (e.g. moto's EKS cluster record)
                comp.after_start()
            say(f"{comp.name}: running (PID {pid})")
            return False
        say(f"{comp.name}: PID {pid} is unhealthy ({detail}); restarting it")
        proc.stop(comp.name, pid, comp.stop_grace)
    else:
        for orphan in proc.stop_orphans(comp.name):
            say(f"{comp.name}: killed PID {orphan}, left behind by its dead main process")
    _start(comp, env)
    return True


def up(_args):
    components = [c for c in COMPONENTS if c.enabled()]
    restarted = set()
    while True:
        # Start, in order, every component whose binaries exist; the lock is not held while a
        # binary builds, so other `up`/`status`/`down` calls are not stuck behind a cold build.
        with locked():
            pki.ensure_pki()
            pki.write_env_file()
            for sub in (config.ETCD_DATA, config.REGISTRY_DATA):
                sub.mkdir(parents=True, exist_ok=True)
            os.chmod(config.ETCD_DATA, 0o700)
            env = config.resolved_env()
            blocked = None
            for comp in components:
                if not all(config.binary(b).exists() for b in comp.binaries):
                    blocked = comp
                    break
                for name in comp.binaries:
                    link_on_path(name)
                if _ensure_running(comp, env, restarted):
                    restarted.add(comp.name)
            if config.SERVING_CERT.exists() and not config.KUBECONFIG.exists():
                pki.write_kubeconfig()
        if blocked is None:
            break
        build(blocked.binaries)
    build(ALWAYS_BUILT)
    say(f"ready. Load the environment with: set -a; . {config.ENV_FILE}; set +a")
    return 0


# ---------------------------------------------------------------- down / status

def down(args):
    with locked():
        for comp in reversed(COMPONENTS):
            pid = proc.read_pid(comp.name, comp.signature())
            if pid is not None:
                started = time.monotonic()
                used = proc.cpu_seconds(proc.process_group(pid))
                killed = proc.stop(comp.name, pid, comp.stop_grace)
                how = f"SIGKILL to {killed} after SIGTERM grace" if killed else "SIGTERM"
                say(f"{comp.name}: stopped PID {pid} in {time.monotonic() - started:.1f}s ({how}); "
                    f"it had used {used:.0f} CPU-s")
            else:
                for orphan in proc.stop_orphans(comp.name):
                    say(f"{comp.name}: killed PID {orphan}, left behind by its dead main process")
        busy = []
        for comp in COMPONENTS:
            for port in comp.ports:
                if not proc.wait_port_free(port, timeout=5):
                    busy.append(f"{port} ({'; '.join(f'PID {p}: {c}' for p, c in proc.port_owners(port))})")
        if args.purge:
            for path in (config.ETCD_DATA, config.REGISTRY_DATA, config.PKI, config.HELM_HOME):
                shutil.rmtree(path, ignore_errors=True)
            for path in (config.KUBECONFIG, config.ENV_FILE):
                path.unlink(missing_ok=True)
            say("purged etcd data, registry blobs, credentials, kubeconfig and env file")
        if busy:
            say("still listening (not started by sandboxctl, left alone): " + ", ".join(busy))
            return 1
        say("stopped")
    return 0


def status(_args):
    bad, total = 0, 0
    for comp in COMPONENTS:
        if not comp.enabled():
            print(f"{comp.name:<24} absent   ({comp.optional_file} does not exist)")
            continue
        pid = proc.read_pid(comp.name, comp.signature())
        ports = ",".join(str(p) for p in comp.ports)
        if pid is None:
            bad += 1
            print(f"{comp.name:<24} DOWN     port {ports}")
            continue
        ok, detail = comp.ready()
        bad += not ok
        rss = proc.rss_bytes(proc.process_group(pid))  # with what it spawned (ACK controllers, RIE)
        total += rss
        print(f"{comp.name:<24} {'healthy' if ok else 'UNHEALTHY':<8} PID {pid:<8} port {ports:<12} "
              f"rss {rss / 2**20:6.0f} MiB  {detail}")
    print(f"{'memory':<24} resident {total / 2**20:.0f} MiB in all (sum of RSS of every process; goal <= 1536 MiB)")
    return 1 if bad else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="sandboxctl", description="The ackops.serverless sandbox on 127.0.0.1.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="build what is missing and start (or repair) every component")
    p_down = sub.add_parser("down", help="stop every process sandboxctl started")
    p_down.add_argument("--purge", action="store_true", help="also delete etcd data, registry blobs and credentials")
    sub.add_parser("status", help="one line per component; non-zero exit if any is unhealthy")
    args = parser.parse_args(argv)
    try:
        return {"up": up, "down": down, "status": status}[args.command](args)
    except SandboxError as err:
        print(f"sandbox: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sandboxctl status | head`
        sys.stderr.close()
        return 1

