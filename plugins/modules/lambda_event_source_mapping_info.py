#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lambda_event_source_mapping_info
short_description: List AWS Lambda event source mappings by event source, function or UUID
version_added: 0.1.0
description:
  - Lists event source mappings with C(ListEventSourceMappings), or reads one with
    C(GetEventSourceMapping), and returns them in snake_case with their C(state),
    C(state_transition_reason) and C(last_processing_result).
  - Unlike M(amazon.aws.lambda_info) with O(amazon.aws.lambda_info#module:query=mappings), it
    finds every mapping of an event source (for example every consumer of an SQS queue) without
    reading each function of the account.
author:
  - ackops.serverless contributors (@ackops)
options:
  event_source_arn:
    description:
      - Only mappings of this event source (an SQS queue, stream or broker ARN).
    type: str
  function_name:
    description:
      - Only mappings of this function (name, ARN or partial ARN).
    type: str
  uuid:
    description:
      - The mapping with this UUID. Mutually exclusive with the two filters.
    type: str
notes:
  - Supports check mode (it only reads).
  - Without any option, every mapping of the account and region is listed.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Every function that consumes the queue
  ackops.serverless.lambda_event_source_mapping_info:
    event_source_arn: arn:aws:sqs:us-east-1:123456789012:sqs-queue-demo-ack
  register: consumers

- name: Fail unless one of them is enabled
  ansible.builtin.assert:
    that: consumers.mappings | selectattr('state', 'equalto', 'Enabled') | list | length > 0
"""

RETURN = r"""
mappings:
  description: The mappings found, oldest change first.
  returned: always
  type: list
  elements: dict
  contains:
    uuid:
      description: Identifier of the mapping.
      type: str
      sample: 6d9bce8e-836b-461a-b1ac-5b8b6b0d3a2f
    state:
      description: C(Creating), C(Enabling), C(Enabled), C(Disabling), C(Disabled), C(Updating) or C(Deleting).
      type: str
      sample: Enabled
    state_transition_reason:
      description: Why the mapping is in its state (a user action or a Lambda service decision).
      type: str
      sample: USER_INITIATED
    last_processing_result:
      description: Result of the last processing attempt, when the service reports one.
      type: str
      sample: OK
    event_source_arn:
      description: ARN of the event source.
      type: str
    function_arn:
      description: ARN of the function.
      type: str
    function_name:
      description: Name of the function (from its ARN).
      type: str
      sample: demo-sqs-dynamodb-func-ack
    batch_size:
      description: Records per batch.
      type: int
      sample: 10
    maximum_batching_window_in_seconds:
      description: Seconds to gather records before invoking.
      type: int
      sample: 0
    function_response_types:
      description: For example C(ReportBatchItemFailures).
      type: list
      elements: str
    last_modified:
      description: When the mapping last changed (ISO 8601).
      type: str
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.ackops.serverless.plugins.module_utils.lambda_mappings import in_order, list_mappings


def main():
    argument_spec = dict(
        event_source_arn=dict(type="str"),
        function_name=dict(type="str"),
        uuid=dict(type="str"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("uuid", "event_source_arn"), ("uuid", "function_name")],
        supports_check_mode=True,
    )
    client = module.client("lambda", retry_decorator=AWSRetry.jittered_backoff())
    params = module.params
    if params["uuid"]:
        try:
            found = [client.get_event_source_mapping(aws_retry=True, UUID=params["uuid"])]
        except is_boto3_error_code("ResourceNotFoundException"):
            found = []
        except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not read event source mapping %s" % params["uuid"])
    else:
        request = {}
        if params["event_source_arn"]:
            request["EventSourceArn"] = params["event_source_arn"]
        if params["function_name"]:
            request["FunctionName"] = params["function_name"]
        try:
            found = list_mappings(client, **request)
        except is_boto3_error_code("ResourceNotFoundException"):
            found = []  # the function does not exist
        except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not list event source mappings")
    module.exit_json(changed=False, mappings=in_order(found))


if __name__ == "__main__":
    main()
