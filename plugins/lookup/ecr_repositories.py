# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ecr_repositories
author:
  - ackops.serverless contributors (@ackops)
short_description: Read ECR repositories as ECR describes them, without a module run
version_added: 1.0.0
description:
  - For each repository name, the repository as ECR's C(DescribeRepositories) returns it (the C(repository) that
    M(community.aws.ecs_ecr) returns), or an empty dictionary when it does not exist.
  - Lets a role compare what exists with what it wants, and run M(community.aws.ecs_ecr) only when they differ.
  - The credentials need C(ecr:DescribeRepositories) on the repositories.
options:
  _terms:
    description: Names of the repositories.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Create the repository only when it is missing or its settings differ
  community.aws.ecs_ecr:
    name: my-function
    scan_on_push: true
    state: present
  when: (repository | length == 0) or not repository.imageScanningConfiguration.scanOnPush
  vars:
    repository: "{{ lookup('ackops.serverless.ecr_repositories', 'my-function', region='eu-west-1') }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary per name, in the order given, with ECR's own keys (C(repositoryName), C(repositoryUri),
      C(registryId), C(imageTagMutability), C(imageScanningConfiguration), ...); V({}) for a missing repository.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase


def read_repository(client, name):
    """The repository as ECR describes it; {} when it does not exist."""
    try:
        found = client.describe_repositories(repositoryNames=[name], aws_retry=True)["repositories"]
    except is_boto3_error_code("RepositoryNotFoundException"):
        return {}
    return found[0] if found else {}


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        super(LookupModule, self).run(terms, variables, **kwargs)
        names = [str(term) for term in terms]
        if not names or not all(names):
            raise AnsibleLookupError("ecr_repositories needs repository names; none, or an empty one, was given")
        client = self.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
        try:
            return [read_repository(client, name) for name in names]
        except Exception as exc:  # botocore's errors: refused, unreachable, no credentials
            raise AnsibleLookupError(
                "ecr_repositories could not read the ECR repositories %s: %s. The credentials need "
                "ecr:DescribeRepositories on them; check the region and endpoint." % (", ".join(names), exc))
