# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""site.yml inside the execution environment, against the sandbox: converge with the smoke test, a
second run that changes nothing, cleanup.

The project is a user's thin one (playbooks that import ackops.serverless.site / .cleanup), so the
collection, its dependencies, the Python libraries and helm and crane all come from the image. The
credentials are what AWX injects: an AWS key pair and a Kubernetes bearer token (the sandbox admin's
here; tests/awx/test_30_jobs.py runs with the least-privilege identities).
"""


import pytest

from awxjob import (
    Job,
    aws_credential,
    k8s_bearer_credential,
    run_timed,
    sandbox_inventory,
    thin_project,
)

PLAYBOOKS = {"site.yml": "ackops.serverless.site", "cleanup.yml": "ackops.serverless.cleanup"}


@pytest.fixture(scope="module")
def ee_job(sandbox, ee_image, jobs_root, admin_token, cluster_ca, aws_keys):
    def make(name, extravars=None):
        job = Job(jobs_root, name, ee_image, lambda d: thin_project(d, PLAYBOOKS), sandbox_inventory(sandbox),
                  extravars)
        job.credential(aws_credential(*aws_keys))
        job.credential(k8s_bearer_credential(job.dir, sandbox["ACKOPS_KUBE_APISERVER"], admin_token, cluster_ca))
        return job
    return make


def test_site_converges_with_smoke_test(ee_job):
    result = run_timed(ee_job("ee-site-1"), "site.yml")
    assert result.status == "successful", result.summary()
    assert "4 items found in customer" in result.stdout, result.summary()


def test_second_run_changes_nothing(ee_job):
    # The smoke test runs again too: it changes nothing of the pipeline and reports changed=0.
    result = run_timed(ee_job("ee-site-2"), "site.yml")
    assert result.status == "successful", result.summary()
    assert "4 items found in customer" in result.stdout, result.summary()
    assert result.changed() == 0, result.summary()


def test_cleanup(ee_job):
    result = run_timed(ee_job("ee-cleanup"), "cleanup.yml")
    assert result.status == "successful", result.summary()
