# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: iam_roles
author:
  - ackops.serverless contributors (@ackops)
short_description: Read IAM roles and the documents of their inline policies, in the controller's process
version_added: 1.0.0
description:
  - Returns one entry per role name, in the order given. A role that exists is described as
    M(amazon.aws.iam_role_info) describes it (C(assume_role_policy_document), C(description), C(path), C(tags),
    C(managed_policies), C(inline_policies) and the rest), plus C(inline_policy_documents), the document of each
    inline policy by name. A role that does not exist gives an empty dictionary.
  - Made for the read before an ensure. It runs in the Ansible controller's process, with no module to start for
    each role, so a role can compare what it reads with what it wants and pass to M(amazon.aws.iam_role) and
    M(amazon.aws.iam_policy) only what differs. Those modules still make, and judge, every change.
  - Needs C(iam:GetRole), C(iam:ListAttachedRolePolicies), C(iam:ListRolePolicies) and C(iam:GetRolePolicy) on the
    roles.
  - Lookups take no C(module_defaults). Pass the region, endpoint and credentials as options, or leave them to
    the environment (C(AWS_REGION), C(AWS_PROFILE), C(AWS_ACCESS_KEY_ID), ...).
options:
  _terms:
    description: Names of the IAM roles to read.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Read two roles, then ensure only the one whose trust policy differs
  vars:
    wanted_trust: "{{ lookup('ansible.builtin.file', 'trust.json') | from_json }}"
    live: "{{ query('ackops.serverless.iam_roles', 'app-a', 'app-b', region='eu-west-1') }}"
  amazon.aws.iam_role:
    name: "{{ item.role_name }}"
    assume_role_policy_document: "{{ wanted_trust | to_json }}"
  loop: "{{ live | selectattr('assume_role_policy_document', 'defined')
            | rejectattr('assume_role_policy_document', 'equalto', wanted_trust) }}"
"""

RETURN = r"""
_raw:
  description:
    - One entry per name given, in order. Empty for a role that does not exist.
    - The keys of M(amazon.aws.iam_role_info)'s C(iam_roles) entries, plus C(inline_policy_documents).
  type: list
  elements: dict
  contains:
    role_name:
      description: The role's name.
      type: str
    assume_role_policy_document:
      description: The trust policy, as a dictionary.
      type: dict
    tags:
      description: The role's tags, as a dictionary.
      type: dict
    managed_policies:
      description: The attached managed policies (C(policy_name), C(policy_arn)).
      type: list
      elements: dict
    inline_policies:
      description: The names of the inline policies.
      type: list
      elements: str
    inline_policy_documents:
      description: The document of each inline policy, by policy name.
      type: dict
"""

import concurrent.futures

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_role_attached_policies
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_role_policies
from ansible_collections.amazon.aws.plugins.module_utils.iam import normalize_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

# Roles read at once: each takes three calls or more, one after another.
ROLES_AT_ONCE = 4
PERMISSIONS = "iam:GetRole, iam:ListAttachedRolePolicies, iam:ListRolePolicies and iam:GetRolePolicy"


@IAMErrorHandler.list_error_handler("get role policy")
@AWSRetry.jittered_backoff()
def get_iam_role_policy(client, role_name, policy_name):
    """The document of one inline policy (botocore decodes it to a dictionary); None when it is gone."""
    return client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]


def read_role(client, name):
    """One role as amazon.aws.iam_role_info describes it, plus its inline policies' documents; {} when missing."""
    role = get_iam_role(client, name)
    if role is None:
        return {}
    role["ManagedPolicies"] = list_iam_role_attached_policies(client, name)
    inline = list_iam_role_policies(client, name)
    role["InlinePolicies"] = inline
    described = normalize_iam_role(role)
    # Policy names are keys the caller chose: kept as they are, outside the snake_case conversion.
    documents = {policy: get_iam_role_policy(client, name, policy) for policy in inline}
    described["inline_policy_documents"] = {policy: doc for policy, doc in documents.items() if doc is not None}
    return described


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        super(LookupModule, self).run(terms, variables, **kwargs)
        names = [str(term) for term in terms]
        if not all(names):
            raise AnsibleLookupError("iam_roles needs role names; an empty name was given")
        client = self.client("iam")  # the amazon.aws helpers retry each call themselves
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=min(ROLES_AT_ONCE, max(len(names), 1))) as pool:
                return list(pool.map(lambda name: read_role(client, name), names))
        except AnsibleAWSError as exc:
            raise AnsibleLookupError(
                "iam_roles could not read the IAM roles %s: %s. The credentials need %s on them."
                % (", ".join(names), exc, PERMISSIONS))
