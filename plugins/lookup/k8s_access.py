# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: k8s_access
author:
  - ackops.serverless contributors (@ackops)
short_description: Check which of a set of RBAC rules the current Kubernetes credentials hold, without a module run
version_added: 1.0.0
description:
  - What M(ackops.serverless.k8s_access_info) returns, asked from Ansible's own process, with one
    C(SelfSubjectAccessReview) per verb, resource and name of the rules, a few at a time, and a
    C(SelfSubjectReview) for who the credentials are.
  - A job that checks its permissions first does so on every run; as a lookup the check costs no module run.
  - Connection and authentication options are those of the P(kubernetes.core.k8s#lookup) lookup
    (O(kubeconfig), O(context), O(host), O(api_key), O(ca_cert), O(validate_certs), ...), passed as keyword
    arguments; unset, the C(K8S_AUTH_*) environment variables and C(KUBECONFIG) apply.
options:
  rules:
    description:
      - RBAC policy rules, in the form of a Role's C(rules) (C(api_groups), C(resources), C(verbs),
        C(resource_names), C(namespace); camelCase keys are accepted too). C(api_groups) defaults to the core group.
    type: list
    elements: dict
    required: true
  namespace:
    description:
      - Namespace the rules apply in (as a Role's would). Omitted, the rules are checked cluster-wide.
    type: str
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
notes:
  - Use it with C(query), or C(lookup) with C(wantlist=true); it returns one dictionary.
requirements:
  - python >= 3.9
  - kubernetes >= 24.2.0
seealso:
  - module: ackops.serverless.k8s_access_info
"""

EXAMPLES = r"""
- name: Fail early, naming what is missing
  ansible.builtin.assert:
    that: access.denied | length == 0
    fail_msg: "{{ access.user.username | default('these credentials') }} may not {{ access.denied_summary | join('; ') }}"
  vars:
    access: >-
      {{ query('ackops.serverless.k8s_access', rules=[{'api_groups': ['apiextensions.k8s.io'],
               'resources': ['customresourcedefinitions'], 'verbs': ['get', 'create', 'patch']}]) | first }}
"""

RETURN = r"""
_raw:
  description:
    - One dictionary with the keys M(ackops.serverless.k8s_access_info) returns - C(user), C(checked), C(allowed),
      C(denied) and C(denied_summary) - and no C(changed).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.ackops.serverless.plugins.module_utils.k8s_access import (
    AccessReviewError,
    review_access,
    unreachable,
)

IMPORT_ERROR = None
try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
except ImportError as exc:  # kubernetes.core needs the kubernetes Python client
    get_api_client = None
    IMPORT_ERROR = exc


class LookupModule(LookupBase):
    def run(self, terms, variables=None, rules=None, namespace=None, **auth):
        if get_api_client is None:
            raise AnsibleLookupError("k8s_access needs the kubernetes Python client (pip install kubernetes): {0}".format(IMPORT_ERROR))
        if terms:
            raise AnsibleLookupError("k8s_access takes no terms: pass rules=[...] (and namespace=...) as keyword arguments")
        if not rules or not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
            raise AnsibleLookupError("k8s_access needs rules: a non-empty list of RBAC rules (dicts with resources and verbs)")
        try:
            client = get_api_client(**auth)
        except Exception as exc:  # bad kubeconfig, the server's version not readable: unreachable or refused
            raise AnsibleLookupError(unreachable(exc))
        try:
            return [review_access(client, rules, namespace)]
        except (AccessReviewError, ValueError) as exc:
            raise AnsibleLookupError(str(exc))
