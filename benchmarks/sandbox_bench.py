#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Sandbox figures: build time per component, warm `up` to ready, `down`, resident memory.

    .venv/bin/python benchmarks/sandbox_bench.py              # build times from the cache, RSS, down + up
    .venv/bin/python benchmarks/sandbox_bench.py --no-restart # leave a running sandbox alone
    .venv/bin/python benchmarks/sandbox_bench.py --cold       # also rebuild everything in a temporary cache

Prints figures and asserts nothing. The default run stops and restarts the sandbox (moto's data and
the registry's manifests are in memory and are lost: do not run it while others use the sandbox).
Targets (sandbox/README.md): warm up <= 30 s, memory <= 1.5 GiB.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from ackops_sandbox import components, config, proc

REPO = config.REPO

SANDBOXCTL = [str(config.PYTHON), str(REPO / "sandbox" / "sandboxctl.py")]
BUILD_ORDER = ["etcd", "kube-apiserver", "kube-controller-manager", "helm", "crane", "rie", "ack-controller"]


def ctl(*args):
    started = time.monotonic()
    result = subprocess.run(SANDBOXCTL + list(args), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, check=False)
    return time.monotonic() - started, result


def recorded_build_times(cache):
    rows = []
    for name in BUILD_ORDER:
        version = config.BINARY_VERSIONS[name]
        seconds = cache / "logs" / f"build-{name}-{version}.seconds"
        binary = cache / "bin" / f"{name}-{version}"
        size = f"{binary.stat().st_size / 2**20:.0f} MiB" if binary.exists() else "missing"
        took = f"{int(seconds.read_text().split()[0])} s" if seconds.exists() else "not recorded"
        rows.append((name, version, took, size))
    return rows


def cold_build_times():
    rows = []
    with tempfile.TemporaryDirectory(prefix="ackops-cold-") as tmp:
        env = dict(os.environ, ACKOPS_SANDBOX_CACHE=tmp)
        for name in BUILD_ORDER:
            started = time.monotonic()
            result = subprocess.run(["bash", str(config.BUILD_SH), name], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, check=False)
            took = time.monotonic() - started
            rows.append((name, config.BINARY_VERSIONS[name], f"{took:.0f} s" if result.returncode == 0 else "FAILED",
                         ""))
        subprocess.run(["chmod", "-R", "u+w", tmp], check=False)  # Go's module cache is read-only
    return rows


def memory():
    rows, total = [], 0
    for comp in components.COMPONENTS:
        pid = proc.read_pid(comp.name, comp.signature())
        if pid is None:
            continue
        members = proc.process_group(pid)  # the component and the processes it spawned
        rss = proc.rss_bytes(members)
        total += rss
        rows.append((comp.name, len(members), rss))
    return rows, total


def print_table(title, rows):
    print(title)
    for row in rows:
        print("  " + "  ".join(f"{cell:<26}" if i == 0 else f"{cell:<14}" for i, cell in enumerate(row)).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold", action="store_true", help="rebuild every binary in a temporary cache (slow)")
    parser.add_argument("--no-restart", action="store_true", help="do not stop and restart the sandbox")
    args = parser.parse_args()

    print_table(f"Build times recorded in {config.CACHE} (component, version, time, binary size):",
                recorded_build_times(config.CACHE))
    if args.cold:
        print_table("Cold builds in a temporary cache (component, version, time):", cold_build_times())

    took, result = ctl("up")
    print(f"up on the current state: {took:.1f} s (exit {result.returncode})")
    if not args.no_restart:
        took, result = ctl("down")
        print(f"down: {took:.1f} s (exit {result.returncode})")
        still = [p for c in components.COMPONENTS for p in c.ports if proc.port_owners(p)]
        print(f"ports still listening after down: {still or 'none'}")
        took, result = ctl("up")
        print(f"warm up (binaries built, nothing running) to ready: {took:.1f} s (exit {result.returncode}; "
              "target <= 30 s)")
        for line in result.stdout.splitlines():
            if ": ready in " in line:
                print("  " + line.removeprefix("sandbox: "))
        took, result = ctl("up")
        print(f"up again, everything healthy: {took:.1f} s (exit {result.returncode})")

    time.sleep(5)  # let the just-started processes settle before measuring
    rows, total = memory()
    print("Resident memory (component, processes, RSS):")
    for name, count, rss in rows:
        print(f"  {name:<26}{count:<14}{rss / 2**20:.0f} MiB")
    print(f"  {'total':<26}{sum(r[1] for r in rows):<14}{total / 2**20:.0f} MiB (target <= 1536 MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
