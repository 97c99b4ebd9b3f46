# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Paths, ports and pinned versions of the sandbox: the one place they are spelled out."""

import hashlib
import os
from pathlib import Path

SANDBOX_DIR = Path(__file__).resolve().parent.parent  # <repo>/sandbox
REPO = SANDBOX_DIR.parent
STATE = Path(os.environ.get("ACKOPS_SANDBOX_STATE", REPO / ".sandbox"))
RUN = STATE / "run"
LOGS = STATE / "logs"
PKI = STATE / "pki"
ETCD_DATA = STATE / "etcd"
REGISTRY_DATA = STATE / "registry"
HELM_HOME = STATE / "helm"
KUBECONFIG = STATE / "kubeconfig"
ENV_FILE = STATE / "env"
TOKEN_FILE = PKI / "tokens.csv"
SA_KEY = PKI / "service-account.key"
SERVING_CERT = PKI / "apiserver.crt"  # written by kube-apiserver itself (--cert-dir)
CACHE = Path(os.environ.get("ACKOPS_SANDBOX_CACHE", Path.home() / ".cache" / "ackops-sandbox"))
CACHE_BIN = CACHE / "bin"
BUILD_SH = SANDBOX_DIR / "build.sh"
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = VENV_BIN / "python"

HOST = "127.0.0.1"
PORT_OFFSET_FILE = STATE / "port-offset"


def read_port_offset(environ=None, offset_file=None):
    """Shift of every sandbox port: ACKOPS_SANDBOX_PORT_OFFSET, else the number in
    .sandbox/port-offset, else 0. Lets two checkouts (worktrees) run a sandbox each."""
    environ = os.environ if environ is None else environ
    offset_file = PORT_OFFSET_FILE if offset_file is None else offset_file
    raw = environ.get("ACKOPS_SANDBOX_PORT_OFFSET")
    source = "ACKOPS_SANDBOX_PORT_OFFSET"
    if raw is None and offset_file.exists():
        raw, source = offset_file.read_text(encoding="utf-8").strip(), str(offset_file)
    if raw in (None, ""):
        return 0
    try:
        offset = int(raw)
    except ValueError:
        raise SystemExit(f"sandbox: port offset {raw!r} from {source} is not a whole number") from None
    if not 0 <= offset <= 2000:
        raise SystemExit(f"sandbox: port offset {offset} from {source} is outside 0..2000")
    return offset


PORT_OFFSET = read_port_offset()
BASE_PORTS = {
    "etcd": 12379,
    "etcd-peer": 12380,
    "kube-apiserver": 16443,
    "kube-controller-manager": 20257,
    "registry": 15000,
    "moto": 15001,
    "ack-supervisor": 18000,      # the ACK controllers' health ports follow it (18001-18009)
    "lambda-runtime": 19000,      # the RIE instances take 19001-19099
    "eks-authn": 17000,           # EKS token webhook of kube-apiserver (sandbox/eks_authn/)
}
PORTS = {name: port + PORT_OFFSET for name, port in BASE_PORTS.items()}
RIE_PORTS = f"{PORTS['lambda-runtime'] + 1}-{PORTS['lambda-runtime'] + 99}"


def ports_at(offset):
    """Every port a sandbox at this port offset listens on: its components', the ACK controllers' health
    ports and the RIE range."""
    ports = {port + offset for port in BASE_PORTS.values()}
    ports.update(range(BASE_PORTS["ack-supervisor"] + offset + 1, BASE_PORTS["ack-supervisor"] + offset + 10))
    ports.update(range(BASE_PORTS["lambda-runtime"] + offset + 1, BASE_PORTS["lambda-runtime"] + offset + 100))
    return ports


def ack_health_port(index):
    """Health port of the index-th ACK controller (1-based), next to the supervisor's."""
    return PORTS["ack-supervisor"] + index
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
EKS_CLUSTER = "ackops-sandbox"
SERVICE_CIDR = "10.96.0.0/16"
ADMIN_USER = "ackops-admin"


def read_versions(path=SANDBOX_DIR / "versions.env"):
    """Parse versions.env (KEY=value lines, # comments) into a dict."""
    versions = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            versions[key.strip()] = value.strip().strip('"')
    return versions


VERSIONS = read_versions()
ACK_CONTROLLER_SRC = SANDBOX_DIR / "ack" / "controller"


def ack_controller_version(src=ACK_CONTROLLER_SRC):
    """src-<12 hex>: hash of the ACK controllers' sources (go.mod, go.sum, *.go but tests), the same
    as `sandbox/build.sh --version ack-controller` prints, so an edit names a new binary."""
    files = sorted("./" + p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file() and (
        p.name in ("go.mod", "go.sum") or (p.suffix == ".go" and not p.name.endswith("_test.go"))))
    listing = "".join(f"{hashlib.sha256((src / f).read_bytes()).hexdigest()}  {f}\n" for f in files)
    return "src-" + hashlib.sha256(listing.encode()).hexdigest()[:12]


# component -> version of the binary build.sh produces for it
BINARY_VERSIONS = {
    "etcd": VERSIONS["ETCD_VERSION"],
    "kube-apiserver": VERSIONS["KUBERNETES_VERSION"],
    "kube-controller-manager": VERSIONS["KUBERNETES_VERSION"],
    "helm": VERSIONS["HELM_VERSION"],
    "crane": VERSIONS["CRANE_VERSION"],
    "rie": VERSIONS["RIE_VERSION"],
    "ack-controller": ack_controller_version(),
}
# Unversioned names put on PATH (symlinks in CACHE_BIN) for tools other code calls by name.
PATH_NAMES = {"helm": "helm", "crane": "crane", "rie": "aws-lambda-rie", "etcd": "etcd",
              "kube-apiserver": "kube-apiserver", "kube-controller-manager": "kube-controller-manager",
              "ack-controller": "ack-controller"}


def binary(component):
    return CACHE_BIN / f"{component}-{BINARY_VERSIONS[component]}"


def sandbox_env():
    """The variables written to .sandbox/env, in order (values without shell quoting)."""
    return {
        "KUBECONFIG": str(KUBECONFIG),
        "PATH": f"{CACHE_BIN}:$PATH",
        "ACKOPS_REGISTRY": f"{HOST}:{PORTS['registry']}",
        "AWS_ENDPOINT_URL": f"http://{HOST}:{PORTS['moto']}",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "ACKOPS_EKS_CLUSTER": EKS_CLUSTER,
        "ACKOPS_SANDBOX": "1",
        "ACKOPS_SANDBOX_PORT_OFFSET": str(PORT_OFFSET),
        "ACKOPS_KUBE_APISERVER": f"https://{HOST}:{PORTS['kube-apiserver']}",
        "ACKOPS_ACK_SUPERVISOR_URL": f"http://{HOST}:{PORTS['ack-supervisor']}",
        "ACKOPS_LAMBDA_RUNTIME_URL": f"http://{HOST}:{PORTS['lambda-runtime']}",
        "HELM_CACHE_HOME": str(HELM_HOME / "cache"),
        "HELM_CONFIG_HOME": str(HELM_HOME / "config"),
        "HELM_DATA_HOME": str(HELM_HOME / "data"),
    }


def resolved_env(base=None):
    """os.environ (or base) with the sandbox variables applied, PATH expanded."""
    env = dict(os.environ if base is None else base)
    for key, value in sandbox_env().items():
        env[key] = value.replace("$PATH", env.get("PATH", "/usr/local/bin:/usr/bin:/bin"))
    return env
