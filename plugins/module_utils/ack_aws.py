# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Pure logic of ackops.serverless.ack_aws_state: what an ACK custom resource points at in AWS,
and whether what AWS reports is settled, still moving, failed or gone (drift).

Why the AWS side: ACK reports a resource synced by its own per-kind rule and then does not look
again until its resync period (10 hours by default) or the next spec change. The Lambda
controller reports a Function synced while its last update is still InProgress, and an
EventSourceMapping synced in any state (Creating, Enabling, ...). A resource deleted in AWS
behind the cluster's back goes unnoticed for as long.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SETTLED = "settled"      # exists and is in the state its spec asks for
MOVING = "moving"        # exists, AWS is still applying something: wait
FAILED = "failed"        # AWS says the last change failed
MISSING = "missing"      # the custom resource says it exists, AWS does not have it: drift
UNKNOWN = "unknown"      # the custom resource has no AWS identity yet (never synced)

KINDS = ("Queue", "Table", "Function", "EventSourceMapping")


def parse_arn(arn):
    """dict(partition, service, region, account, resource) of an ARN, or None."""
    if not arn or not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return dict(partition=parts[1], service=parts[2], region=parts[3], account=parts[4], resource=parts[5])


def describe(resource):
    """'Kind namespace/name' of an ack_wait entry or a custom resource document."""
    kind, name, namespace = identity(resource)[:3]
    return "{0} {1}".format(kind, "{0}/{1}".format(namespace, name) if namespace else name)


def identity(resource):
    """(kind, name, namespace, status, spec) of an ack_wait entry or a custom resource document."""
    meta = resource.get("metadata") or {}
    return (resource.get("kind"), resource.get("name") or meta.get("name"),
            resource.get("namespace") or meta.get("namespace"),
            resource.get("status") or {}, resource.get("spec") or {})


def synced(resource):
    """Whether ACK.ResourceSynced is True in an ack_wait entry or a custom resource document."""
    conditions = identity(resource)[3].get("conditions") or resource.get("conditions") or []
    return any(c.get("type") == "ACK.ResourceSynced" and c.get("status") == "True"
               for c in conditions if isinstance(c, dict))


def aws_reference(resource):
    """What to ask AWS about: dict(kind, region, id) or None when the resource has no AWS identity.

    id is the queue name and owner account (Queue), the table name (Table), the function ARN
    (Function) or the mapping UUID (EventSourceMapping).
    """
    kind, dummy, dummy2, status, spec = identity(resource)
    metadata = status.get("ackResourceMetadata") or {}
    arn = parse_arn(metadata.get("arn"))
    region = metadata.get("region") or (arn or {}).get("region") or None
    if kind == "Queue" and arn:
        return {"kind": kind, "region": region, "id": {"QueueName": arn["resource"], "QueueOwnerAWSAccountId": arn["account"]}}
    if kind == "Table" and arn and arn["resource"].startswith("table/"):
        return {"kind": kind, "region": region, "id": {"TableName": arn["resource"][len("table/"):]}}
    if kind == "Function" and arn:
        return {"kind": kind, "region": region, "id": {"FunctionName": metadata["arn"]}}
    if kind == "EventSourceMapping" and status.get("uuid"):
        return {"kind": kind, "region": region, "id": {"UUID": status["uuid"]}}
    return None


def verdict(resource, observed):
    """(state, reason) for a resource and what AWS returned for it (None: not found)."""
    kind, dummy, dummy2, status, spec = identity(resource)
    if observed is None:
        return MISSING, "{0} is gone from AWS although the custom resource reports it; ACK will not notice before " \
                        "its next resync or spec change".format(kind)
    if kind == "Table":
        table_status = observed.get("TableStatus")
        if table_status == "ACTIVE":
            return SETTLED, "TableStatus ACTIVE"
        return MOVING, "TableStatus {0}".format(table_status)
    if kind == "Function":
        state, update = observed.get("State"), observed.get("LastUpdateStatus")
        if state == "Failed" or update == "Failed":
            reason = observed.get("LastUpdateStatusReason") or observed.get("StateReason") or "no reason given"
            return FAILED, "State {0}, LastUpdateStatus {1}: {2}".format(state, update, reason)
        if state in ("Pending",) or update == "InProgress":
            return MOVING, "State {0}, LastUpdateStatus {1}".format(state, update)
        return SETTLED, "State {0}, LastUpdateStatus {1}".format(state, update or "Successful")
    if kind == "EventSourceMapping":
        wanted = "Disabled" if spec.get("enabled") is False else "Enabled"
        state = observed.get("State")
        if state == wanted:
            return SETTLED, "State {0}".format(state)
        if state in ("Creating", "Enabling", "Disabling", "Updating"):
            return MOVING, "State {0}, waiting for {1}".format(state, wanted)
        return FAILED, "State {0}, the spec asks for {1}{2}. The Lambda controller does not read a mapping's enabled " \
                       "back from AWS, so changing it on an existing mapping never reaches AWS: recreate the mapping " \
                       "(delete its custom resource, then apply it again)".format(
                           state, wanted,
                           " ({0})".format(observed["StateTransitionReason"]) if observed.get("StateTransitionReason") else "")
    return SETTLED, "exists"


def summary(kind, observed):
    """The fields of an AWS answer worth returning (snake_case)."""
    if observed is None:
        return {}
    fields = {
        "Queue": {"QueueUrl": "queue_url"},
        "Table": {"TableStatus": "table_status", "TableArn": "table_arn", "ItemCount": "item_count"},
        "Function": {"State": "state", "LastUpdateStatus": "last_update_status",
                     "LastUpdateStatusReason": "last_update_status_reason", "FunctionArn": "function_arn",
                     "MemorySize": "memory_size", "Timeout": "timeout"},
        "EventSourceMapping": {"State": "state", "StateTransitionReason": "state_transition_reason",
                               "LastProcessingResult": "last_processing_result", "BatchSize": "batch_size",
                               "EventSourceArn": "event_source_arn", "FunctionArn": "function_arn"},
    }.get(kind, {})
    return dict((snake, observed[field]) for field, snake in fields.items() if field in observed)
