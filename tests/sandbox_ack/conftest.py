# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""`ack`: the sandbox with the three ACK charts installed (kept as found when already there),
a test namespace and an IAM role a Lambda function can assume."""

import json

import boto3
import kubernetes
import pytest

from ack_helpers import SUFFIX, TEST_NS, VERSIONS, Resources, helm, install, installed_releases


@pytest.fixture(scope="session")
def ack(sandbox):
    existing = installed_releases()
    for service in VERSIONS:
        if "ack-%s-controller" % service not in existing:
            install(service, sandbox)
    kubernetes.config.load_kube_config(config_file=sandbox["KUBECONFIG"])
    core = kubernetes.client.CoreV1Api()
    try:
        core.create_namespace({"metadata": {"name": TEST_NS}})
    except kubernetes.client.ApiException as exc:
        assert exc.status == 409
    iam = boto3.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="ack-test-fn-%s" % SUFFIX, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    yield {"env": sandbox, "core": core, "apps": kubernetes.client.AppsV1Api(),
           "crs": Resources(kubernetes.client.CustomObjectsApi()), "role": role}
    try:
        iam.delete_role(RoleName=role["RoleName"])
    except iam.exceptions.NoSuchEntityException:
        pass  # moto was reset meanwhile (the sandbox is shared)
    for service in VERSIONS:  # leave the sandbox as we found it
        if "ack-%s-controller" % service not in existing:
            helm("uninstall", "ack-%s-controller" % service, "--namespace", "ack-system", "--wait")
