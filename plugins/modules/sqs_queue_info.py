#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sqs_queue_info
short_description: Read an Amazon SQS queue's attributes and message counts, and sample its messages
version_added: 0.1.0
description:
  - Reads a queue's attributes with C(GetQueueAttributes) and returns them in snake_case, with the
    message counts (visible, in flight, delayed) as integers and the redrive policy parsed.
  - With O(sample) greater than zero, also returns up to that many messages. They are received
    and at once made visible again (C(ChangeMessageVisibility) to zero); should that fail, they
    reappear after five seconds.
  - community.aws.sqs_queue manages queues but does not only read them; neither amazon.aws nor
    community.aws reads a queue's counts or messages.
author:
  - ackops.serverless contributors (@ackops)
options:
  queue_url:
    description:
      - URL of the queue.
      - Exactly one of O(queue_url), O(queue_name) and O(queue_arn) is required.
    type: str
  queue_name:
    description:
      - Name of the queue; its URL is looked up with C(GetQueueUrl).
    type: str
  queue_arn:
    description:
      - ARN of the queue, for example the C(dead_letter_target_arn) of another queue's redrive policy.
    type: str
  sample:
    description:
      - Number of messages to sample (at most 100), oldest first as far as SQS allows.
      - Sampling B(counts as a receive). Each sampled message's receive count goes up by one, a
        queue with a redrive policy moves a message to its dead-letter queue once that count reaches
        C(maxReceiveCount), and a consumer polling at the same moment does not see the sampled
        messages until they are made visible again. Sample queues nothing else consumes, such as a
        dead-letter queue.
      - SQS may return fewer messages than there are; RV(sample_complete) says whether every
        visible message was seen.
    type: int
    default: 0
  body_max_length:
    description:
      - Sampled message bodies longer than this are cut, with C(body_truncated=true).
    type: int
    default: 1024
notes:
  - Supports check mode. Sampling happens in check mode too (it changes no message, only receive counts).
  - Message system attributes are returned except C(SenderId), the identity of whoever sent the message.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: How many messages wait in the queue and how many are in flight
  ackops.serverless.sqs_queue_info:
    queue_name: sqs-queue-demo-ack
  register: queue

- name: A sample of the dead-letter queue's messages
  ackops.serverless.sqs_queue_info:
    queue_arn: "{{ queue.redrive_policy.dead_letter_target_arn }}"
    sample: 10
  register: dlq
  when: queue.redrive_policy is defined
"""

RETURN = r"""
exists:
  description: Whether the queue exists. The other keys are returned only when it does.
  returned: always
  type: bool
  sample: true
queue_url:
  description: URL of the queue.
  returned: when the queue exists
  type: str
  sample: https://sqs.us-east-1.amazonaws.com/123456789012/sqs-queue-demo-ack
queue_arn:
  description: ARN of the queue.
  returned: when the queue exists
  type: str
  sample: arn:aws:sqs:us-east-1:123456789012:sqs-queue-demo-ack
queue_name:
  description: Name of the queue.
  returned: when the queue exists
  type: str
  sample: sqs-queue-demo-ack
messages_visible:
  description: C(ApproximateNumberOfMessages), messages waiting to be received.
  returned: when the queue exists
  type: int
  sample: 0
messages_in_flight:
  description:
    - C(ApproximateNumberOfMessagesNotVisible), messages received and not yet deleted. They become
      visible again when their visibility timeout ends.
  returned: when the queue exists
  type: int
  sample: 4
messages_delayed:
  description: C(ApproximateNumberOfMessagesDelayed).
  returned: when the queue exists
  type: int
  sample: 0
visibility_timeout:
  description: The queue's default visibility timeout, in seconds.
  returned: when the queue exists
  type: int
  sample: 180
redrive_policy:
  description: The parsed redrive policy.
  returned: when the queue has one
  type: dict
  contains:
    dead_letter_target_arn:
      description: ARN of the dead-letter queue.
      type: str
      sample: arn:aws:sqs:us-east-1:123456789012:sqs-queue-demo-ack-dlq
    dead_letter_queue_name:
      description: Name of the dead-letter queue (the last part of its ARN).
      type: str
      sample: sqs-queue-demo-ack-dlq
    max_receive_count:
      description: Receives after which a message moves to the dead-letter queue.
      type: int
      sample: 5
attributes:
  description: Every attribute of the queue, keys in snake_case, values as SQS returns them (strings).
  returned: when the queue exists
  type: dict
  sample: {"visibility_timeout": "180", "message_retention_period": "345600", "delay_seconds": "0"}
sample:
  description: The sampled messages, when O(sample) is greater than zero.
  returned: when the queue exists
  type: list
  elements: dict
  contains:
    message_id:
      description: Id of the message.
      type: str
    body:
      description: The body, cut at O(body_max_length) characters.
      type: str
    body_truncated:
      description: Whether the body was cut.
      type: bool
    message_attributes:
      description:
        - Message attributes, name to value. String and Number values as strings, Binary values base64-encoded,
          list values as lists.
      type: dict
      sample: {"name": "user1", "smoke_run": "20261201T101500-12345"}
    attributes:
      description:
        - System attributes in snake_case (for example C(approximate_receive_count), C(sent_timestamp),
          C(approximate_first_receive_timestamp), C(dead_letter_queue_source_arn)), without C(SenderId).
      type: dict
sample_complete:
  description: Whether the sample holds every message that was visible when sampling began.
  returned: when the queue exists
  type: bool
  sample: true
"""

import base64
import json

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

MISSING_QUEUE_CODES = ["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"]
HIDDEN_SYSTEM_ATTRIBUTES = ("SenderId",)
MAX_SAMPLE = 100
SAMPLE_HIDE = 5  # seconds a sampled message stays hidden at most, should showing it again fail


def queue_name_from_arn(arn):
    """arn:aws:sqs:<region>:<account>:<name> -> (name, account)."""
    parts = (arn or "").split(":")
    if len(parts) != 6 or parts[2] != "sqs" or not parts[5]:
        raise ValueError("%r is not an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<name>)" % arn)
    return parts[5], parts[4]


def counts(attributes):
    def _int(name):
        try:
            return int(attributes.get(name, 0))
        except (TypeError, ValueError):
            return 0
    return dict(
        messages_visible=_int("ApproximateNumberOfMessages"),
        messages_in_flight=_int("ApproximateNumberOfMessagesNotVisible"),
        messages_delayed=_int("ApproximateNumberOfMessagesDelayed"),
        visibility_timeout=_int("VisibilityTimeout"),
    )


def parse_redrive_policy(raw):
    """The RedrivePolicy attribute (JSON) -> snake_case dict, or None."""
    if not raw:
        return None
    try:
        policy = json.loads(raw)
    except ValueError:
        return None
    target = policy.get("deadLetterTargetArn")
    result = {"dead_letter_target_arn": target}
    try:
        result["dead_letter_queue_name"] = queue_name_from_arn(target)[0]
    except ValueError:
        pass
    try:
        result["max_receive_count"] = int(policy.get("maxReceiveCount"))
    except (TypeError, ValueError):
        pass
    return result


def attribute_value(value):
    """A MessageAttributeValue as a plain value."""
    if "StringValue" in value:
        return value["StringValue"]
    if "BinaryValue" in value:
        raw = value["BinaryValue"]
        return base64.b64encode(raw if isinstance(raw, bytes) else raw.encode("utf-8")).decode("ascii")
    if value.get("StringListValues"):
        return list(value["StringListValues"])
    if value.get("BinaryListValues"):
        return [base64.b64encode(v).decode("ascii") for v in value["BinaryListValues"]]
    return None


def describe_message(message, body_max_length):
    body = message.get("Body") or ""
    system = dict((k, v) for k, v in (message.get("Attributes") or {}).items() if k not in HIDDEN_SYSTEM_ATTRIBUTES)
    return {
        "message_id": message.get("MessageId"),
        "body": body[:body_max_length],
        "body_truncated": len(body) > body_max_length,
        "message_attributes": dict((name, attribute_value(value))
                                   for name, value in (message.get("MessageAttributes") or {}).items()),
        "attributes": camel_dict_to_snake_dict(system),
    }


def resolve_queue_url(module, client):
    """The queue's URL, or None when it does not exist."""
    params = module.params
    if params["queue_url"]:
        return params["queue_url"]
    request = {}
    if params["queue_arn"]:
        try:
            name, account = queue_name_from_arn(params["queue_arn"])
        except ValueError as e:
            module.fail_json(msg="queue_arn: %s" % e)
        request.update(QueueName=name, QueueOwnerAWSAccountId=account)
    else:
        request["QueueName"] = params["queue_name"]
    try:
        return client.get_queue_url(aws_retry=True, **request)["QueueUrl"]
    except is_boto3_error_code(MISSING_QUEUE_CODES):
        return None
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not look up the URL of SQS queue %r" % request["QueueName"])


def sample_messages(module, client, queue_url, wanted, visible_at_start):
    """Up to `wanted` distinct messages. Each receive hides what it returns for SAMPLE_HIDE seconds
    (so the next receive returns others); at the end all of them are made visible again."""
    seen = {}
    try:
        while len(seen) < wanted:
            response = client.receive_message(
                aws_retry=True, QueueUrl=queue_url, MaxNumberOfMessages=min(10, wanted - len(seen)),
                VisibilityTimeout=SAMPLE_HIDE, WaitTimeSeconds=1 if not seen else 0,
                AttributeNames=["All"], MessageAttributeNames=["All"])
            new = [m for m in response.get("Messages") or [] if m["MessageId"] not in seen]
            if not new:
                break
            for message in new:
                seen[message["MessageId"]] = message
    except (BotoCoreError, ClientError) as e:
        show_again(module, client, queue_url, list(seen.values()))
        module.fail_json_aws(e, msg="Could not sample the messages of %s" % queue_url)
    show_again(module, client, queue_url, list(seen.values()))
    messages = sorted(seen.values(), key=lambda m: int((m.get("Attributes") or {}).get("SentTimestamp", 0)))
    return [describe_message(m, module.params["body_max_length"]) for m in messages], len(seen) >= visible_at_start


def show_again(module, client, queue_url, messages):
    for start in range(0, len(messages), 10):
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                   for i, m in enumerate(messages[start:start + 10])]
        try:
            response = client.change_message_visibility_batch(aws_retry=True, QueueUrl=queue_url, Entries=entries)
        except (BotoCoreError, ClientError) as e:
            module.warn("%d sampled message(s) stay hidden for up to %d s: %s" % (len(entries), SAMPLE_HIDE, e))
            continue
        if response.get("Failed"):
            module.warn("%d sampled message(s) stay hidden for up to %d s" % (len(response["Failed"]), SAMPLE_HIDE))


def main():
    argument_spec = dict(
        queue_url=dict(type="str"),
        queue_name=dict(type="str"),
        queue_arn=dict(type="str"),
        sample=dict(type="int", default=0),
        body_max_length=dict(type="int", default=1024),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("queue_url", "queue_name", "queue_arn")],
        required_one_of=[("queue_url", "queue_name", "queue_arn")],
        supports_check_mode=True,
    )
    if not 0 <= module.params["sample"] <= MAX_SAMPLE:
        module.fail_json(msg="sample must be between 0 and %d" % MAX_SAMPLE)
    if module.params["body_max_length"] < 0:
        module.fail_json(msg="body_max_length must be 0 or more")

    client = module.client("sqs", retry_decorator=AWSRetry.jittered_backoff())
    queue_url = resolve_queue_url(module, client)
    if queue_url is None:
        module.exit_json(changed=False, exists=False)
    try:
        attributes = client.get_queue_attributes(aws_retry=True, QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    except is_boto3_error_code(MISSING_QUEUE_CODES):
        module.exit_json(changed=False, exists=False)
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read the attributes of %s" % queue_url)

    result = dict(changed=False, exists=True, queue_url=queue_url, queue_arn=attributes.get("QueueArn"),
                  attributes=camel_dict_to_snake_dict(attributes), sample=[])
    result["queue_name"] = queue_name_from_arn(result["queue_arn"])[0] if result["queue_arn"] else queue_url.rsplit("/", 1)[-1]
    result.update(counts(attributes))
    redrive = parse_redrive_policy(attributes.get("RedrivePolicy"))
    if redrive:
        result["redrive_policy"] = redrive
    result["sample_complete"] = result["messages_visible"] == 0
    if module.params["sample"] and result["messages_visible"]:
        result["sample"], result["sample_complete"] = sample_messages(
            module, client, queue_url, module.params["sample"], result["messages_visible"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
