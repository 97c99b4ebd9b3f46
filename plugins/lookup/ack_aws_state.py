# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ack_aws_state
author:
  - ackops.serverless contributors (@ackops)
short_description: Read the AWS side of ACK resources once, without a module run
version_added: 1.0.0
description:
  - What M(ackops.serverless.ack_aws_state) returns with O(ackops.serverless.ack_aws_state#module:wait=false), read
    from Ansible's own process - for each custom resource, whether AWS has it and whether it is settled, moving,
    failed or missing (drift), and the other event source mappings between a mapping's queue and function.
  - It only reads; a failed state is reported in the entries, not raised. The module waits until AWS settles.
  - The credentials need what the module needs - C(sqs:GetQueueUrl), C(dynamodb:DescribeTable),
    C(lambda:GetFunctionConfiguration), C(lambda:GetEventSourceMapping), C(lambda:ListEventSourceMappings).
options:
  resources:
    description:
      - The custom resources, as the Kubernetes API returns them or as M(ackops.serverless.ack_wait) reports them.
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Is every resource of the pipeline settled in AWS?
  ansible.builtin.set_fact:
    pipeline_aws: "{{ query('ackops.serverless.ack_aws_state', resources=pipeline_resources, region='eu-west-1') | first }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary with the keys of M(ackops.serverless.ack_aws_state) - C(resources), C(drifted), C(moving),
      C(other_mappings) - and no C(changed) or C(elapsed).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.ackops.serverless.plugins.module_utils.ack_aws_read import AwsReader, observe, outcome


def _fail(exc, msg):
    raise AnsibleLookupError("ack_aws_state: {0}: {1}. Check the credentials (see the lookup's permissions), the "
                             "region and the endpoint.".format(msg, exc))


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        super(LookupModule, self).run(terms, variables, **kwargs)
        resources = self.get_option("resources")
        if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
            raise AnsibleLookupError("ack_aws_state needs resources: a list of custom resources (dicts)")
        return [outcome(observe(AwsReader(self.client, _fail), resources, self.region))]
