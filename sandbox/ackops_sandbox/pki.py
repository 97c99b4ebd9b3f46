# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Credentials of the sandbox: the admin token, the service-account key, the kubeconfig and env file."""

import base64
import os
import secrets
import shlex

from . import config
from .proc import SandboxError


def ensure_pki():
    """Create the token file and the RSA service-account key once; later runs reuse them."""
    config.PKI.mkdir(parents=True, exist_ok=True)
    os.chmod(config.PKI, 0o700)
    if not config.TOKEN_FILE.exists():
        token = secrets.token_hex(24)
        # token,user,uid,"group1,group2": system:masters is bound to cluster-admin by RBAC bootstrap.
        _write_private(config.TOKEN_FILE, f'{token},{config.ADMIN_USER},{config.ADMIN_USER},"system:masters"\n')
    if not config.SA_KEY.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
        _write_private(config.SA_KEY, pem.decode())


def admin_token():
    try:
        return config.TOKEN_FILE.read_text(encoding="utf-8").split(",", 1)[0]
    except OSError:
        return ""


def _write_private(path, text):
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_kubeconfig():
    """Admin kubeconfig; the CA is the serving certificate bundle kube-apiserver wrote to --cert-dir."""
    try:
        ca = config.SERVING_CERT.read_bytes()
    except OSError as err:
        raise SandboxError(f"kube-apiserver did not write its serving certificate {config.SERVING_CERT}: {err}") from err
    name = config.EKS_CLUSTER
    text = f"""apiVersion: v1
kind: Config
clusters:
- name: {name}
  cluster:
    server: https://{config.HOST}:{config.PORTS['kube-apiserver']}
    certificate-authority-data: {base64.b64encode(ca).decode()}
users:
- name: {config.ADMIN_USER}
  user:
    token: {admin_token()}
contexts:
- name: {name}
  context:
    cluster: {name}
    user: {config.ADMIN_USER}
    namespace: default
current-context: {name}
"""
    _write_private(config.KUBECONFIG, text)


def write_env_file():
    """.sandbox/env: export lines that `set -a; . .sandbox/env; set +a` loads."""
    config.STATE.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by sandbox/sandboxctl.py up. Load with: set -a; . .sandbox/env; set +a"]
    for key, value in config.sandbox_env().items():
        # PATH keeps $PATH expandable; every other value is quoted literally.
        quoted = f'"{value}"' if key == "PATH" else shlex.quote(value)
        lines.append(f"export {key}={quoted}")
    text = "\n".join(lines) + "\n"
    if not config.ENV_FILE.exists() or config.ENV_FILE.read_text(encoding="utf-8") != text:
        config.ENV_FILE.write_text(text)
    for sub in ("cache", "config", "data"):
        (config.HELM_HOME / sub).mkdir(parents=True, exist_ok=True)


def parse_env_file(path=None, base=None):
    """The env file as a dict, PATH expanded against base (default os.environ)."""
    base = dict(os.environ if base is None else base)
    result = {}
    path = path or config.ENV_FILE
    if not path.exists():
        raise SandboxError(f"{path} does not exist: run `.venv/bin/python sandbox/sandboxctl.py up` first")
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("export "):
            continue
        key, _, raw = line[len("export "):].partition("=")
        value = shlex.split(raw)[0] if raw else ""
        result[key] = value.replace("$PATH", base.get("PATH", "/usr/local/bin:/usr/bin:/bin"))
    return result
