# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: eks_token
author:
  - ackops.serverless contributors (@ackops)
short_description: Mint an EKS bearer token from AWS credentials, without the aws CLI
version_added: 0.1.0
description:
  - Returns the bearer token that an Amazon EKS cluster accepts from an IAM identity, the same
    token C(aws eks get-token) prints, made with botocore alone.
  - The token is C(k8s-aws-v1.) followed by the base64url encoding of a pre-signed STS
    C(GetCallerIdentity) URL whose signed headers include C(x-k8s-aws-id) set to the cluster name.
  - EKS accepts a token for 15 minutes after it was made. Ansible evaluates the lookup each time a
    task templates it, so feeding it through C(module_defaults) gives every task a fresh token.
  - Credentials come from the usual chain (environment, profile, instance or web identity role),
    for example those an AWX "Amazon Web Services" credential injects. The identity must be mapped
    to Kubernetes permissions on the cluster (an EKS access entry or the aws-auth ConfigMap).
  - The token is a secret for its lifetime. Tasks that carry it should set C(no_log) where its
    value could be printed.
options:
  cluster_name:
    description: Name of the EKS cluster the token is for.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Reach EKS with only an AWS credential (no kubeconfig, no aws CLI)
  module_defaults:
    group/kubernetes.core.k8s:
      host: "{{ cluster_endpoint }}"
      ca_cert: /tmp/cluster-ca.crt
      api_key: "{{ lookup('ackops.serverless.eks_token', cluster_name='my-eks-cluster', region='eu-west-1') }}"
  block:
    - name: Read the ACK namespace
      kubernetes.core.k8s_info:
        kind: Namespace
        name: ack-system
"""

RETURN = r"""
_raw:
  description: The bearer token, C(k8s-aws-v1.<base64url of the pre-signed URL>).
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.ackops.serverless.plugins.module_utils.eks_token import presigned_token


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        super(LookupModule, self).run(terms, variables, **kwargs)
        cluster_name = self.get_option("cluster_name")
        if not cluster_name:
            raise AnsibleLookupError("eks_token needs cluster_name: the name of the EKS cluster to authenticate to")
        if not self.region:
            raise AnsibleLookupError(
                "eks_token needs a region: pass region=... or set AWS_REGION; the token is signed for the "
                "cluster's regional STS endpoint")
        # The regional STS endpoint, as the aws CLI uses: EKS verifies tokens there.
        sts = self.client("sts")
        try:
            return [presigned_token(sts, cluster_name)]
        except Exception as exc:  # botocore's errors (no credentials, ...): say what and how to fix
            raise AnsibleLookupError(
                "eks_token could not sign a token for cluster %s: %s. Give AWS credentials through the "
                "environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE) or the lookup's "
                "access_key/secret_key/profile options." % (cluster_name, exc))
