#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lambda_event_source_mapping
short_description: Delete an AWS Lambda event source mapping by its UUID
version_added: 0.1.0
description:
  - Deletes the event source mapping with the given UUID, and only that one.
  - M(amazon.aws.lambda_event) with O(amazon.aws.lambda_event#module:state=absent) deletes the first
    mapping it finds between an event source and a function, which may be the one an ACK
    C(EventSourceMapping) owns. This module is for removing a mapping that nothing owns, for example
    a second mapping between the same queue and function left by a create call that was retried.
  - Creating and updating mappings is the job of the ACK Lambda controller, not of this module.
author:
  - ackops.serverless contributors (@ackops)
options:
  uuid:
    description: UUID of the mapping.
    type: str
    required: true
  state:
    description: V(absent) is the only state; a mapping that does not exist is left as it is (no change).
    type: str
    choices: [absent]
    default: absent
notes:
  - Supports check mode (reports the change without deleting).
  - AWS deletes a mapping asynchronously; the module returns once AWS accepted the deletion (state
    C(Deleting)).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
seealso:
  - module: ackops.serverless.lambda_event_source_mapping_info
"""

EXAMPLES = r"""
- name: Find the mappings between the queue and the function
  ackops.serverless.lambda_event_source_mapping_info:
    event_source_arn: arn:aws:sqs:us-east-1:123456789012:orders
    function_name: orders-writer
  register: found

- name: Delete every one of them but the one the EventSourceMapping custom resource owns
  ackops.serverless.lambda_event_source_mapping:
    uuid: "{{ item }}"
    state: absent
  loop: "{{ found.mappings | map(attribute='uuid') | reject('equalto', owned_uuid) | list }}"
"""

RETURN = r"""
uuid:
  description: The UUID given.
  returned: always
  type: str
state:
  description: What AWS answered the deletion with (C(Deleting)), or C(absent) when there was no such mapping.
  returned: always
  type: str
  sample: Deleting
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def call(module, client, verb, uuid):
    """AWS's answer to verb (get or delete) for the mapping, or exit unchanged when it does not exist."""
    try:
        return getattr(client, verb + "_event_source_mapping")(aws_retry=True, UUID=uuid)
    except is_boto3_error_code("ResourceNotFoundException"):
        module.exit_json(changed=False, uuid=uuid, state="absent")
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not {0} event source mapping {1}".format(verb, uuid))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(uuid=dict(type="str", required=True), state=dict(type="str", choices=["absent"], default="absent")),
        supports_check_mode=True,
    )
    client = module.client("lambda", retry_decorator=AWSRetry.jittered_backoff())
    uuid = module.params["uuid"]
    current = call(module, client, "get", uuid)
    if current.get("State") == "Deleting":
        module.exit_json(changed=False, uuid=uuid, state="Deleting")
    if module.check_mode:
        module.exit_json(changed=True, uuid=uuid, state=current.get("State"))
    answer = call(module, client, "delete", uuid)
    module.exit_json(changed=True, uuid=uuid, state=answer.get("State") or "Deleting")


if __name__ == "__main__":
    main()
