#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_oidc_provider_info
short_description: Read the IAM OIDC identity provider of an EKS cluster
version_added: 0.1.0
description:
  - Reads the OpenID Connect issuer of an EKS cluster with C(eks:DescribeCluster) and reports whether the
    matching IAM OIDC identity provider exists, with its ARN, client IDs, thumbprints and tags.
  - Never changes anything. M(ackops.serverless.eks_oidc_provider) creates or removes the provider.
author:
  - ackops.serverless contributors (@ackops)
options:
  cluster_name:
    description:
      - Name of the EKS cluster whose OIDC issuer is looked up.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Errors for a missing cluster, a wrong region or missing credentials say what to check.
"""

EXAMPLES = r"""
- name: Look up the provider of a cluster whose platform team manages it elsewhere
  ackops.serverless.eks_oidc_provider_info:
    cluster_name: my-cluster
  register: oidc

- name: Stop early when IRSA is not set up
  ansible.builtin.assert:
    that: oidc.exists
    fail_msg: "No IAM OIDC provider for {{ oidc.issuer }}: run eks_oidc_provider first"
"""

RETURN = r"""
cluster_name:
  description: Name of the EKS cluster.
  returned: always
  type: str
  sample: my-cluster
issuer:
  description: The cluster's OIDC issuer URL.
  returned: always
  type: str
  sample: https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
issuer_host_path:
  description: The issuer without its C(https://) scheme, as used in IRSA trust policy condition keys.
  returned: always
  type: str
  sample: oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
exists:
  description: Whether an IAM OIDC provider serves the issuer.
  returned: always
  type: bool
  sample: true
arn:
  description: ARN of the provider. Empty when it does not exist.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
client_ids:
  description: Client IDs (audiences) of the provider.
  returned: always
  type: list
  elements: str
  sample: [sts.amazonaws.com]
thumbprints:
  description: Thumbprints of the provider.
  returned: always
  type: list
  elements: str
  sample: []
tags:
  description: Tags of the provider.
  returned: always
  type: dict
  sample: {owner: platform}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import fail_with_advice
from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import lookup
from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import result_view


def main():
    module = AnsibleAWSModule(argument_spec=dict(cluster_name=dict(type="str", required=True)), supports_check_mode=True)
    retry = AWSRetry.jittered_backoff()
    try:
        issuer, host_path, provider = lookup(module, module.client("eks", retry_decorator=retry), module.client("iam", retry_decorator=retry))
    except AnsibleAWSError as e:
        fail_with_advice(module, e)
    result = dict(changed=False, cluster_name=module.params["cluster_name"], issuer=issuer, issuer_host_path=host_path)
    result.update(result_view(provider))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
