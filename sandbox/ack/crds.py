# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Our own CustomResourceDefinitions for the four ACK kinds the project uses.

Groups, versions, kinds and field names follow the ACK API (sqs-controller 1.6.1,
dynamodb-controller 1.9.2, lambda-controller 1.14.1); the schemas are written here, only
for the fields the project and the tutorial need plus the common ACK status. Run
``python sandbox/ack/crds.py`` to rewrite charts/<svc>-chart/crds/ from this file
(tests/sandbox_ack/test_charts_static.py fails when the two disagree).
"""

import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from services import API_VERSION, SERVICES, chart_name, group  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))

S = {"type": "string"}
I64 = {"type": "integer", "format": "int64"}
B = {"type": "boolean"}
STR_LIST = {"type": "array", "items": S}
STR_MAP = {"type": "object", "additionalProperties": S}


def obj(props, required=None, description=None):
    out = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def arr(item):
    return {"type": "array", "items": item}


def ref():
    """ACK's AWSResourceReferenceWrapper: {from: {name, namespace}}."""
    return obj({"from": obj({"name": S, "namespace": S})},
               description="Reference to another ACK resource in the cluster (from.name, from.namespace).")


def immutable(schema):
    out = dict(schema)
    out["x-kubernetes-validations"] = [{"rule": "self == oldSelf", "message": "Value is immutable once set"}]
    return out


ACK_STATUS = {
    "ackResourceMetadata": obj(
        {"arn": S, "ownerAccountID": S, "region": S},
        required=["ownerAccountID", "region"],
        description="Set by the controller: ARN, owning account and region of the AWS resource.",
    ),
    "conditions": arr(obj(
        {
            "type": S,
            "status": S,
            "lastTransitionTime": {"type": "string", "format": "date-time"},
            "reason": S,
            "message": S,
        },
        required=["type", "status"],
    )),
}

TAG_LIST = arr(obj({"key": S, "value": S}))

QUEUE_SPEC = obj({
    "contentBasedDeduplication": S,
    "delaySeconds": S,
    "fifoQueue": S,
    "kmsDataKeyReusePeriodSeconds": S,
    "kmsMasterKeyID": S,
    "kmsMasterKeyRef": ref(),
    "maximumMessageSize": S,
    "messageRetentionPeriod": S,
    "policy": S,
    "policyRef": ref(),
    "queueName": immutable(S),
    "receiveMessageWaitTimeSeconds": S,
    "redriveAllowPolicy": S,
    "redrivePolicy": S,
    "sqsManagedSSEEnabled": S,
    "tags": STR_MAP,
    "visibilityTimeout": S,
}, required=["queueName"], description="QueueSpec: SQS queue attributes, as strings like the SQS API.")

QUEUE_STATUS = obj(dict(ACK_STATUS, queueARN=S, queueURL=S))

KEY_SCHEMA = arr(obj({"attributeName": S, "keyType": S}))
THROUGHPUT = obj({"readCapacityUnits": I64, "writeCapacityUnits": I64})
PROJECTION = obj({"nonKeyAttributes": STR_LIST, "projectionType": S})

TABLE_SPEC = obj({
    "attributeDefinitions": arr(obj({"attributeName": S, "attributeType": S})),
    "billingMode": S,
    "continuousBackups": obj({"pointInTimeRecoveryEnabled": B}),
    "contributorInsights": S,
    "deletionProtectionEnabled": B,
    "globalSecondaryIndexes": arr(obj({
        "indexName": S, "keySchema": KEY_SCHEMA, "projection": PROJECTION,
        "provisionedThroughput": THROUGHPUT,
    })),
    "keySchema": KEY_SCHEMA,
    "localSecondaryIndexes": arr(obj({"indexName": S, "keySchema": KEY_SCHEMA, "projection": PROJECTION})),
    "provisionedThroughput": THROUGHPUT,
    "sseSpecification": obj({"enabled": B, "kmsMasterKeyID": S, "sseType": S}),
    "streamSpecification": obj({"streamEnabled": B, "streamViewType": S}, required=["streamEnabled"]),
    "tableClass": S,
    "tableName": immutable(S),
    "tags": TAG_LIST,
    "timeToLive": obj({"attributeName": S, "enabled": B}),
}, required=["keySchema", "tableName"], description="TableSpec: a DynamoDB table.")

TABLE_STATUS = obj(dict(
    ACK_STATUS,
    creationDateTime={"type": "string", "format": "date-time"},
    itemCount=I64,
    latestStreamARN=S,
    latestStreamLabel=S,
    tableID=S,
    tableSizeBytes=I64,
    tableStatus=S,
))

FUNCTION_SPEC = obj({
    "architectures": STR_LIST,
    "code": obj({
        "imageURI": S, "s3Bucket": S, "s3BucketRef": ref(), "s3Key": S,
        "s3ObjectVersion": S, "sha256": S, "zipFile": {"type": "string", "format": "byte"},
    }),
    "codeSigningConfigARN": S,
    "deadLetterConfig": obj({"targetARN": S}),
    "description": S,
    "environment": obj({"variables": STR_MAP}),
    "ephemeralStorage": obj({"size": I64}),
    "handler": S,
    "imageConfig": obj({"command": STR_LIST, "entryPoint": STR_LIST, "workingDirectory": S}),
    "kmsKeyARN": S,
    "kmsKeyRef": ref(),
    "layers": STR_LIST,
    "memorySize": I64,
    "name": immutable(S),
    "packageType": S,
    "publish": B,
    "reservedConcurrentExecutions": I64,
    "role": S,
    "roleRef": ref(),
    "runtime": S,
    "tags": STR_MAP,
    "timeout": I64,
    "tracingConfig": obj({"mode": S}),
    "vpcConfig": obj({"securityGroupIDs": STR_LIST, "subnetIDs": STR_LIST}),
}, required=["code", "name"], description="FunctionSpec: a Lambda function.")

FUNCTION_STATUS = obj(dict(
    ACK_STATUS,
    codeSHA256=S,
    codeSize=I64,
    lastModified=S,
    lastUpdateStatus=S,
    lastUpdateStatusReason=S,
    lastUpdateStatusReasonCode=S,
    state=S,
    stateReason=S,
    stateReasonCode=S,
    version=S,
))

ESM_SPEC = obj({
    "batchSize": I64,
    "bisectBatchOnFunctionError": B,
    "enabled": B,
    "eventSourceARN": S,
    "eventSourceRef": ref(),
    "filterCriteria": obj({"filters": arr(obj({"pattern": S}))}),
    "functionName": S,
    "functionRef": ref(),
    "functionResponseTypes": STR_LIST,
    "maximumBatchingWindowInSeconds": I64,
    "maximumRecordAgeInSeconds": I64,
    "maximumRetryAttempts": I64,
    "parallelizationFactor": I64,
    "queues": STR_LIST,
    "scalingConfig": obj({"maximumConcurrency": I64}),
    "startingPosition": S,
    "startingPositionTimestamp": {"type": "string", "format": "date-time"},
    "tumblingWindowInSeconds": I64,
}, description="EventSourceMappingSpec: a Lambda event source mapping.")

ESM_STATUS = obj(dict(
    ACK_STATUS,
    functionARN=S,
    lastModified={"type": "string", "format": "date-time"},
    lastProcessingResult=S,
    state=S,
    stateTransitionReason=S,
    uuid=S,
))

SYNCED_COLUMN = {"name": "Synced", "type": "string",
                 "jsonPath": '.status.conditions[?(@.type=="ACK.ResourceSynced")].status'}
AGE_COLUMN = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}

KINDS = {
    ("sqs", "Queue"): (QUEUE_SPEC, QUEUE_STATUS, [
        {"name": "visibilityTimeout", "type": "string", "jsonPath": ".spec.visibilityTimeout"}]),
    ("dynamodb", "Table"): (TABLE_SPEC, TABLE_STATUS, [
        {"name": "CLASS", "type": "string", "jsonPath": ".spec.tableClass"},
        {"name": "STATUS", "type": "string", "jsonPath": ".status.tableStatus"}]),
    ("lambda", "Function"): (FUNCTION_SPEC, FUNCTION_STATUS, [
        {"name": "State", "type": "string", "jsonPath": ".status.state"}]),
    ("lambda", "EventSourceMapping"): (ESM_SPEC, ESM_STATUS, [
        {"name": "UUID", "type": "string", "jsonPath": ".status.uuid"},
        {"name": "State", "type": "string", "jsonPath": ".status.state"}]),
}


def crd(service, kind):
    spec, status, columns = KINDS[(service, kind)]
    plural = SERVICES[service]["kinds"][kind]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "%s.%s" % (plural, group(service)),
            "annotations": {"ackops.io/origin": "ackops sandbox stand-in (schema written for the sandbox, ACK field names)"},
        },
        "spec": {
            "group": group(service),
            "names": {"kind": kind, "listKind": kind + "List", "plural": plural, "singular": kind.lower()},
            "scope": "Namespaced",
            "versions": [{
                "name": API_VERSION,
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns + [SYNCED_COLUMN, AGE_COLUMN],
                "schema": {"openAPIV3Schema": obj({
                    "apiVersion": S, "kind": S, "metadata": {"type": "object"},
                    "spec": spec, "status": status,
                }, description="%s is the Schema for the %s API (ackops sandbox stand-in)." % (kind, plural))},
            }],
        },
    }


def crd_path(service, kind):
    plural = SERVICES[service]["kinds"][kind]
    return os.path.join(HERE, "charts", chart_name(service), "crds", "%s_%s.yaml" % (group(service), plural))


class _Dumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    """Writes shared sub-schemas out in full instead of as YAML anchors."""

    def ignore_aliases(self, data):
        return True


def render(service, kind):
    return "---\n" + yaml.dump(crd(service, kind), Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=120)


def main():
    for service, kind in KINDS:
        path = crd_path(service, kind)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render(service, kind))


if __name__ == "__main__":
    main()
