#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_cluster_info
short_description: Read an EKS cluster, its managed node groups and its Fargate profiles
version_added: 0.1.0
description:
  - Describes an EKS cluster with C(eks:DescribeCluster) and lists the names of its managed node groups
    (C(eks:ListNodegroups)) and Fargate profiles (C(eks:ListFargateProfiles)).
  - A cluster that does not exist is not an error; RV(exists) is then false. This lets a playbook decide
    what to create or delete, also in check mode.
  - Never changes anything. C(community.aws.eks_cluster) creates and deletes clusters.
author:
  - ackops.serverless contributors (@ackops)
options:
  name:
    description:
      - Name of the EKS cluster.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Errors for missing credentials or permissions say what to check.
"""

EXAMPLES = r"""
- name: Read the cluster
  ackops.serverless.eks_cluster_info:
    name: my-cluster
  register: eks

- name: Show where its API server is
  ansible.builtin.debug:
    msg: "{{ eks.cluster.endpoint }} ({{ eks.cluster.status }}), node groups {{ eks.nodegroups | join(', ') }}"
  when: eks.exists
"""

RETURN = r"""
exists:
  description: Whether the cluster exists.
  returned: always
  type: bool
  sample: true
cluster:
  description:
    - The cluster as C(DescribeCluster) returns it, with snake_case keys (tags keep their own keys).
    - Empty when the cluster does not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the cluster.
      type: str
      sample: arn:aws:eks:us-east-1:123456789012:cluster/my-cluster
    status:
      description: C(CREATING), C(ACTIVE), C(DELETING), C(FAILED), C(UPDATING) or C(PENDING).
      type: str
      sample: ACTIVE
    endpoint:
      description: URL of the Kubernetes API server (set once the cluster is ACTIVE).
      type: str
      sample: https://EXAMPLE0123456789.gr7.us-east-1.eks.amazonaws.com
    certificate_authority:
      description: C(data) holds the base64 encoded certificate of the cluster's CA.
      type: dict
    identity:
      description: C(oidc.issuer) holds the cluster's OpenID Connect issuer URL (used for IRSA).
      type: dict
    version:
      description: Kubernetes version.
      type: str
      sample: "1.34"
    role_arn:
      description: IAM role of the control plane.
      type: str
    resources_vpc_config:
      description: Subnets, security groups and VPC of the cluster.
      type: dict
    tags:
      description: Tags of the cluster.
      type: dict
  sample: {}
nodegroups:
  description: Names of the cluster's managed node groups (empty when the cluster does not exist).
  returned: always
  type: list
  elements: str
  sample: [my-cluster-nodes]
fargate_profiles:
  description: Names of the cluster's Fargate profiles (empty when the cluster does not exist).
  returned: always
  type: list
  elements: str
  sample: []
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import CREDENTIAL_ERROR_CODES
from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import CREDENTIAL_HINT


@AWSRetry.jittered_backoff()
def _list_all(client, operation, key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result().get(key, [])


def describe(module, eks):
    """The cluster, or None when it does not exist; fails with a message that says what to do."""
    name = module.params["name"]
    try:
        return eks.describe_cluster(name=name, aws_retry=True)["cluster"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except is_boto3_error_code(CREDENTIAL_ERROR_CODES) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="AWS rejected the credentials used to describe EKS cluster '{0}': {1}".format(name, CREDENTIAL_HINT))
    except is_boto3_error_code("AccessDeniedException") as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Not allowed to describe EKS cluster '{0}': grant eks:DescribeCluster to the caller".format(name))
    except botocore.exceptions.NoCredentialsError as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="No AWS credentials found: {0}".format(CREDENTIAL_HINT))
    except botocore.exceptions.EndpointConnectionError as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Cannot reach the EKS endpoint of region {0}: check the region and the endpoint URL".format(module.region))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to describe EKS cluster '{0}'".format(name))


def list_children(module, eks):
    """Names of the cluster's node groups and Fargate profiles."""
    name = module.params["name"]
    try:
        nodegroups = _list_all(eks, "list_nodegroups", "nodegroups", clusterName=name)
        profiles = _list_all(eks, "list_fargate_profiles", "fargateProfileNames", clusterName=name)
    except is_boto3_error_code("AccessDeniedException") as e:
        module.fail_json_aws(
            e, msg="Not allowed to list the node groups or Fargate profiles of '{0}': grant eks:ListNodegroups "
            "and eks:ListFargateProfiles to the caller".format(name)
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to list the node groups and Fargate profiles of EKS cluster '{0}'".format(name))
    return sorted(nodegroups), sorted(profiles)


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    eks = module.client("eks", retry_decorator=AWSRetry.jittered_backoff())
    cluster = describe(module, eks)
    if cluster is None:
        module.exit_json(changed=False, exists=False, cluster={}, nodegroups=[], fargate_profiles=[])
    nodegroups, profiles = list_children(module, eks)
    view = camel_dict_to_snake_dict(cluster, ignore_list=["tags"])
    module.exit_json(changed=False, exists=True, cluster=view, nodegroups=nodegroups, fargate_profiles=profiles)


if __name__ == "__main__":
    main()
