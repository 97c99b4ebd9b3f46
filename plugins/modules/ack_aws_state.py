#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ack_aws_state
short_description: Read the AWS side of ACK resources, wait until Lambda settles, report drift
version_added: 0.1.0
author:
  - ackops.serverless contributors (@ackops)
description:
  - Reads, for each given AWS Controllers for Kubernetes (ACK) custom resource, the AWS resource it
    points at (from C(status.ackResourceMetadata) and C(status.uuid)), that is an SQS queue, a DynamoDB table,
    a Lambda function or a Lambda event source mapping.
  - Waits until AWS has finished what ACK started but does not follow up. The Lambda controller
    reports a Function synced while its last update is still C(InProgress), and an
    EventSourceMapping synced in any state; it looks again only at its next resync (10 hours by
    default). With O(wait), the module returns once every Function reports C(LastUpdateStatus)
    C(Successful) and every mapping is C(Enabled) (or C(Disabled) when its spec says
    C(enabled=false)).
  - Fails, naming the resource and quoting AWS, when a function update failed or a mapping ended in
    another state than its spec asks for.
  - Reports as drift, without failing, every resource the custom resource says exists but AWS does
    not have (deleted out of band). ACK would not notice before its next resync.
  - Lists, for each event source mapping, the other mappings between the same event source and
    function (RV(resources[].other_mappings)). Such a mapping (left by a retried create, where the
    service accepts it) is owned by no custom resource and consumes the queue too.
  - The module only reads; C(changed) is always V(false).
options:
  resources:
    description:
      - The custom resources, as returned by M(ackops.serverless.ack_wait) in RV(ackops.serverless.ack_wait#module:resources),
        or as resource documents (M(kubernetes.core.k8s_info) C(resources)).
      - Kinds other than C(Queue), C(Table), C(Function) and C(EventSourceMapping) are returned as
        they are, unread.
    type: list
    elements: dict
    required: true
  wait:
    description:
      - Wait until every function and mapping has settled, up to O(timeout).
      - V(false) reads once and reports.
    type: bool
    default: true
  timeout:
    description: Seconds to wait in total.
    type: int
    default: 300
  poll_interval:
    description: Seconds between two reads of a resource that is still moving (AWS has no watch).
    type: float
    default: 1
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode reads once, without waiting, and never fails on a resource that is still moving.
  - Each resource is read in the region of its C(status.ackResourceMetadata.region), else in the
    module's region.
seealso:
  - module: ackops.serverless.ack_wait
"""

EXAMPLES = r"""
- name: Wait until the pipeline's resources are synced
  ackops.serverless.ack_wait:
    namespace: pipeline
    resources:
      - {api_version: lambda.services.k8s.aws/v1alpha1, kind: Function, name: orders-writer}
      - {api_version: lambda.services.k8s.aws/v1alpha1, kind: EventSourceMapping, name: orders-writer-sqs}
  register: pipeline__synced

- name: Wait until Lambda finished the update and the mapping is enabled; find what was deleted in AWS
  ackops.serverless.ack_aws_state:
    resources: "{{ pipeline__synced.resources }}"
    timeout: 120
  register: pipeline__aws

- name: Show the drift
  ansible.builtin.debug:
    msg: "{{ pipeline__aws.drifted }}"
"""

RETURN = r"""
changed:
  description: Always V(false).
  returned: always
  type: bool
drifted:
  description: The resources (C(Kind namespace/name)) that AWS does not have although their custom
    resource says they exist.
  returned: always
  type: list
  elements: str
  sample: ["Queue pipeline/orders"]
moving:
  description: The resources still moving when the module returned (check mode, O(wait=false)).
  returned: always
  type: list
  elements: str
other_mappings:
  description: UUIDs of the mappings between the event source and the function of a given
    EventSourceMapping that are not its own (its C(status.uuid)), over all given mappings.
  returned: always
  type: list
  elements: str
  sample: ["a1b2c3d4-5678-90ab-cdef-11111EXAMPLE"]
elapsed:
  description: Seconds spent.
  returned: always
  type: float
resources:
  description: One entry per given resource.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: Kind of the custom resource.
      type: str
    name:
      description: Name of the custom resource.
      type: str
    namespace:
      description: Namespace of the custom resource.
      type: str
    key:
      description: C(Kind/name), to look entries up.
      type: str
      sample: Queue/orders
    synced:
      description: Whether the custom resource's C(ACK.ResourceSynced) condition is C(True), as given.
      type: bool
    region:
      description: Region read.
      type: str
    state:
      description: V(settled), V(moving), V(failed), V(missing) (drift) or V(unknown) (the custom
        resource has no AWS identity yet, or its kind is not read).
      type: str
    reason:
      description: What AWS said, in a sentence.
      type: str
    aws:
      description: Selected fields of the AWS answer (for example C(state), C(last_update_status),
        C(last_processing_result), C(table_status), C(queue_url)).
      type: dict
    other_mappings:
      description: For an EventSourceMapping AWS has, the UUIDs of the other mappings between the same
        event source and function; empty for other kinds.
      type: list
      elements: str
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.ackops.serverless.plugins.module_utils import ack_aws
from ansible_collections.ackops.serverless.plugins.module_utils.ack_aws_read import AwsReader, observe, outcome


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            resources=dict(type="list", elements="dict", required=True),
            wait=dict(type="bool", default=True),
            timeout=dict(type="int", default=300),
            poll_interval=dict(type="float", default=1.0),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["timeout"] <= 0 or params["poll_interval"] <= 0:
        module.fail_json(msg="timeout and poll_interval must be positive numbers of seconds, got {0} and {1}.".format(
            params["timeout"], params["poll_interval"]))
    reader = AwsReader(module.client, lambda exc, msg: module.fail_json_aws(exc, msg=msg))
    started = time.monotonic()
    wait = params["wait"] and not module.check_mode
    while True:
        entries = observe(reader, params["resources"], module.region)
        moving = [e for e in entries if e["state"] == ack_aws.MOVING]
        if not wait or not moving or time.monotonic() - started >= params["timeout"]:
            break
        time.sleep(params["poll_interval"])

    label = ack_aws.describe
    result = dict(changed=False, elapsed=round(time.monotonic() - started, 3), **outcome(entries))
    if module.check_mode:
        module.exit_json(**result)
    failed = ["{0}: {1}".format(label(e), e["reason"]) for e in entries if e["state"] == ack_aws.FAILED]
    if failed:
        module.fail_json(msg="AWS reports a failed change - " + " | ".join(failed), **result)
    if wait and moving:
        module.fail_json(msg="Timed out after {0}s waiting for AWS to settle - {1}".format(
            params["timeout"], " | ".join("{0}: {1}".format(label(e), e["reason"]) for e in moving)), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
