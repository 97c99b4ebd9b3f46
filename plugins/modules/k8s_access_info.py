#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: k8s_access_info
short_description: Check which of a set of RBAC rules the current Kubernetes credentials hold
version_added: 0.1.0
author:
  - ackops.serverless contributors (@ackops)
description:
  - Asks the API server, with one C(SelfSubjectAccessReview) per verb, resource and name, whether the
    credentials the module connects with may do what the given RBAC rules allow, and returns what is
    allowed and what is denied, each denied permission named the way C(kubectl auth can-i) does.
  - Also returns who the API server takes the credentials for (C(SelfSubjectReview), Kubernetes 1.28 and later).
  - Meant to run first in a job, so that a job with too little access fails before it changes anything,
    naming the missing permission. The access reviews change nothing; C(changed) is always V(false).
  - Connection and authentication options are those of M(kubernetes.core.k8s), so C(module_defaults) for the
    C(group/ackops.serverless.k8s) action group apply, and the C(K8S_AUTH_*) environment variables work.
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
options:
  rules:
    description:
      - RBAC policy rules, in the form of a Role's C(rules) (camelCase keys are accepted too).
    type: list
    elements: dict
    required: true
    suboptions:
      api_groups:
        description: API groups; V("") is the core group.
        type: list
        elements: str
        default: [""]
        aliases: [apiGroups]
      resources:
        description: Resources (plural names), optionally with a subresource, for example V(queues/status).
        type: list
        elements: str
        required: true
      verbs:
        description: Verbs, for example V(get) or V(create).
        type: list
        elements: str
        required: true
      resource_names:
        description: Limit the check to these object names.
        type: list
        elements: str
        aliases: [resourceNames]
      namespace:
        description:
          - Namespace this rule applies in, instead of O(namespace); lets one call check a ClusterRole's
            rules and a Role's together.
        type: str
  namespace:
    description:
      - Namespace the rules apply in (as a Role's would). Omitted, the rules are checked cluster-wide
        (as a ClusterRole bound by a ClusterRoleBinding).
    type: str
notes:
  - A denied check names what to grant; a rule with C(*) checks the wildcard itself, which only a
    rule with the same wildcard (or cluster-admin) allows.
requirements:
  - python >= 3.9
  - kubernetes >= 24.2.0
seealso:
  - module: kubernetes.core.k8s_info
"""

EXAMPLES = r"""
- name: Check the credentials may install a controller chart
  ackops.serverless.k8s_access_info:
    rules:
      - api_groups: [apiextensions.k8s.io]
        resources: [customresourcedefinitions]
        verbs: [get, create, patch]
  register: access

- name: Fail early, naming what is missing
  ansible.builtin.assert:
    that: access.denied | length == 0
    fail_msg: "{{ access.user.username | default('these credentials') }} may not {{ access.denied | map(attribute='permission') | join(', ') }}"
"""

RETURN = r"""
user:
  description: Who the API server takes the credentials for; empty when the server has no SelfSubjectReview.
  returned: always
  type: dict
  sample: {username: "system:serviceaccount:ackops:ackops-pipeline", groups: ["system:serviceaccounts", "system:authenticated"]}
checked:
  description: Number of access reviews made.
  returned: always
  type: int
  sample: 28
allowed:
  description: The permissions that are allowed, named like C(create queues.sqs.services.k8s.aws in namespace default).
  returned: always
  type: list
  elements: str
denied:
  description: The permissions that are denied.
  returned: always
  type: list
  elements: dict
  contains:
    permission:
      description: The permission, named like C(create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)).
      type: str
    verb:
      description: The verb.
      type: str
    group:
      description: The API group (V("") for the core group).
      type: str
    resource:
      description: The resource.
      type: str
    subresource:
      description: The subresource, when the rule named one.
      type: str
    name:
      description: The object name, when the rule named resource names.
      type: str
    namespace:
      description: The namespace; absent for a cluster-wide check.
      type: str
    reason:
      description: The authorizer's reason, when it gave one.
      type: str
denied_summary:
  description: The denied permissions grouped by resource and scope, one line each.
  returned: always
  type: list
  elements: str
  sample: ["customresourcedefinitions.apiextensions.k8s.io (cluster-wide): get, list, create"]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import (
    AUTH_ARG_SPEC,
)
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import (
    get_api_client,
)
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import (
    AnsibleK8SModule,
)
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import (
    CoreException,
)
from ansible_collections.ackops.serverless.plugins.module_utils.k8s_access import (
    AccessReviewError,
    review_access,
    unreachable,
)


def argument_spec():
    spec = dict(
        rules=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                api_groups=dict(type="list", elements="str", default=[""], aliases=["apiGroups"]),
                resources=dict(type="list", elements="str", required=True),
                verbs=dict(type="list", elements="str", required=True),
                resource_names=dict(type="list", elements="str", aliases=["resourceNames"]),
                namespace=dict(type="str"),
            ),
        ),
        namespace=dict(type="str"),
    )
    spec.update(AUTH_ARG_SPEC)
    return spec


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argument_spec(), supports_check_mode=True)
    try:
        client = get_api_client(module)
    except CoreException as exc:
        module.fail_from_exception(exc)
        return
    except Exception as exc:  # the client asks the server for its version: unreachable, TLS refused
        module.fail_json(msg=unreachable(exc))
        return
    try:
        module.exit_json(changed=False, **review_access(client, module.params["rules"], module.params["namespace"]))
    except CoreException as exc:
        module.fail_from_exception(exc)
    except (AccessReviewError, ValueError) as exc:
        module.fail_json(msg=str(exc))
    except Exception as exc:  # unexpected: keep the traceback for -vvv
        module.fail_json(msg="k8s_access_info failed: {0}".format(exc), exception=traceback.format_exc())


if __name__ == "__main__":
    main()
