# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Reading the AWS side of ACK custom resources: shared by the ack_aws_state module (which can also wait) and
the ack_aws_state lookup (which reads once, in Ansible's own process). The verdicts are ack_aws's pure logic."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule / AWSLookupBase

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.ackops.serverless.plugins.module_utils import ack_aws
from ansible_collections.ackops.serverless.plugins.module_utils.lambda_mappings import list_mappings

_NOT_FOUND = ("ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
_SERVICE = {"Queue": "sqs", "Table": "dynamodb", "Function": "lambda", "EventSourceMapping": "lambda"}


class AwsReader(object):
    """make_client is the module's or the lookup's client method (service, retry_decorator=, region=); fail(exc, msg)
    reports an AWS error and does not return (the module's fail_json_aws, or raising the lookup's error)."""

    def __init__(self, make_client, fail):
        self.make_client = make_client
        self.fail = fail
        self.clients = {}

    def client(self, service, region):
        """A client of service in region (the connection's own region when empty) that retries (aws_retry=True)."""
        key = (service, region)
        if key not in self.clients:
            extra = {"region": region} if region else {}
            self.clients[key] = self.make_client(service, retry_decorator=AWSRetry.jittered_backoff(), **extra)
        return self.clients[key]

    def read(self, reference):
        """What AWS returns for a reference, or None when AWS has no such resource."""
        kind = reference["kind"]
        client = self.client(_SERVICE[kind], reference["region"])
        try:
            if kind == "Queue":
                return client.get_queue_url(aws_retry=True, **reference["id"])
            if kind == "Table":
                return client.describe_table(aws_retry=True, **reference["id"])["Table"]
            if kind == "Function":
                return client.get_function_configuration(aws_retry=True, **reference["id"])
            return client.get_event_source_mapping(aws_retry=True, **reference["id"])
        except is_boto3_error_code(list(_NOT_FOUND)):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:  # pylint: disable=duplicate-except
            self.fail(exc, "Could not read {0} {1} in AWS".format(kind, reference["id"]))

    def other_mappings(self, reference, observed):
        """UUIDs of the mappings between the same event source and function, other than this one."""
        # The function as name[:qualifier] (AWS takes an ARN too; moto matches only the name).
        function = observed["FunctionArn"].split(":function:", 1)[-1]
        try:
            found = list_mappings(self.client("lambda", reference["region"]),
                                  EventSourceArn=observed["EventSourceArn"], FunctionName=function)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            self.fail(exc, "Could not list the mappings of {0}".format(observed["EventSourceArn"]))
        return sorted(m["UUID"] for m in found if m["UUID"] != observed.get("UUID"))


def observe(reader, resources, region):
    """One entry per custom resource: its AWS state, the reason, a summary of AWS's answer."""
    entries = []
    for resource in resources:
        kind, name, namespace = ack_aws.identity(resource)[:3]
        entry = {"kind": kind, "name": name, "namespace": namespace, "key": "{0}/{1}".format(kind, name),
                 "synced": ack_aws.synced(resource), "region": region, "aws": {}}
        reference = ack_aws.aws_reference(resource) if kind in ack_aws.KINDS else None
        if reference is None:
            entry.update(state=ack_aws.UNKNOWN, reason="no AWS identity in its status (not synced yet)"
                         if kind in ack_aws.KINDS else "kind not read")
        else:
            entry["region"] = reference["region"] or region
            reference["region"] = entry["region"]
            observed = reader.read(reference)
            state, reason = ack_aws.verdict(resource, observed)
            entry.update(state=state, reason=reason, aws=ack_aws.summary(kind, observed))
            if kind == "EventSourceMapping" and observed and observed.get("EventSourceArn") and observed.get("FunctionArn"):
                entry["other_mappings"] = reader.other_mappings(reference, observed)
        entry.setdefault("other_mappings", [])
        entries.append(entry)
    return entries


def outcome(entries):
    """The entries with what is drifted (missing in AWS), moving, and the other mappings, by their labels."""
    label = ack_aws.describe
    return dict(
        resources=entries,
        drifted=[label(e) for e in entries if e["state"] == ack_aws.MISSING],
        moving=[label(e) for e in entries if e["state"] == ack_aws.MOVING],
        other_mappings=sorted(set(uuid for e in entries for uuid in e["other_mappings"])))
