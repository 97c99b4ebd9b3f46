#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_oidc_provider
short_description: Manage the IAM OIDC identity provider of an EKS cluster (IRSA)
version_added: 0.1.0
description:
  - Reads the OpenID Connect issuer of an EKS cluster with C(eks:DescribeCluster) and makes sure the
    matching IAM OIDC identity provider exists (O(state=present)) or is removed (O(state=absent)).
    M(ackops.serverless.eks_oidc_provider_info) only reads it.
  - This is what C(eksctl utils associate-iam-oidc-provider --approve) does; it is the prerequisite of
    IAM roles for service accounts (IRSA).
  - "Thumbprints: IAM no longer uses the thumbprint to validate the EKS OIDC issuers (it trusts the
    issuer's certificate through its own library of root certificate authorities), and the
    C(ThumbprintList) of C(CreateOpenIDConnectProvider) is optional. So by default the module sends no
    thumbprint and never computes one (that would need a TLS connection to the issuer from the
    controller). Pass O(thumbprints) to set them explicitly, for example in partitions or tools that
    still want one."
  - An existing provider is shared by every IRSA user of the cluster, so the module only adds missing
    client IDs (audiences) and never removes client IDs that others may rely on.
author:
  - ackops.serverless contributors (@ackops)
options:
  cluster_name:
    description:
      - Name of the EKS cluster whose OIDC issuer is used.
    type: str
    required: true
  state:
    description:
      - V(present) creates the provider if it does not exist and adds missing client IDs, thumbprints and tags.
      - V(absent) deletes the provider of the cluster's issuer if it exists.
    type: str
    choices: [present, absent]
    default: present
  client_ids:
    description:
      - Client IDs (audiences) the provider must accept. IRSA needs V(sts.amazonaws.com).
      - Missing client IDs are added to an existing provider; extra ones are kept.
    type: list
    elements: str
    default: [sts.amazonaws.com]
  thumbprints:
    description:
      - SHA-1 thumbprints (40 hex characters) of the issuer's certificate chain.
      - When omitted, a new provider is created without thumbprints and the thumbprints of an existing
        provider are left alone. When given, they replace the thumbprints of the provider if they differ
        (order does not matter).
    type: list
    elements: str
  tags:
    description:
      - Tags to set on the provider.
    type: dict
  purge_tags:
    description:
      - Remove tags of the provider that are not in O(tags). Off by default because the provider is shared.
      - Only used when O(tags) is given.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode.
  - Errors for a missing cluster, a wrong region or missing credentials say what to check.
"""

EXAMPLES = r"""
- name: Associate the IAM OIDC provider with the cluster (like eksctl utils associate-iam-oidc-provider)
  ackops.serverless.eks_oidc_provider:
    cluster_name: my-cluster
    tags:
      owner: platform
  register: oidc

- name: Use the provider in a trust policy
  ansible.builtin.debug:
    msg: "{{ oidc.arn }} trusts tokens of {{ oidc.issuer_host_path }}"

- name: Remove the provider (it is shared by every IRSA role of the cluster)
  ackops.serverless.eks_oidc_provider:
    cluster_name: my-cluster
    state: absent
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
  description: Whether the provider exists after the module ran (in check mode, whether it would exist).
  returned: always
  type: bool
  sample: true
arn:
  description:
    - ARN of the provider. Empty when it does not exist.
    - In check mode, when the provider would be created, the ARN it would get.
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
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import fail_with_advice
from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import lookup
from ansible_collections.ackops.serverless.plugins.module_utils.eks_oidc import result_view


def validate_params(module):
    for thumbprint in module.params["thumbprints"] or []:
        if len(thumbprint) != 40 or any(c not in "0123456789abcdefABCDEF" for c in thumbprint):
            module.fail_json(
                msg=(
                    "thumbprints: '{0}' is not a SHA-1 thumbprint (40 hexadecimal characters); "
                    "omit thumbprints to let IAM validate the EKS issuer itself".format(thumbprint)
                )
            )
    for client_id in module.params["client_ids"]:
        if not client_id or len(client_id) > 255:
            module.fail_json(msg="client_ids: every client ID must be 1 to 255 characters long, got '{0}'".format(client_id))


@IAMErrorHandler.common_error_handler("create the IAM OIDC provider (needs iam:CreateOpenIDConnectProvider)")
def create_provider(iam, request):
    return iam.create_open_id_connect_provider(aws_retry=True, **request)["OpenIDConnectProviderArn"]


@IAMErrorHandler.common_error_handler("add a client ID to the IAM OIDC provider")
def add_client_ids(iam, arn, client_ids):
    for client_id in client_ids:
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id, aws_retry=True)


@IAMErrorHandler.common_error_handler("update the thumbprints of the IAM OIDC provider")
def set_thumbprints(iam, arn, thumbprints):
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=thumbprints, aws_retry=True)


@IAMErrorHandler.common_error_handler("update the tags of the IAM OIDC provider")
def update_tags(iam, arn, to_set, to_remove):
    if to_remove:
        iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=to_remove, aws_retry=True)
    if to_set:
        iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_set), aws_retry=True)


@IAMErrorHandler.deletion_error_handler("delete the IAM OIDC provider")
def delete_provider(iam, arn):
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn, aws_retry=True)
    return True


def ensure_present(module, iam, host_path, issuer, current):
    """Create or update the provider. Returns (changed, provider)."""
    wanted_client_ids = sorted(set(module.params["client_ids"]))
    wanted_thumbprints = module.params["thumbprints"]
    wanted_tags = module.params["tags"]

    if current is None:
        provider = dict(
            arn="",
            client_ids=wanted_client_ids,
            thumbprints=sorted(set(t.lower() for t in wanted_thumbprints or [])),
            tags=dict(wanted_tags or {}),
        )
        if module.check_mode:
            # The ARN it would get, in the caller's partition (aws, aws-cn, aws-us-gov).
            account_id, partition = get_aws_account_info(module)
            provider["arn"] = "arn:{0}:iam::{1}:oidc-provider/{2}".format(partition, account_id, host_path)
            return True, provider
        request = dict(Url=issuer, ClientIDList=wanted_client_ids)
        if wanted_thumbprints:
            request["ThumbprintList"] = provider["thumbprints"]
        if wanted_tags:
            request["Tags"] = ansible_dict_to_boto3_tag_list(wanted_tags)
        provider["arn"] = create_provider(iam, request)
        return True, provider

    changed = False
    arn = current["arn"]
    provider = dict(current)

    missing_client_ids = [c for c in wanted_client_ids if c not in current["client_ids"]]
    if missing_client_ids:
        changed = True
        provider["client_ids"] = sorted(current["client_ids"] + missing_client_ids)
        if not module.check_mode:
            add_client_ids(iam, arn, missing_client_ids)

    if wanted_thumbprints is not None:
        thumbprints = sorted(set(t.lower() for t in wanted_thumbprints))
        if thumbprints != sorted(t.lower() for t in current["thumbprints"]):
            changed = True
            provider["thumbprints"] = thumbprints
            if not module.check_mode:
                set_thumbprints(iam, arn, thumbprints)

    if wanted_tags is not None:
        to_set, to_remove = compare_aws_tags(current["tags"], wanted_tags, purge_tags=module.params["purge_tags"])
        if to_set or to_remove:
            changed = True
            tags = dict(current["tags"])
            tags.update(to_set)
            for key in to_remove:
                tags.pop(key, None)
            provider["tags"] = tags
            if not module.check_mode:
                update_tags(iam, arn, to_set, to_remove)

    return changed, provider


def ensure_absent(module, iam, current):
    if current is None:
        return False
    if module.check_mode:
        return True
    return delete_provider(iam, current["arn"])


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        client_ids=dict(type="list", elements="str", default=["sts.amazonaws.com"]),
        thumbprints=dict(type="list", elements="str"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate_params(module)

    retry = AWSRetry.jittered_backoff()
    eks = module.client("eks", retry_decorator=retry)
    iam = module.client("iam", retry_decorator=retry)

    try:
        issuer, host_path, current = lookup(module, eks, iam)
        if module.params["state"] == "present":
            changed, after = ensure_present(module, iam, host_path, issuer, current)
        else:
            changed, after = ensure_absent(module, iam, current), None
    except AnsibleAWSError as e:
        fail_with_advice(module, e)

    result = dict(changed=changed, cluster_name=module.params["cluster_name"], issuer=issuer, issuer_host_path=host_path)
    result.update(result_view(after))
    if module._diff:
        result["diff"] = dict(before=result_view(current), after=result_view(after))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
