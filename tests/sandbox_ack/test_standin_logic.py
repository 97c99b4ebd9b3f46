# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Pure-logic tests of the ACK stand-in (no sandbox needed)."""

import os
import time

import crds
import publish_charts
import pytest
import supervisor
import yaml
from controllers import runtime
from services import SERVICES


def test_committed_crds_match_generator():
    for service, kind in crds.KINDS:
        with open(crds.crd_path(service, kind), encoding="utf-8") as handle:
            assert handle.read() == crds.render(service, kind), "run: python sandbox/ack/crds.py"


def test_crds_are_structural_with_status_subresource():
    for service, kind in crds.KINDS:
        doc = yaml.safe_load(crds.render(service, kind))
        version = doc["spec"]["versions"][0]
        assert doc["spec"]["group"] == "%s.services.k8s.aws" % service
        assert version["name"] == "v1alpha1" and version["subresources"] == {"status": {}}
        schema = version["schema"]["openAPIV3Schema"]
        status = schema["properties"]["status"]["properties"]
        assert set(status["ackResourceMetadata"]["properties"]) == {"arn", "ownerAccountID", "region"}
        assert "x-kubernetes-preserve-unknown-fields" not in yaml.safe_dump(doc)


def test_kind_fields():
    def props(service, kind, part):
        return crds.crd(service, kind)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"][part]["properties"]
    assert props("sqs", "Queue", "spec")["visibilityTimeout"] == {"type": "string"}  # SQS attributes are strings in ACK
    assert props("sqs", "Queue", "spec")["tags"]["additionalProperties"] == {"type": "string"}
    assert {"queueURL", "queueARN"} <= set(props("sqs", "Queue", "status"))
    assert props("dynamodb", "Table", "spec")["tags"]["type"] == "array"
    assert props("lambda", "Function", "spec")["memorySize"]["type"] == "integer"
    assert {"state", "lastUpdateStatus", "codeSHA256"} <= set(props("lambda", "Function", "status"))
    esm = props("lambda", "EventSourceMapping", "spec")
    assert esm["functionRef"]["properties"]["from"]["properties"]["name"] == {"type": "string"}
    assert {"uuid", "state"} <= set(props("lambda", "EventSourceMapping", "status"))


def test_chart_assembly_is_complete_and_digest_stable(tmp_path):
    for service, facts in SERVICES.items():
        root, digest = publish_charts.assemble(service, str(tmp_path))
        _root2, digest2 = publish_charts.assemble(service, str(tmp_path))
        assert digest == digest2
        chart = yaml.safe_load(open(os.path.join(root, "Chart.yaml"), encoding="utf-8"))
        assert chart["name"] == "%s-chart" % service
        assert chart["version"] == chart["appVersion"] == facts["version"]
        assert "stand-in" in chart["description"]
        assert chart["annotations"][publish_charts.DIGEST_ANNOTATION] == digest
        values = yaml.safe_load(open(os.path.join(root, "values.yaml"), encoding="utf-8"))
        assert values["serviceAccount"]["name"] == "ack-%s-controller" % service
        assert values["reconcile"]["resources"] == list(facts["kinds"])
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


def test_service_of_labels():
    assert supervisor.service_of({"app.kubernetes.io/name": "lambda-chart"}) == "lambda"
    assert supervisor.service_of({"app.kubernetes.io/name": "other"}) is None


def test_flags_like_ack():
    args, unknown = runtime.parse_flags(["--aws-region", "us-east-1", "--enable-development-logging", "--log-level", "debug",
                                         "--enable-carm=false", "--unknown-flag", "x"])
    assert args.enable_development_logging == "true" and args.log_level == "debug"
    assert args.enable_carm == "false"
    assert "--unknown-flag" in unknown
    with pytest.raises(SystemExit, match="allow-unsafe-aws-endpoint-urls"):
        runtime.validate_flags(runtime.parse_flags(["--aws-region", "r", "--aws-endpoint-url", "http://127.0.0.1:1"])[0])
    with pytest.raises(SystemExit, match="aws-region"):
        runtime.validate_flags(runtime.parse_flags([])[0])
    runtime.validate_flags(runtime.parse_flags(["--aws-region", "r", "--aws-endpoint-url", "http://h:1",
                                                "--allow-unsafe-aws-endpoint-urls"])[0])


def test_work_queue_dedupes_and_delays():
    queue = runtime.WorkQueue()
    stop = runtime.threading.Event()
    queue.add(("ns", "a"))
    queue.add(("ns", "a"))
    queue.add(("ns", "b"), delay=0.3)
    assert queue.get(stop) == ("ns", "a")
    start = time.monotonic()
    assert queue.get(stop) == ("ns", "b")
    assert time.monotonic() - start >= 0.25


def test_conditions_order_and_terminal_has_no_transition_time():
    conds = runtime._ordered([runtime._cond(runtime.READY, "True", "m", None, "t"),
                              {"type": runtime.TERMINAL, "status": "True", "message": "x"},
                              runtime._cond(runtime.SYNCED, "True", "m", None, "t")])
    assert [c["type"] for c in conds] == [runtime.TERMINAL, runtime.SYNCED, runtime.READY]
    assert "lastTransitionTime" not in conds[0] and conds[1]["lastTransitionTime"] == "t"


def test_sqs_json_attributes_compare_like_sqs_stores_them():
    from controllers import sqs  # pylint: disable=import-outside-toplevel
    assert sqs._same("redrivePolicy", '{"deadLetterTargetArn": "a", "maxReceiveCount": "3"}',
                     '{"maxReceiveCount": 3, "deadLetterTargetArn": "a"}')
    assert not sqs._same("redrivePolicy", '{"maxReceiveCount": "3"}', '{"maxReceiveCount": 4}')
    assert sqs._same("policy", '{\n "Statement": [{"Effect": "Allow"}]\n}', '{"Statement": [{"Effect": "Allow"}]}')
    assert sqs._same("visibilityTimeout", "45", "45") and not sqs._same("visibilityTimeout", "45", "30")
    assert not sqs._same("delaySeconds", "0", None)
