# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: caller_identity
author:
  - ackops.serverless contributors (@ackops)
short_description: Who AWS takes the credentials for (STS GetCallerIdentity), without a module run
version_added: 1.0.0
description:
  - Returns the account, the ARN and the user ID of the credentials, as M(amazon.aws.aws_caller_info) does
    (without its C(account_alias)), asked from Ansible's own process.
  - Any credentials may call C(sts:GetCallerIdentity); no IAM permission is needed.
  - Credentials, region and endpoint come from the lookup's options or the usual chain (environment, profile,
    instance or web identity role).
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: The account the pipeline's ARNs are in
  ansible.builtin.set_fact:
    account_id: "{{ lookup('ackops.serverless.caller_identity', region='eu-west-1').account }}"
"""

RETURN = r"""
_raw:
  description: One dictionary.
  type: list
  elements: dict
  contains:
    account:
      description: The account ID.
      type: str
      sample: "123456789012"
    arn:
      description: The ARN of the caller; its second field is the partition (C(aws), C(aws-cn), C(aws-us-gov)).
      type: str
      sample: arn:aws:iam::123456789012:user/deployer
    user_id:
      description: The caller's unique ID.
      type: str
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        super(LookupModule, self).run(terms, variables, **kwargs)
        if terms:
            raise AnsibleLookupError("caller_identity takes no terms: it asks who the credentials are")
        sts = self.client("sts", retry_decorator=AWSRetry.jittered_backoff())
        try:
            identity = sts.get_caller_identity(aws_retry=True)
        except Exception as exc:  # botocore's errors (no credentials, refused, unreachable): say what and how to fix
            raise AnsibleLookupError(
                "caller_identity could not ask AWS who the credentials are (sts:GetCallerIdentity): %s. Give AWS "
                "credentials through the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE) or the "
                "lookup's access_key/secret_key/profile options, and check the region and endpoint." % exc)
        return [{"account": identity["Account"], "arn": identity["Arn"], "user_id": identity["UserId"]}]
