# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Fixtures of the AWX-way tests: the execution environment image, job directories, credentials.

These tests deploy and remove the tutorial's pipeline in the sandbox, one after another: they share
its resource names with the molecule scenario and must not run at the same time as it.
"""

import secrets
import subprocess
import sys
import time

import pytest
from ackops_sandbox import config
from awxjob import REPO


@pytest.fixture(scope="session")
def ee_image():
    """`make ee`: the execution environment image, built or reused; the time it took is printed."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(REPO / "tools" / "ee" / "build.py")], cwd=REPO,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"make ee failed:\n{result.stderr[-4000:]}", pytrace=False)
    image = result.stdout.strip().splitlines()[-1]
    print(f"\nmake ee: {image} in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return image


@pytest.fixture(scope="session")
def admin_token(sandbox):
    return config.TOKEN_FILE.read_text().split(",", 1)[0]


@pytest.fixture(scope="session")
def cluster_ca(sandbox):
    return config.SERVING_CERT.read_text()


@pytest.fixture(scope="session")
def aws_keys():
    """A key pair of our own: moto takes any, and a unique secret shows up if it leaks into a job's output."""
    return "AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30)


@pytest.fixture(scope="session")
def jobs_root(tmp_path_factory):
    return tmp_path_factory.mktemp("awx-jobs")
