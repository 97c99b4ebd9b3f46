# Shared harness for the unit tests of our AnsibleAWSModule modules: runs a module's main() with
# arguments, in-process, against moto's mock_aws, and returns its JSON result. The aws_env fixture
# is in conftest.py beside it.
from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args


def run_module(main, args, capsys, check_mode=False):
    """Run main() with args; return (rc, result dict)."""
    args = dict(args)
    args.setdefault("region", "us-east-1")
    if check_mode:
        args["_ansible_check_mode"] = True
    capsys.readouterr()
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            main()
    out = capsys.readouterr().out
    return exited.value.code, json.loads(out)


def queues_and_functions(queues, functions):
    """Inside mock_aws: the SQS queues and the (zip, never run) Lambda functions of these names.
    Returns (lambda client, the queues' ARNs in order)."""
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = boto3.client("lambda", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    arns = []
    for name in queues:
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arns.append(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return None\n")
    for name in functions:
        lam.create_function(FunctionName=name, Runtime="python3.11", Role=role, Handler="app.handler",
                            Code={"ZipFile": code.getvalue()})
    return lam, arns
