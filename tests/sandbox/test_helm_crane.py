# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""helm and crane (the built binaries on the sandbox PATH) against the sandbox apiserver and registry."""

import hashlib
import io
import json
import subprocess
import tarfile

from kubernetes import client
from sbx_helpers import SMOKE_CHART, eventually, run, tool


def _configmap(api_client, namespace, name):
    try:
        return client.CoreV1Api(api_client).read_namespaced_config_map(name, namespace)
    except client.ApiException as err:
        if err.status == 404:
            return None
        raise


def test_helm_version_is_pinned(sandbox):
    out = run([tool(sandbox, "helm"), "version", "--template", "{{ .Version }}"], sandbox).stdout
    assert out.strip() == "v3.22.0"
    # The sandbox keeps helm's state out of the user's home.
    env_out = run([tool(sandbox, "helm"), "env"], sandbox).stdout
    assert f'HELM_CONFIG_HOME="{sandbox["HELM_CONFIG_HOME"]}"' in env_out


def test_helm_install_uninstall_local_chart(sandbox, api_client, namespace):
    helm = tool(sandbox, "helm")
    run([helm, "install", "local", str(SMOKE_CHART), "-n", namespace, "--wait", "--timeout", "60s"], sandbox)
    cm = _configmap(api_client, namespace, "local-smoke")
    assert cm is not None and cm.data == {"greeting": "hello from ackops-smoke", "chart": "ackops-smoke-0.1.0"}
    listed = json.loads(run([helm, "list", "-n", namespace, "-o", "json"], sandbox).stdout)
    assert [(r["name"], r["status"], r["chart"]) for r in listed] == [("local", "deployed", "ackops-smoke-0.1.0")]

    run([helm, "uninstall", "local", "-n", namespace, "--wait"], sandbox)
    assert _configmap(api_client, namespace, "local-smoke") is None
    assert json.loads(run([helm, "list", "-n", namespace, "-o", "json"], sandbox).stdout) == []


def test_helm_install_from_oci_registry(sandbox, api_client, namespace, unique, tmp_path):
    helm = tool(sandbox, "helm")
    registry = sandbox["ACKOPS_REGISTRY"]
    run([helm, "package", str(SMOKE_CHART), "-d", str(tmp_path)], sandbox)
    package = tmp_path / "ackops-smoke-0.1.0.tgz"
    repo = f"oci://{registry}/sbx-tests-{unique}"
    pushed = run([helm, "push", str(package), repo, "--plain-http"], sandbox).stdout
    assert f"Pushed: {registry}/sbx-tests-{unique}/ackops-smoke:0.1.0" in pushed

    run([helm, "install", "fromoci", f"{repo}/ackops-smoke", "--version", "0.1.0", "--plain-http",
         "-n", namespace, "--set", "greeting=from-oci", "--wait", "--timeout", "60s"], sandbox)
    cm = _configmap(api_client, namespace, "fromoci-smoke")
    assert cm is not None and cm.data["greeting"] == "from-oci"
    run([helm, "uninstall", "fromoci", "-n", namespace, "--wait"], sandbox)
    assert _configmap(api_client, namespace, "fromoci-smoke") is None


def _layer_tarball(path, content):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("var/task/hello.txt")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    path.write_bytes(buffer.getvalue())


def test_crane_push_and_pull_by_digest(sandbox, unique, tmp_path):
    crane = tool(sandbox, "crane")
    content = f"hello {unique}\n".encode()
    layer = tmp_path / "layer.tar"
    _layer_tarball(layer, content)
    tag_ref = f"{sandbox['ACKOPS_REGISTRY']}/sbx-tests/crane-{unique}:v1"

    pushed = run([crane, "append", "-f", str(layer), "-t", tag_ref], sandbox).stdout.strip().splitlines()[-1]
    repo = tag_ref.rsplit(":", 1)[0]
    assert pushed.startswith(f"{repo}@sha256:"), pushed
    digest = pushed.split("@", 1)[1]
    assert run([crane, "digest", tag_ref], sandbox).stdout.strip() == digest

    by_digest = f"{repo}@{digest}"
    manifest = run([crane, "manifest", by_digest], sandbox).stdout.encode()
    assert "sha256:" + hashlib.sha256(manifest).hexdigest() == digest

    layer_digest = json.loads(manifest)["layers"][0]["digest"]
    blob = tmp_path / "blob"
    with open(blob, "wb") as out:
        subprocess.run([crane, "blob", f"{repo}@{layer_digest}"], env=sandbox, stdout=out, check=True, timeout=60)
    assert "sha256:" + hashlib.sha256(blob.read_bytes()).hexdigest() == layer_digest

    exported = tmp_path / "fs.tar"
    run([crane, "export", by_digest, str(exported)], sandbox)
    with tarfile.open(exported) as tar:
        assert tar.extractfile("var/task/hello.txt").read() == content

    listed = eventually(lambda: run([crane, "ls", repo], sandbox).stdout.split(), timeout=10, what="tag listed")
    assert listed == ["v1"]
