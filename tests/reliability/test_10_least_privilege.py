# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 9, least privilege, read back from moto (IAM as site.yml left it, not as the templates say):

* the function's role allows exactly the actions the function uses, on exactly its table, queue and
  log group: DynamoDB actions = the DynamoDB calls in files/lambda/app.py (found in its source);
  SQS actions = what Lambda's SQS poller needs on the function's role; logs = the log group and its
  streams; nothing else, no managed policy, trusted by lambda.amazonaws.com for this account only;
* each controller role trusts exactly one ServiceAccount (its own, through the cluster's OIDC
  provider, audience sts.amazonaws.com);
* no policy anywhere in the account (inline, attached AWS-managed, customer-managed) has Action "*".
Service-wide wildcards (sqs:*, lambda:*) and Resource "*" of the controllers' recommended policies are
reported as figures, not failures: the issue bans Action "*" only."""

import json
import re
from urllib.parse import unquote

from rel_helpers import FUNCTION, QUEUE, REPO, ROLE, TABLE, record

ACCOUNT, REGION = "123456789012", "us-east-1"
# Lambda polls the queue with the function's role: ReceiveMessage, DeleteMessage and GetQueueAttributes
# are what AWS documents for an SQS event source; ChangeMessageVisibility is granted as well (Lambda
# returns messages of a throttled or failed batch early with it; see roles/resources/README.md).
SQS_POLLER = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"}
LOGS = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
SERVICES = ["sqs", "dynamodb", "lambda"]


def _doc(document):
    return json.loads(unquote(document)) if isinstance(document, str) else document


def _listify(value):
    return value if isinstance(value, list) else [value]


def _function_dynamodb_actions():
    source = (REPO / "files" / "lambda" / "app.py").read_text(encoding="utf-8")
    calls = set(re.findall(r"\.client\.([a-z_]+)\(", source))
    return {"dynamodb:" + "".join(part.title() for part in call.split("_")) for call in calls}


def _all_policies(iam):
    """(where, document) of every policy in the account: roles' inline and attached, and local ones."""
    found = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                found.append((f"role {name} inline {policy}",
                              _doc(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])))
            for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
                version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
                found.append((f"role {name} attached {policy['Arn']}", _doc(version["PolicyVersion"]["Document"])))
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for policy in page["Policies"]:
            version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
            found.append((f"policy {policy['Arn']}", _doc(version["PolicyVersion"]["Document"])))
    return found


def test_function_role_allows_exactly_what_the_function_uses(first_converge, aws):
    iam = aws["iam"]
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert _doc(role["AssumeRolePolicyDocument"])["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    names = iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    assert len(names) == 1, names
    statements = _doc(iam.get_role_policy(RoleName=ROLE, PolicyName=names[0])["PolicyDocument"])["Statement"]
    granted = {}  # action -> resources
    for statement in statements:
        assert statement["Effect"] == "Allow" and "Condition" not in statement and "NotAction" not in statement
        for action in _listify(statement["Action"]):
            granted.setdefault(action, set()).update(_listify(statement["Resource"]))

    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{FUNCTION}"
    dynamodb = _function_dynamodb_actions()
    assert dynamodb == {"dynamodb:BatchWriteItem", "dynamodb:PutItem"}, dynamodb  # what app.py calls
    # IAM writes the log group as <group> or <group>:* (the form AWS's own basic execution policy uses):
    # both name this function's group only.
    if granted.get("logs:CreateLogGroup") == {group + ":*"}:
        granted["logs:CreateLogGroup"] = {group}
    expected = {**{a: {table} for a in dynamodb}, **{a: {queue} for a in SQS_POLLER},
                "logs:CreateLogGroup": {group}, "logs:CreateLogStream": {group + ":log-stream:*"},
                "logs:PutLogEvents": {group + ":log-stream:*"}}
    assert granted == expected, {"granted": {k: sorted(v) for k, v in granted.items()}}
    record("least_privilege", "function_role", {
        "role": ROLE, "actions": sorted(granted), "resources": sorted({r for v in granted.values() for r in v}),
        "function_calls_in_app_py": sorted(dynamodb), "exact": True})


def test_each_controller_role_trusts_exactly_one_service_account(first_converge, aws):
    iam = aws["iam"]
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    trusted = {}
    for service in SERVICES:
        name = f"ackops-sandbox-ack-{service}-controller"
        statements = _doc(iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"])["Statement"]
        assert len(statements) == 1, statements
        statement = statements[0]
        assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        provider = statement["Principal"]["Federated"]
        assert provider in providers, (provider, providers)
        conditions = statement["Condition"]
        assert list(conditions) == ["StringEquals"], conditions  # no StringLike: no wildcard subjects
        issuer = provider.split(":oidc-provider/", 1)[1]
        subjects = _listify(conditions["StringEquals"][issuer + ":sub"])
        assert subjects == [f"system:serviceaccount:ack-system:ack-{service}-controller"], subjects
        assert conditions["StringEquals"][issuer + ":aud"] == "sts.amazonaws.com"
        trusted[name] = subjects[0]
    record("least_privilege", "controller_roles", {"trusts": trusted, "one_service_account_each": True})


def test_no_policy_anywhere_allows_every_action(first_converge, aws):
    policies = _all_policies(aws["iam"])
    star, service_wide, any_resource = [], set(), set()
    for where, document in policies:
        for statement in _listify(document.get("Statement", [])):
            if statement.get("Effect") != "Allow":
                continue
            actions = _listify(statement.get("Action", []))
            if "*" in actions or "NotAction" in statement:
                star.append(where)
            service_wide.update(f"{a} ({where.split(' ')[1]})" for a in actions if a.endswith(":*"))
            if "*" in _listify(statement.get("Resource", [])):
                any_resource.add(where)
    record("least_privilege", "action_star", {
        "policies_read": len(policies), "with_action_star": star,
        "service_wide_wildcards": sorted(service_wide), "with_resource_star": sorted(any_resource)})
    assert policies and star == [], star
