# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Integration tests of the cluster role (playbooks/cluster.yml) on the sandbox, where moto is EKS.

The tests run in file order and share their clusters: check mode on a missing cluster, converge, check mode
on the converged cluster, a second run that also checks the hand-over to later plays, delete (check mode
first); then the Fargate variant (with the CoreDNS patch, done on the sandbox's kube-apiserver), and last
site.yml with site_create_cluster=true creating the sandbox's own record, whose issuer the irsa role reads.

The clusters have their own names (ackops-it-*), so the `ackops-sandbox` record other tests read is not
touched until the last test, which replaces it with one the role makes (same name, a new issuer) and then
removes the pipeline again with playbooks/cleanup.yml. Whatever a failed run leaves is removed before and
after the module.
"""

import base64
import json
import os
import re
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / ".venv" / "bin" / "ansible-playbook"
OUTPUT = REPO / "tests" / "output"
NODEGROUP_CLUSTER = "ackops-it-cluster"
FARGATE_CLUSTER = "ackops-it-fargate"
SANDBOX_CLUSTER = "ackops-sandbox"
ACCOUNT = "123456789012"
MANAGED = "arn:aws:iam::aws:policy/"
MANAGED_BY = {"app.kubernetes.io/managed-by": "ackops.serverless"}
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def ca_path(cluster):
    return OUTPUT / "cluster-role" / (cluster + "-ca.crt")


def role_names(cluster):
    return [cluster + "-eks-cluster", cluster + "-eks-node", cluster + "-eks-fargate-pods"]


def run(playbook, *args, cluster=NODEGROUP_CLUSTER, expect_rc=0, timeout=900):
    """ansible-playbook with the sandbox inventory; returns (changed, output). Prints the wall time."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_DEPRECATION_WARNINGS="0")
    cmd = [str(PLAYBOOK), playbook, "-e", "ackops_eks_cluster_name=" + cluster,
           "-e", "cluster_ca_cert_path=" + str(ca_path(cluster)), *args]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, check=False)
    print("\n{0} {1} -> rc {2} in {3:.1f} s".format(playbook, " ".join(args), proc.returncode, time.monotonic() - started))
    assert proc.returncode == expect_rc, "{0} {1}: rc {2}\n{3}".format(playbook, args, proc.returncode, proc.stdout[-6000:])
    recaps = RECAP.findall(proc.stdout)
    assert recaps, proc.stdout[-4000:]
    return sum(int(r[1]) for r in recaps), proc.stdout


@pytest.fixture(scope="module")
def aws(sandbox):
    kwargs = dict(endpoint_url=sandbox["AWS_ENDPOINT_URL"], region_name=sandbox["AWS_REGION"],
                  aws_access_key_id="testing", aws_secret_access_key="testing")
    return {name: boto3.client(name, **kwargs) for name in ("eks", "iam", "ec2")}


def remove_cluster(aws, cluster, irsa_roles=True):
    """What the role (and irsa) made, removed with boto3 (before and after the module, whatever a failed run left)."""
    eks, iam = aws["eks"], aws["iam"]
    if cluster in eks.list_clusters()["clusters"]:
        issuer = eks.describe_cluster(name=cluster)["cluster"]["identity"]["oidc"]["issuer"]
        for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
            if provider["Arn"].endswith(issuer[len("https://"):]):
                iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
        for nodegroup in eks.list_nodegroups(clusterName=cluster)["nodegroups"]:
            eks.delete_nodegroup(clusterName=cluster, nodegroupName=nodegroup)
        for profile in eks.list_fargate_profiles(clusterName=cluster)["fargateProfileNames"]:
            eks.delete_fargate_profile(clusterName=cluster, fargateProfileName=profile)
        eks.delete_cluster(name=cluster)
    irsa = ["{0}-ack-{1}-controller".format(cluster, s) for s in ("sqs", "dynamodb", "lambda")] if irsa_roles else []
    for name in role_names(cluster) + irsa:
        try:
            for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=policy)
            iam.delete_role(RoleName=name)
        except iam.exceptions.NoSuchEntityException:
            pass


@pytest.fixture(scope="module", autouse=True)
def own_clusters(aws):
    ca_path(NODEGROUP_CLUSTER).parent.mkdir(parents=True, exist_ok=True)
    for cluster in (NODEGROUP_CLUSTER, FARGATE_CLUSTER):
        remove_cluster(aws, cluster)
    yield
    for cluster in (NODEGROUP_CLUSTER, FARGATE_CLUSTER):
        remove_cluster(aws, cluster)


def existing_roles(aws, cluster):
    return sorted(r["RoleName"] for r in aws["iam"].list_roles()["Roles"] if r["RoleName"].startswith(cluster + "-eks-"))


def attached(aws, role):
    return sorted(p["PolicyArn"] for p in aws["iam"].list_attached_role_policies(RoleName=role)["AttachedPolicies"])


def trust(aws, role):
    return aws["iam"].get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"]


def test_check_mode_on_a_missing_cluster_creates_nothing(aws):
    changed, out = run("playbooks/cluster.yml", "--check")
    assert changed == 3, out  # the two roles, the cluster, the node group: reported, not made
    assert "does not exist yet" in out
    assert NODEGROUP_CLUSTER not in aws["eks"].list_clusters()["clusters"]
    assert existing_roles(aws, NODEGROUP_CLUSTER) == []
    assert not ca_path(NODEGROUP_CLUSTER).exists()


def test_converge_creates_roles_cluster_and_node_group(aws):
    changed, out = run("playbooks/cluster.yml")
    assert changed == 4, out  # roles, cluster, node group, CA file
    cluster = aws["eks"].describe_cluster(name=NODEGROUP_CLUSTER)["cluster"]
    assert cluster["status"] == "ACTIVE" and cluster["version"] == "1.34"
    assert cluster["roleArn"] == "arn:aws:iam::{0}:role/{1}-eks-cluster".format(ACCOUNT, NODEGROUP_CLUSTER)
    assert cluster["tags"] == dict(MANAGED_BY, **{"ackops.io/cluster": NODEGROUP_CLUSTER})
    # No subnets given: every subnet of the region's default VPC.
    vpc = aws["ec2"].describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    default_subnets = aws["ec2"].describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    assert sorted(cluster["resourcesVpcConfig"]["subnetIds"]) == sorted(s["SubnetId"] for s in default_subnets)

    assert existing_roles(aws, NODEGROUP_CLUSTER) == sorted(role_names(NODEGROUP_CLUSTER)[:2])
    control_plane, node = role_names(NODEGROUP_CLUSTER)[:2]
    assert trust(aws, control_plane) == [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                          "Action": "sts:AssumeRole"}]
    assert attached(aws, control_plane) == [MANAGED + "AmazonEKSClusterPolicy"]
    assert trust(aws, node) == [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                 "Action": "sts:AssumeRole"}]
    assert attached(aws, node) == sorted(MANAGED + p for p in (
        "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"))

    nodegroup = aws["eks"].describe_nodegroup(clusterName=NODEGROUP_CLUSTER, nodegroupName=NODEGROUP_CLUSTER + "-nodes")["nodegroup"]
    assert nodegroup["status"] == "ACTIVE"
    assert nodegroup["nodeRole"] == "arn:aws:iam::{0}:role/{1}".format(ACCOUNT, node)
    assert nodegroup["amiType"] == "BOTTLEROCKET_x86_64" and nodegroup["instanceTypes"] == ["t3.medium"]
    assert nodegroup["scalingConfig"] == {"minSize": 1, "maxSize": 3, "desiredSize": 2}
    assert nodegroup["tags"]["app.kubernetes.io/managed-by"] == "ackops.serverless"
    assert ca_path(NODEGROUP_CLUSTER).read_bytes() == base64.b64decode(cluster["certificateAuthority"]["data"])


def test_check_mode_on_the_converged_cluster_reports_nothing():
    changed, out = run("playbooks/cluster.yml", "--check", "--diff")
    assert changed == 0, out
    assert "--- before" not in out


def test_second_run_changes_nothing_and_hands_over_endpoint_ca_and_token(aws):
    """The second run is the hand-over playbook: playbooks/cluster.yml, then a play that checks the facts."""
    changed, out = run("tests/integration/fixtures/cluster_handover.yml")
    assert changed == 0, out
    cluster = aws["eks"].describe_cluster(name=NODEGROUP_CLUSTER)["cluster"]
    assert "handover ok: {0} issuer {1}".format(cluster["endpoint"], cluster["identity"]["oidc"]["issuer"]) in out


def test_delete_in_check_mode_deletes_nothing(aws):
    # The irsa role would make the cluster's OIDC provider (site.yml does: see the last test); here it is made
    # directly, for delete to remove it.
    issuer = aws["eks"].describe_cluster(name=NODEGROUP_CLUSTER)["cluster"]["identity"]["oidc"]["issuer"]
    aws["iam"].create_open_id_connect_provider(Url=issuer, ClientIDList=["sts.amazonaws.com"])
    changed, out = run("playbooks/cluster.yml", "-e", "cluster_operation=delete", "--check")
    assert changed == 5, out  # OIDC provider, node group, cluster, roles, CA file
    assert NODEGROUP_CLUSTER in aws["eks"].list_clusters()["clusters"]
    assert aws["eks"].list_nodegroups(clusterName=NODEGROUP_CLUSTER)["nodegroups"] == [NODEGROUP_CLUSTER + "-nodes"]
    assert len(existing_roles(aws, NODEGROUP_CLUSTER)) == 2
    assert ca_path(NODEGROUP_CLUSTER).exists()


def test_delete_leaves_no_cluster_node_group_role_or_provider(aws):
    issuer = aws["eks"].describe_cluster(name=NODEGROUP_CLUSTER)["cluster"]["identity"]["oidc"]["issuer"]
    changed, out = run("playbooks/cluster.yml", "-e", "cluster_operation=delete")
    assert changed == 5, out
    assert NODEGROUP_CLUSTER not in aws["eks"].list_clusters()["clusters"]
    assert existing_roles(aws, NODEGROUP_CLUSTER) == []
    providers = [p["Arn"] for p in aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert not [arn for arn in providers if arn.endswith(issuer[len("https://"):])]
    assert not ca_path(NODEGROUP_CLUSTER).exists()
    changed, out = run("playbooks/cluster.yml", "-e", "cluster_operation=delete")
    assert changed == 0, out


@pytest.fixture
def coredns(sandbox):
    """A CoreDNS Deployment as EKS makes it (kept off Fargate by an annotation), and Kubernetes access to the
    sandbox's kube-apiserver in the shape of cluster_k8s_auth (moto's cluster endpoint has no server)."""
    from kubernetes import client, config

    kubeconfig = yaml.safe_load(Path(sandbox["KUBECONFIG"]).read_text())
    ca_file = OUTPUT / "cluster-role" / "sandbox-apiserver-ca.crt"
    ca_file.parent.mkdir(parents=True, exist_ok=True)
    ca_file.write_bytes(base64.b64decode(kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"]))
    auth = {"host": kubeconfig["clusters"][0]["cluster"]["server"], "ca_cert": str(ca_file),
            "api_key": kubeconfig["users"][0]["user"]["token"]}
    apps = client.AppsV1Api(config.new_client_from_config(config_file=sandbox["KUBECONFIG"]))
    labels = {"k8s-app": "kube-dns"}
    body = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="coredns", namespace="kube-system"),
        spec=client.V1DeploymentSpec(
            replicas=0, selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels, annotations={"eks.amazonaws.com/compute-type": "ec2"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="coredns", image="coredns/coredns")]))))
    try:
        apps.delete_namespaced_deployment("coredns", "kube-system")
    except client.exceptions.ApiException as err:
        assert err.status == 404
    apps.create_namespaced_deployment("kube-system", body)
    yield auth, apps
    apps.delete_namespaced_deployment("coredns", "kube-system")
    (OUTPUT / "cluster-role" / "sandbox-k8s-auth.json").unlink(missing_ok=True)


def test_fargate_profile_and_coredns_converge_and_delete(aws, coredns):
    auth, apps = coredns
    auth_file = OUTPUT / "cluster-role" / "sandbox-k8s-auth.json"
    auth_file.write_text(json.dumps({"cluster_k8s_auth": auth}))
    auth_file.chmod(0o600)
    fargate = ("-e", "cluster_compute=fargate", "-e", "cluster_region=us-east-1", "-e", "@" + str(auth_file))
    changed, out = run("playbooks/cluster.yml", *fargate, cluster=FARGATE_CLUSTER)
    assert changed == 5, out  # roles, cluster, Fargate profile, CA file, CoreDNS patch
    pods_role = FARGATE_CLUSTER + "-eks-fargate-pods"
    assert existing_roles(aws, FARGATE_CLUSTER) == sorted([FARGATE_CLUSTER + "-eks-cluster", pods_role])
    assert trust(aws, pods_role) == [{
        "Effect": "Allow", "Principal": {"Service": "eks-fargate-pods.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:eks:us-east-1:{0}:fargateprofile/{1}/*".format(
            ACCOUNT, FARGATE_CLUSTER)}}}]
    assert attached(aws, pods_role) == [MANAGED + "AmazonEKSFargatePodExecutionRolePolicy"]
    profile = aws["eks"].describe_fargate_profile(clusterName=FARGATE_CLUSTER,
                                                  fargateProfileName=FARGATE_CLUSTER + "-fargate")["fargateProfile"]
    assert profile["status"] == "ACTIVE"
    assert profile["podExecutionRoleArn"] == "arn:aws:iam::{0}:role/{1}".format(ACCOUNT, pods_role)
    assert [(s["namespace"], s.get("labels") or {}) for s in profile["selectors"]] == [
        ("ack-system", {}), ("default", {}), ("kube-system", {"k8s-app": "kube-dns"})]
    annotations = apps.read_namespaced_deployment("coredns", "kube-system").spec.template.metadata.annotations or {}
    assert "eks.amazonaws.com/compute-type" not in annotations

    changed, out = run("playbooks/cluster.yml", *fargate, cluster=FARGATE_CLUSTER)
    assert changed == 0, out

    changed, out = run("playbooks/cluster.yml", "-e", "cluster_operation=delete", *fargate, cluster=FARGATE_CLUSTER)
    assert changed == 4, out  # Fargate profile, cluster, roles, CA file (no IRSA provider was made)
    assert FARGATE_CLUSTER not in aws["eks"].list_clusters()["clusters"]
    assert existing_roles(aws, FARGATE_CLUSTER) == []


def test_site_creates_the_cluster_record_then_everything(aws):
    """site.yml -e site_create_cluster=true on a moto without the record: the role makes it, irsa reads its
    issuer, the smoke test passes. Then the pipeline is removed again (the record stays, for other tests)."""
    remove_cluster(aws, SANDBOX_CLUSTER, irsa_roles=False)
    _, out = run("site.yml", "-e", "site_create_cluster=true", cluster=SANDBOX_CLUSTER, timeout=1800)
    assert re.search(r"4 items found in customer after [0-9.]+ s: "
                     r"user1@foo\.com, user2@foo\.com, user3@foo\.com, user4@foo\.com", out), out
    cluster = aws["eks"].describe_cluster(name=SANDBOX_CLUSTER)["cluster"]
    assert cluster["roleArn"].endswith(":role/{0}-eks-cluster".format(SANDBOX_CLUSTER))
    assert cluster["tags"]["app.kubernetes.io/managed-by"] == "ackops.serverless"
    host_path = cluster["identity"]["oidc"]["issuer"][len("https://"):]
    providers = [p["Arn"] for p in aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert "arn:aws:iam::{0}:oidc-provider/{1}".format(ACCOUNT, host_path) in providers
    run("playbooks/cleanup.yml", cluster=SANDBOX_CLUSTER, timeout=1800)
    assert SANDBOX_CLUSTER in aws["eks"].list_clusters()["clusters"]
