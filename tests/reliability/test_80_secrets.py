# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 8, secrets: the ECR password, the AWS secret key, the session token and every Kubernetes bearer
token must appear nowhere: not in the output of `site.yml -vvv`, not in an AWX-style run's artifacts,
not in the sandbox's logs (the ACK controllers' included).

* `site.yml -vvv` with distinctive credentials (moto accepts any): AWS_SECRET_ACCESS_KEY and
  AWS_SESSION_TOKEN of this test, the image pushed the ECR way (lambda_image_registry empty, so the
  role gets an ECR login and writes the password for crane; tests/reliability/crane_ecr_to_local.sh
  sends the pushes to the sandbox registry, as moto has no registry), and the sandbox admin's bearer
  token in the kubeconfig.
* The AWX-style run: ansible-runner (Python API, as AWX calls it, suppress_env_files like AWX's
  AWX_RUNNER_OMIT_ENV_FILES) in a clean process environment, with env/envvars holding only what AWX's
  credential types inject: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and
  K8S_AUTH_HOST, K8S_AUTH_API_KEY (a ServiceAccount token of the sandbox, from the TokenRequest API),
  K8S_AUTH_SSL_CA_CERT. No KUBECONFIG. Run on this machine without an execution environment (the AWX
  branch's EE tests run the same job in podman).

ansible-runner 2.4.3 writes the job's whole environment into artifacts/<id>/command whatever its
options (its own record of how it started the job; AWX deletes the private data dir after the job and
keeps only events and output): that file is reported apart, as runner's, not counted as a leak of the
collection."""

import base64
import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from ackops_sandbox import config
from rel_helpers import (FIGURES, REPO, assert_converged, playbook_env, record, run_site)

CRANE_WRAPPER = Path(__file__).resolve().parent / "crane_ecr_to_local.sh"
LOGS = config.LOGS
RUNNER_DIR = FIGURES.parent / "reliability-awx-job"
SA_NAMESPACE, SA_NAME = "ackops-reliability", "awx-job"


def _credentials():
    return {"AWS_ACCESS_KEY_ID": "AKIA" + secrets.token_hex(8).upper(),
            "AWS_SECRET_ACCESS_KEY": "relSecret" + secrets.token_hex(16),
            "AWS_SESSION_TOKEN": "relSession" + secrets.token_hex(32)}


def _ecr_secrets(sandbox, creds):
    ecr = boto3.client("ecr", endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name="us-east-1",
                       aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                       aws_session_token=creds["AWS_SESSION_TOKEN"])
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    return {"ECR password": base64.b64decode(token).decode().split(":", 1)[1], "ECR token": token}


def _scan(texts, wanted):
    """[(where, secret name)] for every secret value found in texts {where: text}."""
    return [(where, name) for where, text in texts.items() for name, value in wanted.items() if value and value in text]


def _sandbox_logs():
    return {f".sandbox/logs/{p.name}": p.read_text(errors="replace") for p in sorted(LOGS.glob("*.log"))}


@pytest.fixture
def service_account_token(kube):
    client = kube.client
    kube.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=SA_NAMESPACE)))
    kube.core.create_namespaced_service_account(SA_NAMESPACE, client.V1ServiceAccount(
        metadata=client.V1ObjectMeta(name=SA_NAME)))
    rbac = client.RbacAuthorizationV1Api(kube.core.api_client)
    binding = f"{SA_NAMESPACE}-{SA_NAME}"
    rbac.create_cluster_role_binding(client.V1ClusterRoleBinding(
        metadata=client.V1ObjectMeta(name=binding),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name="cluster-admin"),
        subjects=[client.RbacV1Subject(kind="ServiceAccount", name=SA_NAME, namespace=SA_NAMESPACE)]))
    answer = kube.core.create_namespaced_service_account_token(SA_NAME, SA_NAMESPACE, client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=3600)))
    yield answer.status.token
    rbac.delete_cluster_role_binding(binding)
    kube.core.delete_namespace(SA_NAMESPACE)


def test_site_vvv_leaks_no_secret(sandbox, converged):
    from ackops_sandbox import pki

    creds = _credentials()
    wanted = {"AWS secret key": creds["AWS_SECRET_ACCESS_KEY"], "AWS session token": creds["AWS_SESSION_TOKEN"],
              "Kubernetes bearer token (sandbox admin)": pki.admin_token(), **_ecr_secrets(sandbox, creds)}
    before = {k: len(v) for k, v in _sandbox_logs().items()}
    run = run_site("-vvv", "-e", "lambda_image_registry=", "-e", f"lambda_image_crane_path={CRANE_WRAPPER}",
                   env=playbook_env(creds))
    assert_converged(run)
    login = run.output.split("TASK [ackops.serverless.lambda_image : Get an ECR login]", 1)[1].split("\nTASK [", 1)[0]
    assert "AnsiballZ_ecr_login.py" in login and "skipping:" not in login, "the run did not take the ECR login path"
    logs = {k: v[before.get(k, 0):] for k, v in _sandbox_logs().items()}  # what this run added
    found = _scan({"stdout+stderr": run.output}, wanted) + _scan(logs, wanted)
    record("secrets", "site_vvv", {"secrets_checked": sorted(wanted), "output_bytes": len(run.output),
                                   "logs_scanned": sorted(logs), "leaks": [f"{n} in {w}" for w, n in found],
                                   "run_seconds": run.seconds})
    assert found == [], found


def test_awx_style_run_leaks_no_secret(sandbox, converged, service_account_token):
    from ackops_sandbox import pki

    creds = _credentials()
    ca = config.SERVING_CERT
    job = RUNNER_DIR
    shutil.rmtree(job, ignore_errors=True)
    (job / "env").mkdir(parents=True)
    (job / "inventory").mkdir()
    registry = sandbox["ACKOPS_REGISTRY"]
    (job / "inventory" / "hosts.json").write_text(json.dumps({"all": {
        "hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}},
        "vars": {"ackops_aws_region": "us-east-1", "ackops_aws_endpoint_url": sandbox["AWS_ENDPOINT_URL"],
                 "ackops_eks_cluster_name": sandbox["ACKOPS_EKS_CLUSTER"], "ackops_ack_namespace": "ack-system",
                 "ackops_chart_registry": f"oci://{registry}/aws-controllers-k8s", "ackops_chart_plain_http": True,
                 "ackops_image_registry": registry, "ackops_sandbox": True, "lambda_image_base_image": ""}}}))
    envvars = dict(creds, K8S_AUTH_HOST=sandbox["ACKOPS_KUBE_APISERVER"], K8S_AUTH_API_KEY=service_account_token,
                   K8S_AUTH_SSL_CA_CERT=str(ca), K8S_AUTH_VERIFY_SSL="True")
    (job / "env" / "envvars").write_text(json.dumps(envvars))
    wanted = {"AWS secret key": creds["AWS_SECRET_ACCESS_KEY"], "AWS session token": creds["AWS_SESSION_TOKEN"],
              "Kubernetes bearer token (ServiceAccount)": service_account_token,
              "Kubernetes bearer token (sandbox admin)": pki.admin_token()}
    before = {k: len(v) for k, v in _sandbox_logs().items()}
    # What an AWX job's process gets: no KUBECONFIG, no AWS_* of this shell; helm and crane on PATH.
    clean_env = {"PATH": f"{REPO / '.venv' / 'bin'}:{config.CACHE_BIN}:/usr/local/bin:/usr/bin:/bin",
                 "HOME": str(job / "home"), "LANG": "C.UTF-8"}
    script = ("import ansible_runner, json, sys; r = ansible_runner.run(private_data_dir=sys.argv[1], "
              "project_dir=sys.argv[2], playbook='site.yml', inventory=sys.argv[1] + '/inventory/hosts.json', "
              "ident='job', quiet=True, suppress_env_files=True); print(json.dumps({'rc': r.rc, 'status': r.status}))")
    started = os.times().elapsed
    result = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-c", script, str(job), str(REPO)],
                            env=clean_env, capture_output=True, text=True, timeout=1800, check=False)
    seconds = round(os.times().elapsed - started, 1)
    artifacts = job / "artifacts" / "job"
    stdout = (artifacts / "stdout").read_text(errors="replace") if (artifacts / "stdout").exists() else ""
    assert result.returncode == 0 and json.loads(result.stdout.strip().splitlines()[-1])["rc"] == 0, \
        f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}\n{stdout[-6000:]}"
    assert "items found in customer" in stdout and "4 messages sent" in stdout, stdout[-4000:]
    files = {str(p.relative_to(job)): p.read_text(errors="replace") for p in artifacts.rglob("*") if p.is_file()}
    runner_record = {k: v for k, v in files.items() if k.endswith("/command")}
    job_files = {k: v for k, v in files.items() if k not in runner_record}
    logs = {k: v[before.get(k, 0):] for k, v in _sandbox_logs().items()}
    found = _scan({"runner process stdout+stderr": result.stdout + result.stderr}, wanted) + _scan(job_files, wanted) \
        + _scan(logs, wanted)
    in_runner_record = sorted({n for _, n in _scan(runner_record, wanted)})
    record("secrets", "awx_style", {
        "secrets_checked": sorted(wanted), "artifact_files_scanned": len(job_files), "logs_scanned": sorted(logs),
        "leaks": [f"{n} in {w}" for w, n in found], "run_seconds": seconds,
        "runner_command_file_holds": in_runner_record})
    assert found == [], found
    shutil.rmtree(job / "env", ignore_errors=True)  # the credentials this test wrote, and runner's record of them
    (artifacts / "command").unlink(missing_ok=True)
