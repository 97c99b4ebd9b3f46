#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sqs_message
short_description: Send messages to an Amazon SQS queue
version_added: 0.1.0
description:
  - Sends one or more messages, with message attributes, to an SQS queue using
    C(SendMessageBatch) in chunks of ten.
  - Sending a message is always a change; in check mode nothing is sent and the module reports
    what it would send.
  - Neither amazon.aws nor community.aws has a module that sends SQS messages.
author:
  - ackops.serverless contributors (@ackops)
options:
  queue_url:
    description:
      - URL of the queue.
      - Exactly one of O(queue_url) and O(queue_name) is required.
    type: str
  queue_name:
    description:
      - Name of the queue; its URL is looked up with C(GetQueueUrl).
    type: str
  queue_owner_account_id:
    description:
      - Account that owns the queue, when it is not the caller's (with O(queue_name)).
    type: str
  messages:
    description:
      - The messages to send, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      body:
        description:
          - Message body.
        type: str
        required: true
      attributes:
        description:
          - Message attributes, name to value.
          - A string value is sent as data type C(String), an integer or float as C(Number).
          - A dict value is sent as given, with keys C(data_type) and C(string_value) or
            C(binary_value) (base64-encoded).
        type: dict
        default: {}
      delay_seconds:
        description:
          - Seconds to delay delivery of this message.
        type: int
      group_id:
        description:
          - Message group id (FIFO queues only).
        type: str
      deduplication_id:
        description:
          - Deduplication id (FIFO queues only).
        type: str
notes:
  - Supports check mode; in check mode no message is sent and RV(messages) has no C(message_id).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Send the tutorial's first message with its attributes
  ackops.serverless.sqs_message:
    queue_name: sqs-queue-demo-ack
    messages:
      - body: user1@foo.com
        attributes:
          name: user1
          city: seattle
  register: sent

- name: Send a Number and a Binary attribute to a queue given by URL
  ackops.serverless.sqs_message:
    queue_url: "{{ queue_url }}"
    messages:
      - body: user2@foo.com
        attributes:
          age: 42
          avatar:
            data_type: Binary
            binary_value: "aGVsbG8="
"""

RETURN = r"""
queue_url:
  description: URL of the queue the messages were sent to.
  returned: always
  type: str
  sample: https://sqs.us-east-1.amazonaws.com/123456789012/sqs-queue-demo-ack
sent:
  description: Number of messages sent (0 in check mode).
  returned: always
  type: int
  sample: 4
messages:
  description: One entry per message, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    body:
      description: The message body.
      type: str
      sample: user1@foo.com
    message_id:
      description: Id SQS gave the message.
      type: str
      returned: when sent
      sample: 5fea7756-0ea4-451a-a703-a558b933e274
    md5_of_message_body:
      description: MD5 digest of the body, as computed by SQS.
      type: str
      returned: when sent
      sample: 4b8c4a9f0bb6a4cf8e8e5f66e4ecf7ef
    md5_of_message_attributes:
      description: MD5 digest of the message attributes, as computed by SQS.
      type: str
      returned: when sent with attributes
      sample: 9b2c3f0a1cc1b7a2b4b9a0b9d8e1f2a3
    sequence_number:
      description: Sequence number (FIFO queues only).
      type: str
      returned: when sent to a FIFO queue
      sample: "18849496460467696128"
"""

import base64
import binascii

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

BATCH_SIZE = 10

MESSAGE_SPEC = dict(
    body=dict(type="str", required=True),
    attributes=dict(type="dict", default={}),
    delay_seconds=dict(type="int"),
    group_id=dict(type="str"),
    deduplication_id=dict(type="str"),
)


def build_attribute(name, value):
    """Turn one user-given attribute value into SQS's MessageAttributeValue shape.

    Raises ValueError with a message that names the attribute and the fix.
    """
    if isinstance(value, bool):
        raise ValueError(
            "message attribute %r: a boolean has no SQS data type; send it as a string, e.g. '%s'" % (name, str(value).lower())
        )
    if isinstance(value, str):
        return {"DataType": "String", "StringValue": value}
    if isinstance(value, (int, float)):
        return {"DataType": "Number", "StringValue": str(value)}
    if isinstance(value, dict):
        data_type = value.get("data_type")
        if not data_type:
            raise ValueError("message attribute %r: a dict value needs 'data_type' (String, Number or Binary[.custom])" % name)
        if "binary_value" in value:
            try:
                raw = base64.b64decode(value["binary_value"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise ValueError("message attribute %r: 'binary_value' must be base64-encoded" % name)
            return {"DataType": data_type, "BinaryValue": raw}
        if "string_value" in value:
            return {"DataType": data_type, "StringValue": str(value["string_value"])}
        raise ValueError("message attribute %r: a dict value needs 'string_value' or 'binary_value'" % name)
    raise ValueError(
        "message attribute %r: unsupported value of type %s; use a string, a number or a dict with data_type"
        % (name, type(value).__name__)
    )


def build_entries(messages):
    """Return SendMessageBatch entries (Id is the message's index) for the validated messages."""
    entries = []
    for index, message in enumerate(messages):
        entry = {"Id": str(index), "MessageBody": message["body"]}
        attributes = message.get("attributes") or {}
        if attributes:
            entry["MessageAttributes"] = dict((name, build_attribute(name, value)) for name, value in attributes.items())
        if message.get("delay_seconds") is not None:
            entry["DelaySeconds"] = message["delay_seconds"]
        if message.get("group_id"):
            entry["MessageGroupId"] = message["group_id"]
        if message.get("deduplication_id"):
            entry["MessageDeduplicationId"] = message["deduplication_id"]
        entries.append(entry)
    return entries


def resolve_queue_url(module, client):
    if module.params["queue_url"]:
        return module.params["queue_url"]
    request = {"QueueName": module.params["queue_name"]}
    if module.params["queue_owner_account_id"]:
        request["QueueOwnerAWSAccountId"] = module.params["queue_owner_account_id"]
    try:
        return client.get_queue_url(aws_retry=True, **request)["QueueUrl"]
    except is_boto3_error_code(["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"]):
        module.fail_json(
            msg="SQS queue %r does not exist in region %s: create it first (role ackops.serverless.resources) "
            "or check the queue name and region" % (module.params["queue_name"], module.region)
        )
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not look up the URL of SQS queue %r" % module.params["queue_name"])


def send(module, client, queue_url, entries):
    """Send the entries in batches of ten; return {index: result entry}, fail on any refused message."""
    results = {}
    for start in range(0, len(entries), BATCH_SIZE):
        chunk = entries[start:start + BATCH_SIZE]
        try:
            response = client.send_message_batch(aws_retry=True, QueueUrl=queue_url, Entries=chunk)
        except is_boto3_error_code(["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"]):
            module.fail_json(msg="SQS queue %s does not exist: create it first or check the URL" % queue_url)
        except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not send messages to %s" % queue_url)
        for ok in response.get("Successful", []):
            results[int(ok["Id"])] = ok
        failed = response.get("Failed", [])
        if failed:
            module.fail_json(
                msg="SQS refused %d message(s): %s" % (
                    len(failed),
                    "; ".join("message %s: %s (%s)" % (f["Id"], f.get("Message", ""), f.get("Code", "")) for f in failed),
                ),
                queue_url=queue_url,
                sent=len(results),
                changed=bool(results),
            )
    return results


def main():
    argument_spec = dict(
        queue_url=dict(type="str"),
        queue_name=dict(type="str"),
        queue_owner_account_id=dict(type="str"),
        messages=dict(type="list", elements="dict", required=True, options=MESSAGE_SPEC),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("queue_url", "queue_name")],
        required_one_of=[("queue_url", "queue_name")],
        supports_check_mode=True,
    )
    try:
        entries = build_entries(module.params["messages"])
    except ValueError as e:
        module.fail_json(msg=str(e))

    client = module.client("sqs", retry_decorator=AWSRetry.jittered_backoff())
    queue_url = resolve_queue_url(module, client)

    results = {}
    if entries and not module.check_mode:
        results = send(module, client, queue_url, entries)

    messages = []
    for index, message in enumerate(module.params["messages"]):
        entry = {"body": message["body"]}
        sent = results.get(index)
        if sent:
            entry["message_id"] = sent["MessageId"]
            entry["md5_of_message_body"] = sent.get("MD5OfMessageBody")
            if sent.get("MD5OfMessageAttributes"):
                entry["md5_of_message_attributes"] = sent["MD5OfMessageAttributes"]
            if sent.get("SequenceNumber"):
                entry["sequence_number"] = sent["SequenceNumber"]
        messages.append(entry)

    module.exit_json(changed=bool(entries), queue_url=queue_url, sent=len(results), messages=messages)


if __name__ == "__main__":
    main()
