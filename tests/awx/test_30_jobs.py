# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The job templates of docs/awx.md, run the way AWX runs them, with least-privilege credentials.

The project is a plain copy of the repository (an AWX project sync of it), the jobs run in the
execution environment, and `env/envvars` holds only what AWX's credential types inject. The
identities come from ackops.serverless.rbac, run once by an administrator:
  * the platform job fails early with the pipeline identity's token, naming what is missing;
  * with the platform token it converges, and so does the pipeline job with the pipeline token;
  * the smoke test job needs only the AWS credential;
  * the pipeline job runs with nothing but temporary AWS credentials: the eks_token lookup mints
    its Kubernetes token, the sandbox's EKS token webhook maps the assumed role to the pipeline group;
  * the cleanup job runs with the platform token.
Secrets (tokens, secret key, session token) never appear in a job's events or output.
"""

import json
import shutil
import subprocess
import time

import boto3
import pytest
import yaml
from ackops_sandbox import config as sandbox_config
from kubernetes import client, config

from awxjob import (
    REPO,
    Job,
    aws_credential,
    k8s_bearer_credential,
    run_timed,
    plain_copy,
    sandbox_inventory,
)

EKS_TOKEN = ("{{ lookup('ackops.serverless.eks_token', cluster_name=ackops_eks_cluster_name, "
             "region=ackops_aws_region, endpoint_url=ackops_aws_endpoint_url) }}")


@pytest.fixture(scope="module")
def project(jobs_root):
    source = jobs_root / "project-sync"
    plain_copy(source)
    return lambda dest: shutil.copytree(source, dest, symlinks=True)


@pytest.fixture(scope="module")
def identities(sandbox, jobs_root):
    """ackops.serverless.rbac run by an administrator (KUBECONFIG): the two identities' tokens and the CA."""
    token_dir = jobs_root / "tokens"
    playbook = [str(REPO / ".venv" / "bin" / "ansible-playbook"), str(REPO / "playbooks" / "rbac.yml")]
    create = playbook + ["-e", json.dumps({"rbac_token_dir": str(token_dir)})]
    subprocess.run(create, cwd=REPO, check=True, capture_output=True)
    again = subprocess.run(create, cwd=REPO, check=True, capture_output=True, text=True).stdout
    assert " changed=0 " in again, f"ackops.serverless.rbac changed something on its second run:\n{again[-3000:]}"
    yield {name: (token_dir / f"{name}.token").read_text() for name in ("platform", "pipeline")} | {
        "ca": (token_dir / "ca.crt").read_text()}
    subprocess.run(playbook + ["-e", "rbac_operation=delete"], cwd=REPO, check=True, capture_output=True)


@pytest.fixture(scope="module")
def make_job(sandbox, ee_image, jobs_root, project, aws_keys):
    def make(name, extravars=None, inventory_vars=None, aws=None):
        inventory = sandbox_inventory(sandbox)
        inventory["all"]["vars"].update(inventory_vars or {})
        job = Job(jobs_root, name, ee_image, project, inventory, extravars)
        job.credential(aws_credential(*(aws or aws_keys)))
        return job
    return make


def bearer(job, sandbox, token, ca):
    return job.credential(k8s_bearer_credential(job.dir, sandbox["ACKOPS_KUBE_APISERVER"], token, ca))


def test_platform_job_with_the_pipeline_token_fails_early_naming_the_missing_permission(
        sandbox, make_job, identities):
    job = bearer(make_job("platform-as-pipeline"), sandbox, identities["pipeline"], identities["ca"])
    result = run_timed(job, "playbooks/platform.yml")
    assert result.status == "failed", result.summary()
    (failure,) = result.failed_tasks()
    assert failure["event_data"]["task"] == "Fail unless the credentials hold every permission of the identities"
    message = failure["event_data"]["res"]["msg"]
    assert "system:serviceaccount:ackops:ackops-pipeline" in message
    assert "customresourcedefinitions.apiextensions.k8s.io (cluster-wide): get, list, watch, create" in message
    # Early: only the check ran; nothing of IRSA or the controllers (no IAM role, no Helm release was touched).
    assert result.roles_run() == ["rbac"], result.roles_run()


def test_platform_job_converges_with_the_platform_token(sandbox, make_job, identities):
    job = bearer(make_job("platform"), sandbox, identities["platform"], identities["ca"])
    result = run_timed(job, "playbooks/platform.yml")
    assert result.status == "successful", result.summary()
    assert result.roles_run() == ["rbac", "irsa", "controllers"], result.roles_run()


def test_pipeline_job_converges_with_the_pipeline_token(sandbox, make_job, identities, api_client):
    job = bearer(make_job("pipeline", {"resources_function_memory_size": 256, "resources_esm_batch_size": 10}),
                 sandbox, identities["pipeline"], identities["ca"])
    result = run_timed(job, "playbooks/pipeline.yml")
    assert result.status == "successful", result.summary()
    functions = client.CustomObjectsApi(api_client).list_namespaced_custom_object(
        "lambda.services.k8s.aws", "v1alpha1", "default", "functions")["items"]
    assert [f["metadata"]["name"] for f in functions] == ["demo-sqs-dynamodb-func-ack"]


def test_smoke_test_job_needs_only_the_aws_credential(make_job):
    result = run_timed(make_job("smoke-test"), "playbooks/smoke_test.yml")
    assert result.status == "successful", result.summary()
    assert "4 items found in customer" in result.stdout, result.summary()


@pytest.fixture
def pipeline_role_session(sandbox, api_client):
    """Temporary credentials of an IAM role mapped to the pipeline group (aws-auth), as AWX would hold."""
    endpoint = {"endpoint_url": sandbox["AWS_ENDPOINT_URL"], "region_name": sandbox["AWS_REGION"],
                "aws_access_key_id": sandbox["AWS_ACCESS_KEY_ID"],
                "aws_secret_access_key": sandbox["AWS_SECRET_ACCESS_KEY"]}
    iam = boto3.client("iam", **endpoint)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}
    role_arn = iam.create_role(RoleName="awx-pipeline-job", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    core = client.CoreV1Api(api_client)
    mapping = {"rolearn": role_arn, "username": "awx:{{SessionName}}", "groups": ["ackops-pipeline"]}
    try:
        current = core.read_namespaced_config_map("aws-auth", "kube-system")
        roles = yaml.safe_load((current.data or {}).get("mapRoles") or "[]") or []
        current.data = dict(current.data or {}, mapRoles=yaml.safe_dump(roles + [mapping]))
        core.replace_namespaced_config_map("aws-auth", "kube-system", current)
    except client.ApiException as err:
        if err.status != 404:
            raise
        core.create_namespaced_config_map("kube-system", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="aws-auth", namespace="kube-system"),
            data={"mapRoles": yaml.safe_dump([mapping])}))
    creds = boto3.client("sts", **endpoint).assume_role(RoleArn=role_arn, RoleSessionName="awx-job-1")["Credentials"]
    time.sleep(4)  # the webhook reads aws-auth anew after a few seconds
    yield creds
    current = core.read_namespaced_config_map("aws-auth", "kube-system")
    roles = [r for r in yaml.safe_load(current.data.get("mapRoles") or "[]") or [] if r != mapping]
    current.data["mapRoles"] = yaml.safe_dump(roles)
    core.replace_namespaced_config_map("aws-auth", "kube-system", current)
    iam.delete_role(RoleName="awx-pipeline-job")


def test_pipeline_job_runs_with_only_an_aws_credential(sandbox, make_job, identities, pipeline_role_session):
    """No bearer token: ackops_k8s_auth.api_key is the eks_token lookup, fresh for every task. The cluster's
    address and CA come as a custom credential type would inject them (they are not secrets)."""
    creds = pipeline_role_session
    job = make_job("pipeline-eks-token", inventory_vars={"ackops_k8s_auth": {"api_key": EKS_TOKEN}},
                   aws=(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]))
    cluster = k8s_bearer_credential(job.dir, sandbox["ACKOPS_KUBE_APISERVER"], "", identities["ca"])
    job.credential({k: v for k, v in cluster.items() if k != "K8S_AUTH_API_KEY"})
    assert "K8S_AUTH_API_KEY" not in job.envvars and "KUBECONFIG" not in job.envvars
    log = sandbox_config.LOGS / "eks-authn.log"
    seen = len(log.read_text().splitlines())
    result = run_timed(job, "playbooks/pipeline.yml")
    assert result.status == "successful", result.summary()
    assert result.changed() == 0, result.summary()
    decisions = log.read_text().splitlines()[seen:]
    assert any("accepted: arn:aws:sts::123456789012:assumed-role/awx-pipeline-job/awx-job-1 -> awx:awx-job-1"
               in line for line in decisions), decisions[-5:]


def test_cleanup_job_with_the_platform_token(sandbox, make_job, identities):
    job = bearer(make_job("cleanup"), sandbox, identities["platform"], identities["ca"])
    result = run_timed(job, "playbooks/cleanup.yml")
    assert result.status == "successful", result.summary()


@pytest.fixture(scope="module")
def api_client(sandbox):
    return config.new_client_from_config(config_file=sandbox["KUBECONFIG"])
