# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Stand-in for the ACK sqs-controller: kind Queue (CreateQueue, GetQueueAttributes, ListQueueTags,
SetQueueAttributes, TagQueue/UntagQueue, DeleteQueue)."""

import json
import sys

from botocore.exceptions import ClientError

from . import runtime

# spec field -> SQS attribute name
ATTRIBUTES = {
    "contentBasedDeduplication": "ContentBasedDeduplication",
    "delaySeconds": "DelaySeconds",
    "fifoQueue": "FifoQueue",
    "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
    "kmsMasterKeyID": "KmsMasterKeyId",
    "maximumMessageSize": "MaximumMessageSize",
    "messageRetentionPeriod": "MessageRetentionPeriod",
    "policy": "Policy",
    "receiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "redriveAllowPolicy": "RedriveAllowPolicy",
    "redrivePolicy": "RedrivePolicy",
    "sqsManagedSSEEnabled": "SqsManagedSseEnabled",
    "visibilityTimeout": "VisibilityTimeout",
}
CREATE_ONLY = {"fifoQueue"}
JSON_FIELDS = {"policy", "redrivePolicy", "redriveAllowPolicy"}


def _canon(value):
    """JSON documents compared the way SQS stores them: numbers given as strings ("3") come back
    as numbers (maxReceiveCount), key order and whitespace do not matter."""
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _same(field, desired, observed):
    if observed is None:
        return False
    if field in JSON_FIELDS:
        try:
            return _canon(json.loads(desired)) == _canon(json.loads(observed))
        except ValueError:
            return desired == observed
    return str(desired).lower() == str(observed).lower()


class QueueManager(runtime.ResourceManager):
    kind = "Queue"
    plural = "queues"
    service = "sqs"

    @property
    def sqs(self):
        return self.ctx.client("sqs")

    def _attributes(self, spec, fields=None):
        return {ATTRIBUTES[f]: str(spec[f]) for f in (fields or ATTRIBUTES) if spec.get(f) not in (None, "")}

    def read(self, cr, spec):
        try:
            url = self.sqs.get_queue_url(QueueName=spec["queueName"])["QueueUrl"]
        except ClientError as exc:
            if runtime.error_code(exc) in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                return None
            raise
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})
        tags = self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
        return {"url": url, "attributes": attrs, "tags": tags}

    def create(self, cr, spec):
        kwargs = {"QueueName": spec["queueName"], "Attributes": self._attributes(spec)}
        if spec.get("tags"):
            kwargs["tags"] = dict(spec["tags"])
        self.sqs.create_queue(**kwargs)
        return self.read(cr, spec)

    def delta(self, spec, observed):
        diffs = [f for f in ATTRIBUTES if f not in CREATE_ONLY and spec.get(f) not in (None, "")
                 and not _same(f, spec[f], observed["attributes"].get(ATTRIBUTES[f]))]
        if spec.get("tags") is not None and dict(spec["tags"]) != observed["tags"]:
            diffs.append("tags")
        return diffs

    def update(self, cr, spec, observed, diffs):
        attr_fields = [f for f in diffs if f in ATTRIBUTES]
        if attr_fields:
            self.sqs.set_queue_attributes(QueueUrl=observed["url"], Attributes=self._attributes(spec, attr_fields))
        if "tags" in diffs:
            desired = dict(spec["tags"])
            gone = [k for k in observed["tags"] if k not in desired]
            if gone:
                self.sqs.untag_queue(QueueUrl=observed["url"], TagKeys=gone)
            if desired:
                self.sqs.tag_queue(QueueUrl=observed["url"], Tags=desired)
        return self.read(cr, spec)

    def delete(self, cr, spec, observed):
        self.sqs.delete_queue(QueueUrl=observed["url"])

    def status(self, observed):
        arn = observed["attributes"].get("QueueArn")
        return arn, {"queueURL": observed["url"], "queueARN": arn}


MANAGERS = [QueueManager]


def main(argv=None):
    return runtime.run("sqs", MANAGERS, argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
