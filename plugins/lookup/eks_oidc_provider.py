# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: eks_oidc_provider
author:
  - ackops.serverless contributors (@ackops)
short_description: Read the IAM OIDC identity provider of an EKS cluster, without a module run
version_added: 1.0.0
description:
  - What M(ackops.serverless.eks_oidc_provider_info) returns, read from Ansible's own process - the cluster's
    OpenID Connect issuer (C(eks:DescribeCluster)) and whether the matching IAM OIDC identity provider exists,
    with its ARN, client IDs, thumbprints and tags.
  - Lets a role run M(ackops.serverless.eks_oidc_provider) only when the provider is missing or differs.
  - The credentials need C(eks:DescribeCluster), C(iam:ListOpenIDConnectProviders),
    C(iam:GetOpenIDConnectProvider) and C(iam:ListOpenIDConnectProviderTags).
options:
  cluster_name:
    description: Name of the EKS cluster whose OIDC issuer is looked up.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: The provider's ARN, for a role's trust policy
  ansible.builtin.set_fact:
    oidc_provider_arn: "{{ lookup('ackops.serverless.eks_oidc_provider', cluster_name='my-cluster', region='eu-west-1').arn }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary with the keys of M(ackops.serverless.eks_oidc_provider_info) - C(cluster_name), C(issuer),
      C(issuer_host_path), C(exists), C(arn), C(client_ids), C(thumbprints), C(tags) - and no C(changed).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import (
    IssuerError,
    advice_for,
    cluster_issuer,
    find_provider,
    issuer_host_path,
    result_view,
)


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        super(LookupModule, self).run(terms, variables, **kwargs)
        name = self.get_option("cluster_name")
        if not name:
            raise AnsibleLookupError("eks_oidc_provider needs cluster_name: the name of the EKS cluster")
        region = self.region or "(no region set)"
        retry = AWSRetry.jittered_backoff()
        try:
            issuer = cluster_issuer(self.client("eks", retry_decorator=retry), name, region)
            host_path = issuer_host_path(issuer)
            provider = find_provider(self.client("iam", retry_decorator=retry), host_path)
        except IssuerError as exc:
            raise AnsibleLookupError(str(exc))
        except AnsibleAWSError as exc:
            hint = advice_for(exc, region)
            raise AnsibleLookupError("{0} ({1})".format(hint, exc.message) if hint else exc.message)
        result = dict(cluster_name=name, issuer=issuer, issuer_host_path=host_path)
        result.update(result_view(provider))
        return [result]
