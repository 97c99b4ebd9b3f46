# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Answer DynamoDB DescribeContributorInsights, which moto 5.2.5 does not implement.

The ACK dynamodb-controller (and the sandbox's controller, which follows it) calls
DescribeContributorInsights on every read of a Table; without an answer moto returns HTTP 500,
the Table never syncs and its deletion is blocked. This shim adds the action to moto's
DynamoHandler and answers what AWS answers for a table whose contributor insights were never
enabled:

    {"TableName": <name>, "ContributorInsightsStatus": "DISABLED"}

ResourceNotFoundException for a table that does not exist (moto's own lookup). It stores
nothing: UpdateContributorInsights stays unimplemented, so a Table that asks for
spec.contributorInsights ENABLE gets ACK.Recoverable in the sandbox. Remove this file once moto
implements the action (check moto's DynamoHandler for describe_contributor_insights).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def describe_contributor_insights(handler):
    """DynamoHandler method: the table must exist; its insights are DISABLED."""
    from moto.core.responses import ActionResult

    name = handler.body["TableName"]
    table = handler.dynamodb_backend.get_table(name)  # ResourceNotFoundException when absent
    result = {"TableName": table.name, "ContributorInsightsStatus": "DISABLED"}
    if handler.body.get("IndexName"):
        result["IndexName"] = handler.body["IndexName"]
    return ActionResult(result)


def apply():
    """Add the action unless moto has it already (then moto's own answer is used)."""
    from moto.dynamodb.responses import DynamoHandler

    if not hasattr(DynamoHandler, "describe_contributor_insights"):
        DynamoHandler.describe_contributor_insights = describe_contributor_insights
