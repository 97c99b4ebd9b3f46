# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Fixtures of the reliability suite (issue 14): one converged pipeline shared by the cases, clients,
and the run's metadata in tests/output/reliability.json.

Every case that breaks the pipeline ends with the run that converges it again (that run is part of
what it checks), so the next case starts from a converged pipeline; the `converged` fixture checks it
with playbooks/verify.yml (3 s) and runs site.yml only when a case left it broken."""

import os
import platform
import shutil
import subprocess
import time

import pytest
from rel_helpers import FULL, FIGURES, REPO, RUN_LOGS, Kube, aws_clients, record, record_meta, run_playbook, run_site


def pytest_sessionstart(session):
    if not os.environ.get("ACKOPS_RELIABILITY_KEEP_FIGURES"):
        FIGURES.unlink(missing_ok=True)  # figures of this run only
        shutil.rmtree(RUN_LOGS, ignore_errors=True)


@pytest.fixture(scope="session")
def kube(sandbox):
    return Kube(sandbox["KUBECONFIG"])


@pytest.fixture(scope="session")
def aws(sandbox):
    return aws_clients(sandbox["AWS_ENDPOINT_URL"])


@pytest.fixture(scope="session", autouse=True)
def run_meta(request):
    started = time.time()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                            check=False).stdout.strip()
    cpus = os.cpu_count()
    try:
        model = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                 if line.startswith("model name")][0]
    except (OSError, IndexError):
        model = platform.processor()
    mem = ""
    try:
        kib = int([line.split()[1] for line in open("/proc/meminfo", encoding="utf-8") if line.startswith("MemTotal")][0])
        mem = f"{kib / 1048576:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    record_meta(started=time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)), commit=commit,
                machine=f"{cpus} CPU ({model}), {mem} RAM, {platform.system()} {platform.release()}",
                python=platform.python_version(), full=FULL,
                disruptive=os.environ.get("ACKOPS_SANDBOX_DISRUPTIVE_TESTS") == "1",
                lanes=int(os.environ.get("ACKOPS_TEST_LANES", "1")))
    yield
    record_meta(seconds=round(time.time() - started, 1))


@pytest.fixture(scope="session")
def first_converge(sandbox):
    """The shared pipeline: site.yml once (from whatever state the sandbox is in)."""
    run = run_site()
    assert run.rc == 0, run.tail()
    record("setup", "first_site_seconds", run.seconds)
    return run


@pytest.fixture
def converged(first_converge, sandbox):
    """A converged pipeline at the start of a case (repaired with site.yml if an earlier case broke it)."""
    verify = run_playbook("playbooks/verify.yml")
    if verify.rc != 0:
        run = run_site()
        assert run.rc == 0, "could not converge the pipeline before the case:\n" + run.tail()
    return True


def pytest_runtest_logreport(report):
    """Every test's outcome in the figures (outcomes/<test id>), so the report counts failures too."""
    if report.when == "call" or report.outcome != "passed":
        outcome = "skipped" if report.skipped else report.outcome
        if report.when != "call" and outcome == "failed":
            outcome = f"error in {report.when}"
        record("outcomes", report.nodeid.split("::", 1)[1], outcome)


@pytest.fixture(autouse=True)
def _time_case(request):
    """Wall time of every test, fixtures included, in the figures (timing/<test>)."""
    started = time.monotonic()
    yield
    record("timing", request.node.name, round(time.monotonic() - started, 1))
