# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: lambda_mappings
author:
  - ackops.serverless contributors (@ackops)
short_description: List Lambda event source mappings of an event source and a function, without a module run
version_added: 1.0.0
description:
  - The mappings C(ListEventSourceMappings) returns for an event source, a function or both, as
    M(ackops.serverless.lambda_event_source_mapping_info) returns them (snake_case, with C(uuid) and C(function_name)),
    oldest change first. A function that does not exist has no mappings.
  - Lets a role find a mapping that no ACK EventSourceMapping owns before it asks for one, since Lambda refuses a
    second mapping between an SQS queue and a function.
  - The credentials need C(lambda:ListEventSourceMappings).
options:
  event_source_arn:
    description: Only mappings of this event source (an SQS queue, stream or broker ARN).
    type: str
  function_name:
    description: Only mappings of this function (name, ARN or partial ARN).
    type: str
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Fail when the queue already has a mapping to the function
  ansible.builtin.assert:
    that: mappings | length == 0
  vars:
    mappings: "{{ query('ackops.serverless.lambda_mappings', event_source_arn=queue_arn, function_name='my-function') }}"
"""

RETURN = r"""
_raw:
  description:
    - The mappings found, each a dictionary with the keys of
      M(ackops.serverless.lambda_event_source_mapping_info)'s C(mappings) (C(uuid), C(state), C(event_source_arn),
      C(function_arn), C(function_name), C(batch_size), ...).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.ackops.serverless.plugins.module_utils.lambda_mappings import in_order, list_mappings


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        super(LookupModule, self).run(terms, variables, **kwargs)
        request = {}
        if self.get_option("event_source_arn"):
            request["EventSourceArn"] = self.get_option("event_source_arn")
        if self.get_option("function_name"):
            request["FunctionName"] = self.get_option("function_name")
        if not request:
            raise AnsibleLookupError("lambda_mappings needs event_source_arn, function_name or both")
        try:
            return in_order(list_mappings(self.client("lambda"), **request))
        except is_boto3_error_code("ResourceNotFoundException"):
            return []  # the function does not exist
        except Exception as exc:  # pylint: disable=duplicate-except  # botocore's: refused, unreachable, no credentials
            raise AnsibleLookupError(
                "lambda_mappings could not list the event source mappings of %s: %s. The credentials need "
                "lambda:ListEventSourceMappings; check the region and endpoint."
                % (" and ".join(request.values()), exc))
