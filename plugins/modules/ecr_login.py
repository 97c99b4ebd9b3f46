#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ecr_login
short_description: Get a registry login for Amazon ECR
version_added: 0.1.0
description:
  - Calls C(GetAuthorizationToken) and returns the registry host, user name and password that
    C(docker login) or C(crane) need to push to and pull from a private ECR registry (what
    C(aws ecr get-login-password) prints).
  - "The password is a secret valid for 12 hours: set C(no_log: true) on the task."
  - Read-only; never changes anything. amazon.aws and community.aws have no such module.
author:
  - ackops.serverless contributors (@ackops)
options:
  registry_ids:
    description:
      - Account ids of the registries; the caller's registry when omitted.
    type: list
    elements: str
notes:
  - Supports check mode (it only reads; the token is fetched in check mode too).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Get an ECR login
  ackops.serverless.ecr_login:
  register: ecr
  no_log: true

- name: Log Docker in with it
  community.docker.docker_login:
    registry_url: "{{ ecr.registry }}"
    username: "{{ ecr.username }}"
    password: "{{ ecr.password }}"
  no_log: true
"""

RETURN = r"""
registry:
  description: Registry host name of the first registry, without scheme.
  returned: always
  type: str
  sample: 123456789012.dkr.ecr.us-east-1.amazonaws.com
username:
  description: User name to log in with.
  returned: always
  type: str
  sample: AWS
password:
  description: Password to log in with (secret).
  returned: always
  type: str
  sample: eyJwYXlsb2FkIjoi...
authorization_token:
  description: The token as ECR returns it, base64 of C(username:password), usable as C(auth) in a Docker config file (secret).
  returned: always
  type: str
  sample: QVdTOmV5SndZWGxz...
expires_at:
  description: When the token expires, ISO 8601.
  returned: always
  type: str
  sample: "2026-11-26T04:53:00+00:00"
registries:
  description: One entry per registry asked for.
  returned: always
  type: list
  elements: dict
  contains:
    registry:
      description: Registry host name.
      type: str
      sample: 123456789012.dkr.ecr.us-east-1.amazonaws.com
    proxy_endpoint:
      description: Registry URL as ECR returns it.
      type: str
      sample: https://123456789012.dkr.ecr.us-east-1.amazonaws.com
    expires_at:
      description: When the token expires, ISO 8601.
      type: str
      sample: "2026-11-26T04:53:00+00:00"
"""

import base64
import binascii

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def split_token(token):
    """ECR tokens are base64('AWS:<password>'); return (username, password)."""
    try:
        decoded = base64.b64decode(token).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("ECR returned an authorization token that is not base64 text")
    username, sep, password = decoded.partition(":")
    if not sep:
        raise ValueError("ECR returned an authorization token without a 'user:password' pair")
    return username, password


def host_of(endpoint):
    return endpoint.split("://", 1)[-1].rstrip("/")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(registry_ids=dict(type="list", elements="str")),
        supports_check_mode=True,
    )
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    request = {}
    if module.params["registry_ids"]:
        request["registryIds"] = module.params["registry_ids"]
    try:
        data = client.get_authorization_token(aws_retry=True, **request)["authorizationData"]
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg="Could not get an ECR authorization token: the credentials need ecr:GetAuthorizationToken")
    if not data:
        module.fail_json(msg="ECR returned no authorization data")
    first = data[0]
    try:
        username, password = split_token(first["authorizationToken"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    registries = [
        dict(
            registry=host_of(entry["proxyEndpoint"]),
            proxy_endpoint=entry["proxyEndpoint"],
            expires_at=entry["expiresAt"].isoformat() if hasattr(entry["expiresAt"], "isoformat") else str(entry["expiresAt"]),
        )
        for entry in data
    ]
    module.exit_json(
        changed=False,
        registry=registries[0]["registry"],
        username=username,
        password=password,
        authorization_token=first["authorizationToken"],
        expires_at=registries[0]["expires_at"],
        registries=registries,
    )


if __name__ == "__main__":
    main()
