# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox's ACK controllers without a sandbox: Go unit tests, generated files current, the
binary's cache name, chart assembly and the supervisor's kubelet helpers."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ACK = REPO / "sandbox" / "ack"
CONTROLLER = ACK / "controller"

import crd_upgrade
import publish_charts
import supervisor
from ackops_sandbox import config
from services import SERVICES

needs_go = pytest.mark.skipif(shutil.which("go") is None, reason="Go is not installed (the sandbox needs it anyway)")


def go_env():
    """The Go caches build.sh uses, so these runs share its downloads and compiled packages."""
    env = dict(os.environ)
    env.update({"GOMODCACHE": str(config.CACHE / "go" / "mod"), "GOCACHE": str(config.CACHE / "go" / "build"),
                "GOFLAGS": "-mod=readonly -buildvcs=false", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"})
    return env


def run(cmd, cwd=CONTROLLER, timeout=1800):
    result = subprocess.run(cmd, cwd=cwd, env=go_env(), capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, "%s failed:\n%s\n%s" % (" ".join(cmd), result.stdout[-4000:], result.stderr[-4000:])
    return result.stdout


@needs_go
def test_go_vet_and_unit_tests():
    run(["go", "vet", "./..."])
    out = run(["go", "test", "./..."])
    assert "FAIL" not in out


@needs_go
def test_generated_deepcopy_and_crds_are_current():
    run(["bash", str(CONTROLLER / "generate.sh"), "--check"])


def test_binary_name_is_the_hash_build_sh_computes():
    out = subprocess.run(["bash", str(REPO / "sandbox" / "build.sh"), "--version", "ack-controller"],
                         capture_output=True, text=True, check=True, env=go_env()).stdout.strip()
    assert out == config.ack_controller_version() == config.BINARY_VERSIONS["ack-controller"]
    assert out.startswith("src-") and len(out) == len("src-") + 12


def test_source_hash_ignores_tests_and_follows_edits(tmp_path):
    src = tmp_path / "controller"
    shutil.copytree(CONTROLLER, src, ignore=shutil.ignore_patterns("*_test.go"))
    before = config.ack_controller_version(src)
    (src / "internal" / "extra_test.go").write_text("package internal\n")
    assert config.ack_controller_version(src) == before
    (src / "main.go").write_text((src / "main.go").read_text() + "\n// edit\n")
    assert config.ack_controller_version(src) != before


def test_charts_carry_the_generated_crds():
    crds = {doc["metadata"]["name"]: doc for doc in crd_upgrade.chart_crds()}
    assert set(crds) == {"queues.sqs.services.k8s.aws", "tables.dynamodb.services.k8s.aws",
                         "functions.lambda.services.k8s.aws", "eventsourcemappings.lambda.services.k8s.aws"}
    for doc in crds.values():
        version = doc["spec"]["versions"][0]
        assert version["name"] == "v1alpha1" and version["subresources"] == {"status": {}}
        assert doc["metadata"]["annotations"]["controller-gen.kubebuilder.io/version"] == \
            config.VERSIONS["CONTROLLER_TOOLS_VERSION"]


def test_chart_assembly_is_complete_and_digest_stable(tmp_path):
    for service, facts in SERVICES.items():
        root, digest = publish_charts.assemble(service, str(tmp_path))
        _root2, digest2 = publish_charts.assemble(service, str(tmp_path))
        assert digest == digest2
        chart = yaml.safe_load((Path(root) / "Chart.yaml").read_text(encoding="utf-8"))
        assert chart["name"] == "%s-chart" % service
        assert chart["version"] == chart["appVersion"] == facts["version"]
        assert "real ACK runtime" in chart["description"]
        assert chart["annotations"][publish_charts.DIGEST_ANNOTATION] == digest
        values = yaml.safe_load((Path(root) / "values.yaml").read_text(encoding="utf-8"))
        assert values["serviceAccount"]["name"] == "ack-%s-controller" % service
        assert values["reconcile"]["resources"] == list(facts["kinds"])
        assert values["reconcile"]["defaultResyncPeriod"] == 36000
        for key in ("region", "endpoint_url", "identity_endpoint_url", "allow_unsafe_aws_endpoint_urls", "credentials"):
            assert key in values["aws"]
        assert len(os.listdir(os.path.join(root, "crds"))) == len(facts["kinds"])
        assert os.path.exists(os.path.join(root, "templates", "deployment.yaml"))


def test_kubelet_var_expansion():
    env = {"AWS_REGION": "us-east-1", "EMPTY": ""}
    assert supervisor.expand("$(AWS_REGION)", env) == "us-east-1"
    assert supervisor.expand("--x=$(EMPTY)", env) == "--x="
    assert supervisor.expand("$(UNDEFINED)", env) == "$(UNDEFINED)"
    assert supervisor.expand("$$(AWS_REGION)", env) == "$(AWS_REGION)"


def test_rewrite_flag():
    assert supervisor.rewrite_flag(["--healthz-addr", ":8081", "--a"], "--healthz-addr", "127.0.0.1:18001") == \
        ["--healthz-addr", "127.0.0.1:18001", "--a"]
    assert supervisor.rewrite_flag(["--healthz-addr=:8081"], "--healthz-addr", "h:1") == ["--healthz-addr=h:1"]
    assert supervisor.rewrite_flag(["--a"], "--healthz-addr", "h:1") == ["--a", "--healthz-addr", "h:1"]


def test_service_of_labels_and_ports():
    assert supervisor.service_of({"app.kubernetes.io/name": "lambda-chart"}) == "lambda"
    assert supervisor.service_of({"app.kubernetes.io/name": "other"}) is None
    ports = [SERVICES[s][p] for s in SERVICES for p in ("health_port", "metrics_port")]
    supervisor_port = SERVICES["sqs"]["health_port"] - 1  # the controllers' ports follow the supervisor's
    assert sorted(ports) == list(range(supervisor_port + 1, supervisor_port + 7))
