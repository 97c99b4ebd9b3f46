# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""ansible-playbook the way a user runs it from the checkout (the .venv's ansible-playbook, the
checkout's ansible.cfg and so the sandbox inventory), timed, with its PLAY RECAP read. Shared by the
integration tests and the benchmarks."""

import json
import os
import re
import subprocess
import time

from . import config

ANSIBLE_PLAYBOOK = config.VENV_BIN / "ansible-playbook"
RECAP = re.compile(r"^\S+\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


class PlaybookRun:
    """The outcome of one ansible-playbook run: rc, output, seconds, and the recap's counts."""

    def __init__(self, argv, rc, output, seconds, json_report=False):
        self.argv = argv
        self.rc = rc
        self.output = output
        self.seconds = seconds
        self.report = json.loads(output[output.index("{"):]) if json_report and "{" in output else None
        counts = [tuple(int(n) for n in found) for found in RECAP.findall(output)]
        self.ok, self.changed, self.unreachable, self.failed = (sum(c[i] for c in counts) for i in range(4))
        self.has_recap = bool(counts) or self.report is not None
        if self.report is not None:
            stats = self.report.get("stats", {}).values()
            self.ok, self.changed, self.unreachable, self.failed = (
                sum(s.get(key, 0) for s in stats) for key in ("ok", "changed", "unreachable", "failures"))

    def changed_tasks(self):
        """Names of the tasks that reported a change (for assertion messages)."""
        if self.report is not None:
            return [task["task"]["name"].split(" : ")[-1] for play in self.report["plays"] for task in play["tasks"]
                    if any(result.get("changed") for result in task["hosts"].values())]
        names, current = [], None
        for line in self.output.splitlines():
            if line.startswith("TASK ["):
                current = line[len("TASK ["):line.rindex("]")]
            elif line.startswith("changed:") and current and current not in names:
                names.append(current)
        return names

    def task_result(self, name):
        """The result of the task called name (json_report runs only)."""
        for play in self.report["plays"]:
            for task in play["tasks"]:
                if task["task"]["name"].split(" : ")[-1] == name:
                    return task["hosts"]["localhost"]
        raise AssertionError(f"task {name!r} not in the report")

    def tail(self, chars=4000):
        return self.output[-chars:]


def ansible_env(base=None, **overrides):
    """The environment ansible-playbook runs with: base (default os.environ), the checkout's ansible.cfg, no
    colours; a key set to None in overrides is removed."""
    env = dict(os.environ if base is None else base)
    env.update(ANSIBLE_CONFIG=str(config.REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_playbook(playbook, *args, env=None, json_report=False, timeout=1800):
    """Run playbook (a path relative to the checkout, or absolute) with args; return a PlaybookRun."""
    env = ansible_env() if env is None else dict(env)
    if json_report:
        env.update(ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    argv = [str(ANSIBLE_PLAYBOOK), str(playbook), *args]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=config.REPO, env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout, check=False)
    return PlaybookRun(argv, proc.returncode, proc.stdout, round(time.monotonic() - started, 1), json_report)
