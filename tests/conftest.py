# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Shared pytest fixtures.

`sandbox` (session scope): runs `sandbox/sandboxctl.py up` once per test session (it returns in
seconds when everything is already healthy, repairs what is not, and builds missing binaries),
loads .sandbox/env into os.environ and returns those variables as a dict. It never stops the
sandbox: `make sandbox-down` (or CI) does. Tests of pure logic must not use it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ackops_sandbox.pki import parse_env_file

REPO = Path(__file__).resolve().parent.parent
SANDBOXCTL = REPO / "sandbox" / "sandboxctl.py"
UP_TIMEOUT = int(os.environ.get("ACKOPS_SANDBOX_UP_TIMEOUT", "3600"))  # cold builds take many minutes


@pytest.fixture(scope="session")
def sandbox():
    """The running sandbox's environment (KUBECONFIG, PATH, AWS_ENDPOINT_URL, ...), also set in os.environ."""
    python = REPO / ".venv" / "bin" / "python"
    try:
        result = subprocess.run([str(python if python.exists() else sys.executable), str(SANDBOXCTL), "up"],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=UP_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"sandboxctl up did not finish within {UP_TIMEOUT}s:\n{err.output or ''}", pytrace=False)
    if result.returncode != 0:
        pytest.fail(f"sandboxctl up failed (exit {result.returncode}):\n{result.stdout}", pytrace=False)
    env = parse_env_file()
    os.environ.update(env)
    return env
