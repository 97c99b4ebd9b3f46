# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Helpers shared by the sandbox self-tests."""

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from ackops_sandbox import components

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMOKE_CHART = FIXTURES / "charts" / "ackops-smoke"
REPO = Path(__file__).resolve().parents[2]


component = components.named  # the sandbox component called name


def tool(sandbox, name):
    path = shutil.which(name, path=sandbox["PATH"])
    assert path, f"{name} is not on the sandbox PATH {sandbox['PATH']}"
    return path


def eventually(check, timeout=60.0, interval=0.5, what="condition"):
    """Poll check() until it returns a truthy value; fail with what after timeout seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"{what} not reached within {timeout:.0f}s (last value: {last!r})")


def run(argv, env, timeout=120, check=True):
    """Run a tool of the sandbox; on failure show its output."""
    result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, argv))} failed with {result.returncode}:\n{result.stdout}")
    return result
