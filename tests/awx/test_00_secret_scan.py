# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The check the job tests make for leaked secrets finds one where AWX would keep it (no sandbox)."""

import json

from awxjob import JobResult, k8s_bearer_credential, leaked_secrets


def result_in(tmp_path, event_text="", stdout=""):
    artifacts = tmp_path / "artifacts" / "job"
    (artifacts / "job_events").mkdir(parents=True)
    (artifacts / "job_events" / "1-abc.json").write_text(json.dumps({"stdout": event_text}))
    (artifacts / "stdout").write_text(stdout)
    # runner's own plumbing carries the credentials into the container by design: not job output
    (artifacts / "command").write_text(json.dumps({"env": {"K8S_AUTH_API_KEY": "tok-123456"}}))
    return JobResult(rc=0, status="successful", stats={}, events=[], stdout=stdout, artifact_dir=artifacts,
                     secrets_checked=["tok-123456", "secret-abcdef"])


def test_a_secret_in_an_event_or_the_output_is_found(tmp_path):
    assert leaked_secrets(result_in(tmp_path / "a", event_text="api_key=tok-123456")) == ["job_events/1-abc.json: tok-12..."]
    assert leaked_secrets(result_in(tmp_path / "b", stdout="secret-abcdef")) == ["stdout: secret..."]
    assert leaked_secrets(result_in(tmp_path / "c", event_text="VALUE_SPECIFIED_IN_NO_LOG_PARAMETER")) == []


def test_the_bearer_credential_is_injected_as_awx_injects_it(tmp_path):
    env = k8s_bearer_credential(tmp_path, "https://127.0.0.1:6443", "tok", ca_pem="-----BEGIN CERTIFICATE-----\n")
    assert env["K8S_AUTH_VERIFY_SSL"] == "True"
    assert env["K8S_AUTH_SSL_CA_CERT"].startswith("/runner/env/tmp")
    assert (tmp_path / "env" / env["K8S_AUTH_SSL_CA_CERT"].rsplit("/", 1)[1]).read_text().startswith("-----BEGIN")
    assert k8s_bearer_credential(tmp_path, "h", "tok")["K8S_AUTH_VERIFY_SSL"] == "False"
    assert "K8S_AUTH_SSL_CA_CERT" not in k8s_bearer_credential(tmp_path, "h", "tok")
