# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Integration tests of the irsa and controllers roles (playbooks/irsa.yml, playbooks/controllers.yml) on the sandbox.

Each playbook runs in a subprocess with the checkout's ansible.cfg and inventories/sandbox, as a user runs it. Results are read back from the sandbox: IAM from moto with boto3, releases with helm, Kubernetes objects
with the kubernetes client. The tests run in file order: install, converge checks, annotation/restart, error
messages, then delete (which refuses while an ACK resource exists) and, at the end, a re-install so the sandbox
is left with the controllers it had before.
"""

import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import boto3
import pytest
import yaml
from ackops_sandbox.playbook import ansible_env, run_playbook
from kubernetes.client.exceptions import ApiException

REPO = Path(__file__).resolve().parent.parent.parent
INVENTORY = REPO / "inventories" / "sandbox"
NAMESPACE = "ack-system"
CLUSTER = "ackops-sandbox"
SERVICES = ("sqs", "dynamodb", "lambda")
MANAGED = {
    "sqs": ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"],
    "dynamodb": ["arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"],
    "lambda": [],
}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def role_name(service):
    return "{0}-ack-{1}-controller".format(CLUSTER, service)


@pytest.fixture(scope="module")
def env(sandbox):
    merged = dict(os.environ)
    merged.update(sandbox)
    return merged


@pytest.fixture(scope="module")
def play(env):
    def run(playbook, *args, extra_env=None, timeout=900):
        result = run_playbook(REPO / "playbooks" / playbook, "-i", str(INVENTORY), *args,
                              env=ansible_env(env, **(extra_env or {})), timeout=timeout)
        assert result.has_recap, "no PLAY RECAP in the output:\n" + result.tail()
        return result

    return run


@pytest.fixture(scope="module")
def aws(sandbox):
    kwargs = dict(endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name=sandbox["AWS_REGION"],
                  aws_access_key_id="testing", aws_secret_access_key="testing")
    return {name: boto3.client(name, **kwargs) for name in ("iam", "eks")}


@pytest.fixture(scope="module")
def kube(sandbox):
    from kubernetes import client, config

    api_client = config.new_client_from_config(config_file=sandbox["KUBECONFIG"])
    return {
        "core": client.CoreV1Api(api_client),
        "apps": client.AppsV1Api(api_client),
        "custom": client.CustomObjectsApi(api_client),
    }


@pytest.fixture(scope="module")
def managed_policies_loaded(aws):
    """moto knows AWS managed policies only when started with MOTO_IAM_LOAD_MANAGED_POLICIES=true."""
    try:
        aws["iam"].get_policy(PolicyArn=MANAGED["sqs"][0])
    except aws["iam"].exceptions.NoSuchEntityException:
        pytest.fail("moto in the sandbox has no AWS managed policies: start it with MOTO_IAM_LOAD_MANAGED_POLICIES=true "
                    "(sandbox/aws/moto_main.py); the irsa role attaches AmazonSQSFullAccess and AmazonDynamoDBFullAccess",
                    pytrace=False)


def helm_releases(env):
    out = subprocess.run(["helm", "list", "-n", NAMESPACE, "-o", "json"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, check=True, timeout=60).stdout
    return {r["name"]: r for r in json.loads(out or "[]")}


def issuer_host_path(aws):
    issuer = aws["eks"].describe_cluster(name=CLUSTER)["cluster"]["identity"]["oidc"]["issuer"]
    return issuer[len("https://"):]


def controller_deployment(kube, service):
    """The Deployment of a release: the ACK charts name it <release>-<chart>, so select it by the instance label."""
    items = kube["apps"].list_namespaced_deployment(
        NAMESPACE, label_selector="app.kubernetes.io/instance=ack-{0}-controller".format(service)).items
    assert len(items) == 1, "expected one Deployment of release ack-{0}-controller, got {1}".format(
        service, [d.metadata.name for d in items])
    return items[0]


def restarted_at(kube, service):
    return (controller_deployment(kube, service).spec.template.metadata.annotations or {}).get(
        "kubectl.kubernetes.io/restartedAt")


def ack_resources(kube):
    """namespace/name of every ACK resource of the three controllers' kinds, in every namespace."""
    found = []
    for group, plural in (("sqs.services.k8s.aws", "queues"), ("dynamodb.services.k8s.aws", "tables"),
                          ("lambda.services.k8s.aws", "functions"), ("lambda.services.k8s.aws", "eventsourcemappings")):
        try:
            items = kube["custom"].list_cluster_custom_object(group, "v1alpha1", plural)["items"]
        except ApiException as err:
            if err.status == 404:  # CRD not installed: no resources of that kind
                continue
            raise
        found += [plural + ":" + i["metadata"]["namespace"] + "/" + i["metadata"]["name"] for i in items]
    return found


def role_exists(aws, name):
    try:
        aws["iam"].get_role(RoleName=name)
        return True
    except aws["iam"].exceptions.NoSuchEntityException:
        return False


@pytest.fixture(scope="module", autouse=True)
def restore_controllers(play, env):
    """Leave the sandbox with the controllers installed, as the tests found (or as site.yml leaves) it."""
    yield
    play("irsa.yml")
    play("controllers.yml")


def test_irsa_creates_roles_with_exact_trust_policy(play, aws, managed_policies_loaded):
    first = play("irsa.yml")
    assert first.rc == 0, first.output[-4000:]

    host_path = issuer_host_path(aws)
    account = "123456789012"
    provider_arn = "arn:aws:iam::{0}:oidc-provider/{1}".format(account, host_path)
    providers = [p["Arn"] for p in aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert provider_arn in providers
    assert aws["iam"].get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)["ClientIDList"] == [
        "sts.amazonaws.com"]

    for service in SERVICES:
        role = aws["iam"].get_role(RoleName=role_name(service))["Role"]
        assert role["AssumeRolePolicyDocument"] == {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    host_path + ":sub": "system:serviceaccount:ack-system:ack-{0}-controller".format(service),
                    host_path + ":aud": "sts.amazonaws.com",
                }},
            }],
        }
        tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
        assert tags == {"app.kubernetes.io/managed-by": "ackops.serverless", "ackops.io/cluster": CLUSTER}
        attached = sorted(p["PolicyArn"] for p in
                          aws["iam"].list_attached_role_policies(RoleName=role_name(service))["AttachedPolicies"])
        assert attached == MANAGED[service]
        inline = aws["iam"].list_role_policies(RoleName=role_name(service))["PolicyNames"]
        assert inline == (["ack-lambda-controller"] if service == "lambda" else [])

    doc = aws["iam"].get_role_policy(RoleName=role_name("lambda"), PolicyName="ack-lambda-controller")["PolicyDocument"]
    pass_role = [s for s in doc["Statement"] if s["Action"] == "iam:PassRole"]
    assert pass_role == [{"Sid": "LambdaControllerPassRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                          "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}]
    actions = [a for s in doc["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    for needed in ("lambda:*", "s3:Get*", "ecr:Get*", "ecr:BatchGet*", "ecr:GetDownloadUrlForLayer"):
        assert needed in actions
    # A second run and --check --diff change nothing: site.yml imports this very play, and test_pipeline.py
    # checks both on site.yml (test_second_run_changes_nothing, test_check_mode_on_converged_reports_nothing).


def test_irsa_oidc_provider_is_read_first_and_made_only_when_it_differs(play, aws, managed_policies_loaded):
    """The provider is read in-process: converged, the module is skipped; a tag removed by hand is put back; with
    irsa_manage_oidc_provider false a missing provider fails the run naming the setting, and true makes it again."""
    ensure = "Ensure the cluster's IAM OIDC identity provider exists as asked"
    run = play("irsa.yml", "-v")
    assert run.rc == 0 and run.changed == 0, run.tail()
    assert f"TASK [ackops.serverless.irsa : {ensure}] ***" in run.output
    assert run.output.split(ensure, 1)[1].split("\nTASK [", 1)[0].count("skipping:") == 1

    (arn,) = [p["Arn"] for p in aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    tags = aws["iam"].list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"]
    aws["iam"].untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=[tags[0]["Key"]])
    run = play("irsa.yml")
    assert run.rc == 0 and run.changed == 1, run.tail()
    assert aws["iam"].list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == tags

    aws["iam"].delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    run = play("irsa.yml", "-e", "irsa_manage_oidc_provider=false")
    assert run.rc != 0 and run.changed == 0, run.tail()
    assert "does not exist and irsa_manage_oidc_provider is false" in run.output, run.tail()
    run = play("irsa.yml")
    assert run.rc == 0 and run.changed == 1, run.tail()  # the provider, with the same ARN: the roles still match
    assert [p["Arn"] for p in aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]] == [arn]
    run = play("irsa.yml", "-e", "irsa_manage_oidc_provider=false")
    assert run.rc == 0 and run.changed == 0, run.tail()


def test_irsa_repairs_only_the_role_that_drifted(play, aws, managed_policies_loaded):
    """A role that still matches is not passed to amazon.aws.iam_role; one changed out of band is put back."""
    sqs, lam = role_name("sqs"), role_name("lambda")
    aws["iam"].tag_role(RoleName=sqs, Tags=[{"Key": "added-by-hand", "Value": "x"}])
    aws["iam"].update_role(RoleName=lam, Description="changed by hand")
    aws["iam"].detach_role_policy(RoleName=sqs, PolicyArn=MANAGED["sqs"][0])
    # The Lambda controller's inline policy widened by hand, and a policy irsa_controllers does not list.
    dynamodb = role_name("dynamodb")
    wanted = aws["iam"].get_role_policy(RoleName=lam, PolicyName="ack-lambda-controller")["PolicyDocument"]
    aws["iam"].put_role_policy(RoleName=lam, PolicyName="ack-lambda-controller", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}))
    aws["iam"].put_role_policy(RoleName=dynamodb, PolicyName="added-by-hand", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    run = play("irsa.yml", "-v")
    # The role task, the inline policy put back, the unlisted one removed.
    assert run.rc == 0 and run.changed == 3, run.tail()
    ensured = [line for line in run.output.splitlines() if line.startswith("changed: [localhost] => (item=")]
    assert sorted(line.split("item=")[1].split(")")[0] for line in ensured) == sorted(
        [sqs, lam, f"{lam}: ack-lambda-controller", f"{dynamodb}: added-by-hand"]), ensured
    assert aws["iam"].get_role_policy(RoleName=lam, PolicyName="ack-lambda-controller")["PolicyDocument"] == wanted
    assert aws["iam"].list_role_policies(RoleName=dynamodb)["PolicyNames"] == []
    sqs_role = aws["iam"].get_role(RoleName=sqs)["Role"]
    assert {t["Key"] for t in sqs_role.get("Tags", [])} == {"app.kubernetes.io/managed-by", "ackops.io/cluster"}
    assert [p["PolicyArn"] for p in aws["iam"].list_attached_role_policies(RoleName=sqs)["AttachedPolicies"]] == MANAGED["sqs"]
    assert aws["iam"].get_role(RoleName=lam)["Role"]["Description"] == f"ACK lambda controller of EKS cluster {CLUSTER} (IRSA)"
    again = play("irsa.yml")
    assert again.rc == 0 and again.changed == 0, again.tail()


def test_controllers_install_and_converge(play, env, kube, aws, managed_policies_loaded):
    # What site.yml hands over from irsa in the same run (irsa_role_arns); run alone, the playbook
    # takes the ARNs as variables (or keeps the annotation a ServiceAccount already has).
    role_arns = "-e", json.dumps({"controllers_role_arns": {
        service: aws["iam"].get_role(RoleName=role_name(service))["Role"]["Arn"] for service in SERVICES}})
    first = play("controllers.yml", *role_arns)
    assert first.rc == 0, first.output[-4000:]

    releases = helm_releases(env)
    expected_charts = {"sqs": "sqs-chart-1.6.1", "dynamodb": "dynamodb-chart-1.9.2", "lambda": "lambda-chart-1.14.1"}
    for service in SERVICES:
        release = releases.get("ack-{0}-controller".format(service))
        assert release is not None, "release ack-{0}-controller missing: {1}".format(service, sorted(releases))
        assert release["status"] == "deployed"
        assert release["chart"] == expected_charts[service]

        values = json.loads(subprocess.run(
            ["helm", "get", "values", "-n", NAMESPACE, "ack-{0}-controller".format(service), "-o", "json"],
            env=env, stdout=subprocess.PIPE, text=True, check=True, timeout=60).stdout)
        role_arn = aws["iam"].get_role(RoleName=role_name(service))["Role"]["Arn"]
        assert values["aws"] == {"region": "us-east-1", "endpoint_url": os.environ["AWS_ENDPOINT_URL"],
                                 "allow_unsafe_aws_endpoint_urls": True}
        assert values["serviceAccount"] == {"create": True, "name": "ack-{0}-controller".format(service),
                                            "annotations": {"eks.amazonaws.com/role-arn": role_arn}}

        sa = kube["core"].read_namespaced_service_account("ack-{0}-controller".format(service), NAMESPACE)
        assert sa.metadata.annotations["eks.amazonaws.com/role-arn"] == role_arn
        deployment = controller_deployment(kube, service)
        available = [c for c in deployment.status.conditions or [] if c.type == "Available"]
        assert available and available[0].status == "True"

    # With the ARNs, a second run and --check --diff are site.yml's controllers play, which test_pipeline.py
    # checks. Alone and without ARNs, the annotations the ServiceAccounts carry are kept: still no change.
    alone = play("controllers.yml")
    assert alone.rc == 0, alone.output[-4000:]
    assert alone.changed == 0, alone.changed_tasks()


def test_controllers_latest_resolves_to_the_registry_version(play, env):
    # No role ARN known: the annotation the ServiceAccount has is kept, so only the version could change.
    extra = json.dumps({"controllers_charts": [{"service": "sqs", "version": "latest"}], "controllers_role_arns": {}})
    run = play("controllers.yml", "-e", extra, "-v")
    assert run.rc == 0, run.output[-4000:]
    # 1.6.1 is the only (so the newest) sqs chart in the sandbox registry: nothing to upgrade.
    assert run.changed == 0, run.changed_tasks()
    assert re.search(r'controllers_installed_versions:\s*\n\s+sqs: 1\.6\.1', run.output) or \
        "'sqs': '1.6.1'" in run.output or '"sqs": "1.6.1"' in run.output, run.output[-3000:]
    assert helm_releases(env)["ack-sqs-controller"]["chart"] == "sqs-chart-1.6.1"


def test_controllers_upgrade_only_the_release_whose_values_changed(play, env):
    # Helm's record says which releases are deployed as wanted; only the others go to kubernetes.core.helm.
    debug = json.dumps({"controllers_charts": [
        {"service": "sqs", "version": "1.6.1", "values": {"log": {"level": "debug"}}},
        {"service": "dynamodb", "version": "1.9.2"}, {"service": "lambda", "version": "1.14.1"}]})
    before = {name: int(r["revision"]) for name, r in helm_releases(env).items()}

    check = play("controllers.yml", "-e", debug, "--check")
    assert check.rc == 0, check.output[-4000:]
    assert check.changed == 1, check.changed_tasks()
    assert {name: int(r["revision"]) for name, r in helm_releases(env).items()} == before

    run = play("controllers.yml", "-e", debug)
    assert run.rc == 0, run.output[-4000:]
    assert run.changed == 1, run.changed_tasks()
    after = {name: int(r["revision"]) for name, r in helm_releases(env).items()}
    assert after == dict(before, **{"ack-sqs-controller": before["ack-sqs-controller"] + 1})
    values = json.loads(subprocess.run(["helm", "get", "values", "-n", NAMESPACE, "ack-sqs-controller", "-o", "json"],
                                       env=env, stdout=subprocess.PIPE, text=True, check=True, timeout=60).stdout)
    assert values["log"] == {"level": "debug"}

    # Deployed as wanted: the helm task has nothing to do, not even a status read.
    again = play("controllers.yml", "-e", debug)
    assert again.rc == 0 and again.changed == 0, again.changed_tasks()
    assert re.search(r"Install or upgrade the releases that are not deployed as wanted\] \*+\n"
                     r"skipping: \[localhost\]", again.output), again.output[-4000:]
    assert "Install or upgrade each ACK controller chart" not in again.output

    back = play("controllers.yml")
    assert back.rc == 0 and back.changed == 1, back.changed_tasks()
    assert "log" not in json.loads(subprocess.run(
        ["helm", "get", "values", "-n", NAMESPACE, "ack-sqs-controller", "-o", "json"],
        env=env, stdout=subprocess.PIPE, text=True, check=True, timeout=60).stdout)


def test_controllers_upgrade_applies_the_new_charts_crds(play, env, tmp_path):
    """Helm creates a chart's crds/ on the first install and never again. The role applies them itself before an
    install or upgrade: a chart version whose Queue CRD has one more spec field brings that field to the cluster,
    and going back to 1.6.1 takes it away again. (A prerelease version: "latest" never picks it.)"""
    registry, version, field = env["ACKOPS_REGISTRY"], "1.6.1-crdtest", "ackopsUpgradeProbe"

    def helm(*args):
        return subprocess.run(["helm", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              check=True, timeout=120).stdout

    helm("pull", f"oci://{registry}/aws-controllers-k8s/sqs-chart", "--version", "1.6.1", "--plain-http",
         "--untar", "--untardir", str(tmp_path))
    chart = tmp_path / "sqs-chart"
    manifest = chart / "Chart.yaml"
    manifest.write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", manifest.read_text(encoding="utf-8")),
                        encoding="utf-8")
    (crd_file,) = [f for f in (chart / "crds").glob("*.yaml") if "queues" in f.name]
    crd = yaml.safe_load(crd_file.read_text(encoding="utf-8"))
    for served in crd["spec"]["versions"]:
        served["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"][field] = {"type": "string"}
    crd_file.write_text(yaml.safe_dump(crd), encoding="utf-8")
    helm("package", str(chart), "--destination", str(tmp_path))
    helm("push", str(tmp_path / f"sqs-chart-{version}.tgz"), f"oci://{registry}/aws-controllers-k8s", "--plain-http")

    def spec_fields():
        from kubernetes import client, config

        api = client.ApiextensionsV1Api(config.new_client_from_config(config_file=env["KUBECONFIG"]))
        live = api.read_custom_resource_definition(crd["metadata"]["name"])
        managers = {entry.manager for entry in live.metadata.managed_fields or []}
        return set(live.spec.versions[0].schema.open_apiv3_schema.properties["spec"].properties), managers

    upgraded = play("controllers.yml", "-e", json.dumps({"controllers_charts": [
        {"service": "sqs", "version": version}, {"service": "dynamodb", "version": "1.9.2"},
        {"service": "lambda", "version": "1.14.1"}]}))
    try:
        assert upgraded.rc == 0, upgraded.tail()
        assert helm_releases(env)["ack-sqs-controller"]["chart"] == f"sqs-chart-{version}"
        fields, managers = spec_fields()
        assert field in fields and "ackops.serverless" in managers, (sorted(fields), managers)
    finally:
        back = play("controllers.yml")
    assert back.rc == 0, back.tail()
    assert helm_releases(env)["ack-sqs-controller"]["chart"] == "sqs-chart-1.6.1"
    assert field not in spec_fields()[0]


def test_irsa_reannotates_and_restarts_only_changed_controllers(play, kube, aws, managed_policies_loaded):
    sqs = "ack-sqs-controller"
    wrong = "arn:aws:iam::123456789012:role/not-the-controller-role"
    kube["core"].patch_namespaced_service_account(
        sqs, NAMESPACE, {"metadata": {"annotations": {"eks.amazonaws.com/role-arn": wrong}}})
    before = {s: restarted_at(kube, s) for s in SERVICES}

    check = play("irsa.yml", "--check")
    assert check.rc == 0, check.output[-4000:]
    assert check.changed == 2, check.changed_tasks()  # annotation + restart, reported but not made
    sa = kube["core"].read_namespaced_service_account(sqs, NAMESPACE)
    assert sa.metadata.annotations["eks.amazonaws.com/role-arn"] == wrong

    time.sleep(1.1)  # restartedAt has a resolution of one second
    run = play("irsa.yml")
    assert run.rc == 0, run.output[-4000:]
    assert run.changed == 2, run.changed_tasks()
    sa = kube["core"].read_namespaced_service_account(sqs, NAMESPACE)
    assert sa.metadata.annotations["eks.amazonaws.com/role-arn"] == aws["iam"].get_role(RoleName=role_name("sqs"))["Role"]["Arn"]
    after = {s: restarted_at(kube, s) for s in SERVICES}
    assert after["sqs"] and after["sqs"] != before["sqs"]
    assert after["dynamodb"] == before["dynamodb"]
    assert after["lambda"] == before["lambda"]

    again = play("irsa.yml")
    assert again.changed == 0, again.changed_tasks()
    # The restarted controller comes back: one wait for Available covers the sandbox and EKS.
    converged = play("controllers.yml")
    assert converged.rc == 0, converged.output[-4000:]
    assert converged.changed == 0, converged.changed_tasks()


def test_missing_cluster_is_a_clear_error(play):
    run = play("irsa.yml", "-e", "ackops_eks_cluster_name=no-such-cluster")
    assert run.rc != 0
    assert run.failed == 1
    assert "EKS cluster 'no-such-cluster' was not found in region us-east-1: check cluster_name and the region" in run.output


def test_wrong_region_is_a_clear_error(play):
    run = play("irsa.yml", "-e", "ackops_aws_region=eu-west-1",
               extra_env={"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"})
    assert run.rc != 0
    assert "EKS cluster 'ackops-sandbox' was not found in region eu-west-1" in run.output


def test_missing_credentials_are_a_clear_error(play, tmp_path):
    cleared = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None, "AWS_PROFILE": None,
               "AWS_DEFAULT_PROFILE": None, "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None, "AWS_WEB_IDENTITY_TOKEN_FILE": None,
               "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_CONFIG_FILE": str(tmp_path / "none"),
               "AWS_EC2_METADATA_DISABLED": "true"}
    run = play("irsa.yml", extra_env=cleared)
    assert run.rc != 0
    assert "No AWS credentials found: set valid AWS credentials in the environment" in run.output


def test_preflight_names_an_unreachable_api_server_and_aws_endpoint(play, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "down",
        "clusters": [{"name": "down", "cluster": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True}}],
        "contexts": [{"name": "down", "context": {"cluster": "down", "user": "down"}}],
        "users": [{"name": "down", "user": {"token": "not-a-secret"}}]}), encoding="utf-8")
    run = play("preflight.yml", extra_env={"KUBECONFIG": str(kubeconfig)})
    assert run.rc != 0 and run.changed == 0
    assert f"The Kubernetes API server cannot be reached (KUBECONFIG={kubeconfig}): HTTPSConnectionPool(host='127.0.0.1', port=1)" in run.output
    assert "make sandbox-up" in run.output
    run = play("preflight.yml", "-e", '{"preflight_binaries": ["helm", "no-such-tool", "/no/such/crane"]}')
    assert run.rc != 0 and "no-such-tool, /no/such/crane not found on PATH" in run.output
    run = play("preflight.yml", "-e", "ackops_aws_endpoint_url=http://127.0.0.1:1")
    assert run.rc != 0 and run.changed == 0
    assert "AWS cannot be reached or refuses the credentials (endpoint http://127.0.0.1:1, region us-east-1)" in run.output


def test_controllers_delete_refuses_while_ack_resources_exist(play, env, kube):
    name = "platform-guard-" + uuid.uuid4().hex[:6]
    queue = {"apiVersion": "sqs.services.k8s.aws/v1alpha1", "kind": "Queue",
             "metadata": {"name": name, "namespace": "default"}, "spec": {"queueName": name}}
    kube["custom"].create_namespaced_custom_object("sqs.services.k8s.aws", "v1alpha1", "default", "queues", queue)
    try:
        run = play("controllers.yml", "-e", "controllers_operation=delete")
        assert run.rc != 0
        assert "Not uninstalling the ACK controllers" in run.output
        assert "Queue/default/" + name in run.output
        assert "controllers_force_delete=true" in run.output
        assert set("ack-{0}-controller".format(s) for s in SERVICES) <= set(helm_releases(env))
    finally:
        kube["custom"].delete_namespaced_custom_object("sqs.services.k8s.aws", "v1alpha1", "default", "queues", name)
    deadline = time.time() + 120
    while time.time() < deadline:
        items = kube["custom"].list_namespaced_custom_object("sqs.services.k8s.aws", "v1alpha1", "default", "queues")
        if not [i for i in items["items"] if i["metadata"]["name"] == name]:
            break
        time.sleep(1)
    else:
        pytest.fail("the stand-in sqs controller did not remove the finalizer of Queue default/" + name)


def test_delete_leaves_no_release_role_or_policy(play, env, aws, kube):
    # ACK resources left by other tests (e.g. the pipeline's) make a plain delete refuse, as it should (see the test
    # above); then force it: those resources stay, and the controllers reinstalled at teardown reconcile them again.
    delete = ["-e", "controllers_operation=delete"]
    if ack_resources(kube):
        delete += ["-e", "controllers_force_delete=true"]

    controllers = play("controllers.yml", *delete)
    assert controllers.rc == 0, controllers.output[-4000:]
    releases = helm_releases(env)
    assert not [r for r in releases if r.startswith("ack-") and r.endswith("-controller")], releases
    irsa = play("irsa.yml", "-e", "irsa_operation=delete")
    assert irsa.rc == 0, irsa.output[-4000:]
    for service in SERVICES:
        assert not role_exists(aws, role_name(service))
    leftovers = [r["RoleName"] for r in aws["iam"].list_roles()["Roles"] if r["RoleName"].startswith(CLUSTER + "-ack-")]
    assert leftovers == []
    assert aws["iam"].list_instance_profiles()["InstanceProfiles"] == [] or all(
        not p["InstanceProfileName"].startswith(CLUSTER + "-ack-") for p in aws["iam"].list_instance_profiles()["InstanceProfiles"])
    # The OIDC provider is shared: it stays unless asked for.
    host_path = issuer_host_path(aws)
    assert any(p["Arn"].endswith(host_path) for p in aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"])

    again = play("controllers.yml", *delete)
    assert again.rc == 0 and again.changed == 0, again.changed_tasks()
    again = play("irsa.yml", "-e", "irsa_operation=delete")
    assert again.rc == 0 and again.changed == 0, again.changed_tasks()

    # Check mode on an account without the roles reports the creation and creates nothing.
    check = play("irsa.yml", "--check")
    assert check.rc == 0, check.output[-4000:]
    for service in SERVICES:
        assert "changed: [localhost] => (item={0})".format(role_name(service)) in check.output, check.changed_tasks()
        assert not role_exists(aws, role_name(service))
