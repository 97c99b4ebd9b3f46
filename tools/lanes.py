# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""`make test`: the test stages in lanes that run at the same time, each lane on its own sandbox.

Much of a sandbox stage's time is spent waiting (controllers' reconciles, visibility timeouts, restarts):
test-integration alone kept 31-45 % of this 2-core machine busy. So the stages are spread over lanes
(``--lane a,b,c --lane d,e``), and each lane after the first gets a sandbox of its own: its state in
``.sandbox-lane<N>`` (ACKOPS_SANDBOX_STATE) and its ports shifted by another 100 per lane, skipping an
offset whose ports are in use, by another checkout's sandbox for one (ACKOPS_SANDBOX_PORT_OFFSET). The
first lane uses the checkout's own sandbox (.sandbox), as a single
`make <stage>` does, and that sandbox is started (and any missing binary built) before the lanes
start, so two lanes never build the same binary at once.

Each output line is prefixed with its stage. After a failure no lane starts another stage. At the end
the sandboxes of the extra lanes are stopped (by their PIDs; their state directories stay, with their logs,
until the next run starts them afresh), the first lane's stays up as after any `make <stage>`, and every
stage's time is printed, then, last, what each failed stage said failed (pytest's FAILED and ERROR lines):
a CI system that keeps only the end of the output still names the failing tests. Exit status: 0 when every
stage passed.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from ackops_sandbox import config, pki

REPO = Path(__file__).resolve().parent.parent
SANDBOXCTL = [str(REPO / ".venv" / "bin" / "python"), str(REPO / "sandbox" / "sandboxctl.py")]
LANE_OFFSET_STEP = 100  # wider than any one sandbox's port range (the RIE ports span 99)
MAX_OFFSET = 2000  # what sandboxctl accepts
RECAP_LINES = 12  # of a failed stage, at the end of the output
_print_lock = threading.Lock()


def say(line):
    with _print_lock:
        print(line, flush=True)


def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a connection in TIME_WAIT is no owner
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def lane_offsets(count, base_offset, is_free=port_is_free):
    """Port offsets of `count` extra lanes: base + 100, + 200, ... skipping any offset one of whose ports is in
    use now (another checkout's sandbox, say), up to what sandboxctl accepts."""
    offsets, taken = [], set(config.ports_at(base_offset))
    candidate = base_offset
    while len(offsets) < count:
        candidate += LANE_OFFSET_STEP
        if candidate > MAX_OFFSET:
            raise SystemExit(f"make test: no free port offset above {base_offset} for {count} more sandbox(es); "
                             "stop another checkout's sandbox (make sandbox-down) or lower its port offset")
        ports = config.ports_at(candidate)
        if ports & taken or not all(is_free(port) for port in ports):
            continue
        offsets.append(candidate)
        taken |= ports
    return offsets


def lane_state(index):
    return REPO / f".sandbox-lane{index + 1}"


def stop_sandbox(state):
    """Stop the sandbox whose state directory this is (by its PIDs), on the ports its env file names.
    Returns sandboxctl's exit status (0 when there is nothing to stop)."""
    env_file = state / "env"
    if not env_file.exists():
        return 0
    env = dict(os.environ, **pki.parse_env_file(env_file), ACKOPS_SANDBOX_STATE=str(state))
    return subprocess.run(SANDBOXCTL + ["down"], cwd=REPO, env=env, check=False).returncode


def reset_lane_state(index):
    """Stop a sandbox an earlier run left in lane `index`'s state directory, then remove the directory: each
    run starts that lane's sandbox afresh, on the port offset found free this time (its kubeconfig and etcd
    data name the ports of the run that made them)."""
    stop_sandbox(lane_state(index))
    shutil.rmtree(lane_state(index), ignore_errors=True)


def lane_env(index, offset, count=2):
    """The environment of lane `index` (0-based) of `count` with its sandbox's port offset: the first lane's
    sandbox is this process's own."""
    env = dict(os.environ)
    env["ACKOPS_TEST_LANES"] = str(count)  # a stage's figures then say other stages shared the CPUs
    if index:
        env["ACKOPS_SANDBOX_STATE"] = str(lane_state(index))
        env["ACKOPS_SANDBOX_PORT_OFFSET"] = str(offset)
    return env


def cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat (None where there is none)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def failure_lines(lines, most=RECAP_LINES):
    """What a failed stage's output says failed: pytest's short summary lines (FAILED / ERROR a test) and its
    final count, else, from a stage that is not pytest, its last lines; at most `most`, each cut to 400
    characters."""
    picked = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
    if picked:
        picked += [line for line in lines[-5:] if line.startswith("=") and (" failed" in line or " error" in line)]
    picked = picked[-most:] if picked else lines[-most:]
    return [line if len(line) <= 400 else line[:397] + "..." for line in picked]


class Lane(threading.Thread):
    """Runs `command + [stage]` for each stage in turn; stops starting stages once `stop` is set. Of a stage
    that fails, what it said failed is kept in `recap`."""

    def __init__(self, index, stages, env, stop, command=("make", "--no-print-directory")):
        super().__init__(name=f"lane{index + 1}")
        self.index, self.stages, self.env, self.stop, self.command = index, stages, env, stop, list(command)
        self.times, self.failed, self.recap = [], None, []

    def run(self):
        for stage in self.stages:
            if self.stop.is_set():
                self.times.append((stage, None))
                continue
            started = time.monotonic()
            say(f"=== make test: {stage} (lane {self.index + 1})")
            child = subprocess.Popen(self.command + [stage], cwd=REPO, env=self.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
            output = []
            for line in child.stdout:
                output.append(line.rstrip())
                say(f"[{stage}] {output[-1]}")
            rc = child.wait()
            self.times.append((stage, time.monotonic() - started))
            if rc:
                self.failed = (stage, rc)
                self.recap = failure_lines(output)
                say(f"=== make test: {stage} FAILED (exit {rc})")
                self.stop.set()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lane", action="append", metavar="STAGE,STAGE,...",
                        help="make targets run one after the other in one lane; repeat for each lane")
    parser.add_argument("--down", action="store_true",
                        help="only stop the sandboxes of the extra lanes (make sandbox-down calls this)")
    args = parser.parse_args(argv)
    if args.down:
        return max([stop_sandbox(state) for state in sorted(REPO.glob(".sandbox-lane*"))], default=0)
    if not args.lane:
        parser.error("give --lane at least once, or --down")
    started, cpu_before = time.monotonic(), cpu_times()
    up = subprocess.run(["make", "--no-print-directory", "sandbox-up"], cwd=REPO, check=False)
    if up.returncode:
        say("make test: sandbox-up FAILED")
        return up.returncode
    for index in range(1, len(args.lane)):
        reset_lane_state(index)
    base = config.PORT_OFFSET  # the first lane's: the environment's, else .sandbox/port-offset
    offsets = [base] + lane_offsets(len(args.lane) - 1, base)
    stop = threading.Event()
    lanes = [Lane(i, [s for s in spec.split(",") if s], lane_env(i, offsets[i], len(args.lane)), stop)
             for i, spec in enumerate(args.lane)]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    for lane in lanes[1:]:
        stop_sandbox(lane_state(lane.index))
    say("make test: stage times:")
    for lane in lanes:
        for stage, took in lane.times:
            say(f"  {stage:<24} {'not run' if took is None else f'{took:4.0f} s'}   lane {lane.index + 1}")
    say(f"  {'total (wall clock)':<24} {time.monotonic() - started:4.0f} s")
    cpu_after = cpu_times()
    if cpu_before and cpu_after and cpu_after[1] > cpu_before[1]:
        busy = 100 * (cpu_after[0] - cpu_before[0]) / (cpu_after[1] - cpu_before[1])
        say(f"  {'CPUs busy':<24} {busy:4.0f} %   of {os.cpu_count()} (the whole machine, over the run)")
    failed = [lane.failed for lane in lanes if lane.failed]
    for lane in lanes:
        if lane.failed:
            stage, rc = lane.failed
            say(f"make test: {stage} FAILED (exit {rc})")
            for line in lane.recap:
                say(f"  {line}")
    return failed[0][1] if failed else 0


if __name__ == "__main__":
    sys.exit(main())
