# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox components, declared as data: what to run, when it is ready, what it needs."""

import json
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from . import config, pki
from .proc import SandboxError, http

H = config.HOST
P = config.PORTS


@dataclass
class Component:
    name: str
    argv: Callable[[], list]          # built lazily: binaries may not exist yet at import time
    signature: Callable[[], str]      # an argv element that identifies our process in /proc
    ports: list                       # ports it listens on (checked free before start)
    ready: Callable[[], tuple]        # -> (healthy: bool, detail: str)
    binaries: list = field(default_factory=list)   # build.sh components it needs
    timeout: float = 60.0             # seconds to become ready after start
    optional_file: Optional[str] = None  # only run when this file (relative to repo) exists
    after_start: Optional[Callable[[], None]] = None  # idempotent set-up, run by every `up` once it is ready
    restart_with: list = field(default_factory=list)  # restart it when one of these was (re)started
    stop_grace: float = 10.0          # seconds between SIGTERM and SIGKILL
    cwd: str = str(config.REPO)

    def enabled(self):
        return self.optional_file is None or (config.REPO / self.optional_file).exists()


def _status_is(url, code=200, headers=None, check=None):
    def probe():
        status, body = http("GET", url, headers=headers)
        if status != code:
            return False, f"GET {url} -> {status or 'no answer'}"
        if check and not check(body):
            return False, f"GET {url} -> {body[:80]!r}"
        return True, f"GET {url} -> {status}"
    return probe


def _etcd_healthy(body):
    try:
        return json.loads(body).get("health") == "true"
    except ValueError:
        return False


def _apiserver_ready():
    return _status_is(f"https://{H}:{P['kube-apiserver']}/readyz",
                      headers={"Authorization": f"Bearer {pki.admin_token()}"})()


def _moto_ready():
    status, _ = http("GET", f"http://{H}:{P['moto']}/moto-api/config")
    url = f"http://{H}:{P['moto']}/moto-api/config"
    return (200 <= status < 300), f"GET {url} -> {status or 'no answer'}"


def configure_moto():
    """Lambda without Docker (our runtime runs handlers) and the EKS cluster record with its OIDC issuer.

    ACKOPS_SANDBOX_SKIP_EKS_RECORD=1 leaves the record out, for runs that let the cluster role create it
    (site.yml -e site_create_cluster=true on a fresh moto)."""
    status, body = http("POST", f"http://{H}:{P['moto']}/moto-api/config",
                        body={"lambda": {"use_docker": False}})
    if not (200 <= status < 300) or json.loads(body)["lambda"].get("use_docker") is not False:
        raise SandboxError(f"moto refused the lambda config (HTTP {status}: {body[:200]!r})")
    if os.environ.get("ACKOPS_SANDBOX_SKIP_EKS_RECORD", "") not in ("", "0"):
        return
    import boto3  # from .venv; imported late so `sandboxctl status` stays fast

    env = config.sandbox_env()
    eks = boto3.client("eks", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=config.REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    if config.EKS_CLUSTER not in eks.list_clusters()["clusters"]:
        # moto checks only the ARN's shape, so no IAM role is created for it. The subnets are those of
        # the default VPC, where the cluster role (site_create_cluster=true) would put it: the role then
        # adopts this record instead of failing on subnets EKS cannot change.
        ec2 = boto3.client("ec2", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=config.REGION,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        eks.create_cluster(
            name=config.EKS_CLUSTER, version=config.VERSIONS["KUBERNETES_VERSION"][1:].rsplit(".", 1)[0],
            roleArn=f"arn:aws:iam::{config.ACCOUNT_ID}:role/{config.EKS_CLUSTER}-eks-cluster",
            resourcesVpcConfig={"subnetIds": sorted(s["SubnetId"] for s in subnets), "securityGroupIds": []})
    issuer = eks.describe_cluster(name=config.EKS_CLUSTER)["cluster"]["identity"]["oidc"]["issuer"]
    if not issuer.startswith("https://"):
        raise SandboxError(f"moto's EKS cluster {config.EKS_CLUSTER} has no OIDC issuer: {issuer!r}")


def _eks_authn_webhook_config():
    """kube-apiserver's kubeconfig for the EKS token webhook (sandbox/eks_authn/), rewritten when it differs."""
    path = config.PKI / "eks-authn-webhook.kubeconfig"
    text = (f"apiVersion: v1\nkind: Config\nclusters:\n- name: eks-authn\n  cluster:\n"
            f"    server: http://{H}:{P['eks-authn']}/authenticate\nusers:\n- name: kube-apiserver\n  user: {{}}\n"
            f"contexts:\n- name: eks-authn\n  context:\n    cluster: eks-authn\n    user: kube-apiserver\n"
            f"current-context: eks-authn\n")
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _apiserver_argv():
    return [
        str(config.binary("kube-apiserver")),
        f"--etcd-servers=http://{H}:{P['etcd']}",
        f"--bind-address={H}", f"--advertise-address={H}", f"--secure-port={P['kube-apiserver']}",
        "--endpoint-reconciler-type=none",   # a loopback advertise address cannot be an Endpoint
        f"--cert-dir={config.PKI}",            # self-signed serving cert for 127.0.0.1/localhost
        f"--token-auth-file={config.TOKEN_FILE}",
        # Tokens no other authenticator knows go to the EKS token webhook, as on EKS (aws-iam-authenticator).
        f"--authentication-token-webhook-config-file={_eks_authn_webhook_config()}",
        "--authentication-token-webhook-version=v1",
        "--authentication-token-webhook-cache-ttl=30s",
        "--authorization-mode=RBAC",
        f"--service-account-issuer=https://{H}:{P['kube-apiserver']}",
        f"--service-account-key-file={config.SA_KEY}",
        f"--service-account-signing-key-file={config.SA_KEY}",
        f"--service-cluster-ip-range={config.SERVICE_CIDR}",
        "--enable-priority-and-fairness=false",  # one user: skip APF's bookkeeping
        "--profiling=false",
        "--v=1",
    ]


def _controller_manager_argv():
    kubeconfig = str(config.KUBECONFIG)
    return [
        str(config.binary("kube-controller-manager")),
        f"--kubeconfig={kubeconfig}",
        f"--bind-address={H}", f"--secure-port={P['kube-controller-manager']}",
        f"--cert-dir={config.PKI / 'kube-controller-manager'}",
        "--leader-elect=false",
        "--use-service-account-credentials=false",
        f"--service-account-private-key-file={config.SA_KEY}",
        f"--root-ca-file={config.SERVING_CERT}",
        f"--service-cluster-ip-range={config.SERVICE_CIDR}",
        # No nodes, no cloud, no volumes: these would only log errors about what is missing.
        "--controllers=*,-node-lifecycle-controller,-node-ipam-controller,-taint-eviction-controller,"
        "-device-taint-eviction-controller,-persistentvolume-attach-detach-controller,"
        "-persistentvolume-expander-controller,-ttl-controller",
        "--v=1",
    ]


def _python_component(script):
    return lambda: [str(config.PYTHON), str(config.REPO / script)]


# In start order: what a component needs comes before it (`down` stops them in reverse).
COMPONENTS = [
    Component(
        name="etcd",
        argv=lambda: [
            str(config.binary("etcd")), "--name=sandbox", f"--data-dir={config.ETCD_DATA}",
            f"--listen-client-urls=http://{H}:{P['etcd']}", f"--advertise-client-urls=http://{H}:{P['etcd']}",
            f"--listen-peer-urls=http://{H}:{P['etcd-peer']}",
            f"--initial-advertise-peer-urls=http://{H}:{P['etcd-peer']}",
            f"--initial-cluster=sandbox=http://{H}:{P['etcd-peer']}",
            "--log-level=warn",
        ],
        signature=lambda: str(config.binary("etcd")),
        ports=[P["etcd"], P["etcd-peer"]],
        ready=_status_is(f"http://{H}:{P['etcd']}/health", check=_etcd_healthy),
        binaries=["etcd"], timeout=30,
    ),
    Component(
        name="kube-apiserver", argv=_apiserver_argv,
        signature=lambda: str(config.binary("kube-apiserver")),
        ports=[P["kube-apiserver"]], ready=_apiserver_ready,
        binaries=["kube-apiserver"], timeout=120, after_start=pki.write_kubeconfig,
        # v1.34.4 closes its port within a second of SIGTERM but its process then lingers ~10 s;
        # its state is in etcd, so it is not waited for longer.
        stop_grace=5,
    ),
    Component(
        name="kube-controller-manager", argv=_controller_manager_argv,
        signature=lambda: str(config.binary("kube-controller-manager")),
        ports=[P["kube-controller-manager"]],
        ready=_status_is(f"https://{H}:{P['kube-controller-manager']}/healthz"),
        binaries=["kube-controller-manager"], timeout=60,
    ),
    Component(
        name="moto", argv=lambda: [str(config.PYTHON), str(config.SANDBOX_DIR / "aws" / "moto_main.py"),
                                   "--host", H, "--port", str(P["moto"])],
        signature=lambda: str(config.SANDBOX_DIR / "aws" / "moto_main.py"),
        ports=[P["moto"]], ready=_moto_ready, timeout=45, after_start=configure_moto,
    ),
    Component(
        name="registry",
        argv=lambda: [str(config.binary("crane")), "registry", "serve",
                      f"--address={H}:{P['registry']}", f"--disk={config.REGISTRY_DATA}"],
        signature=lambda: str(config.binary("crane")),
        ports=[P["registry"]], ready=_status_is(f"http://{H}:{P['registry']}/v2/"),
        binaries=["crane"], timeout=20,
    ),
    Component(
        name="ack-supervisor", argv=_python_component("sandbox/ack/supervisor.py"),
        signature=lambda: str(config.REPO / "sandbox/ack/supervisor.py"),
        ports=[P["ack-supervisor"]], ready=_status_is(f"http://{H}:{P['ack-supervisor']}/healthz"),
        binaries=["helm", "ack-controller"], timeout=180, optional_file="sandbox/ack/supervisor.py",
        restart_with=["registry"],  # it publishes the charts at start; a new registry has lost them
    ),
    Component(
        name="lambda-runtime",
        argv=lambda: _python_component("sandbox/lambda_runtime/poller.py")() + [
            "--port", str(P["lambda-runtime"]), "--rie-ports", config.RIE_PORTS,
            "--log-dir", str(config.LOGS), "--work-dir", str(config.STATE / "lambda")],
        signature=lambda: str(config.REPO / "sandbox/lambda_runtime/poller.py"),
        ports=[P["lambda-runtime"]], ready=_status_is(f"http://{H}:{P['lambda-runtime']}/healthz"),
        binaries=["crane", "rie"], timeout=60,
        optional_file="sandbox/lambda_runtime/poller.py",
    ),
    Component(
        # After kube-apiserver (it reads the aws-auth ConfigMap with the admin kubeconfig) and moto (its STS).
        name="eks-authn",
        argv=lambda: _python_component("sandbox/eks_authn/webhook.py")() + [
            "--port", str(P["eks-authn"]), "--sts-endpoint", f"http://{H}:{P['moto']}",
            "--cluster-id", config.EKS_CLUSTER, "--kubeconfig", str(config.KUBECONFIG)],
        signature=lambda: str(config.REPO / "sandbox/eks_authn/webhook.py"),
        ports=[P["eks-authn"]], ready=_status_is(f"http://{H}:{P['eks-authn']}/healthz"),
        timeout=20, optional_file="sandbox/eks_authn/webhook.py",
    ),
]


def named(name):
    """The component called name."""
    return next(c for c in COMPONENTS if c.name == name)


def wait_ready(component, timeout):
    deadline = time.monotonic() + timeout
    ok, detail = component.ready()
    while not ok and time.monotonic() < deadline:
        time.sleep(0.5)
        ok, detail = component.ready()
    return ok, detail
