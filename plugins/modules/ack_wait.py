#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ack_wait
short_description: Wait until AWS Controllers for Kubernetes (ACK) resources are synced or gone
version_added: 0.1.0
author:
  - ackops.serverless contributors (@ackops)
description:
  - Waits, event-driven through the Kubernetes watch API, until one or many ACK custom resources
    report C(ACK.ResourceSynced=True) (and C(Ready=True) where the controller publishes C(Ready)),
    or, with O(state=absent), until they are gone (the controller removed its finalizer).
  - Fails at once, naming the resource and quoting the condition message, when a resource has
    C(ACK.Terminal=True), because ACK does not retry a terminal error until the spec changes.
  - On timeout, reports for every resource not done its conditions and the latest
    C(ACK.Recoverable) / C(ACK.ReferencesResolved) message.
  - Never returns on a stale condition. ACK publishes no C(observedGeneration), but its runtime
    stamps every condition with the current time on every reconcile and reconciles on every spec
    change, so a condition older than the last spec change is ignored. The change time is taken
    from O(since) when given, otherwise from the resource's C(metadata.managedFields).
  - Watches resume from the last seen C(resourceVersion) when the server ends a watch or the
    connection drops, and re-list after C(410 Gone).
  - Connection and authentication options are those of M(kubernetes.core.k8s), so
    C(module_defaults) for the C(group/ackops.serverless.k8s) action group apply.
  - The module only reads; C(changed) is always V(false).
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
options:
  api_version:
    description:
      - API version of the resource(s), for example V(sqs.services.k8s.aws/v1alpha1).
      - Required with O(name) or O(label_selectors).
    type: str
    aliases: [apiVersion]
  kind:
    description:
      - Kind of the resource(s), for example V(Queue).
      - Required with O(name) or O(label_selectors).
    type: str
  name:
    description:
      - Name of one resource to wait for.
    type: str
  namespace:
    description:
      - Namespace of the resource(s). Also the default namespace of O(resources) entries.
      - With O(label_selectors) and no namespace, all namespaces are watched.
    type: str
  resources:
    description:
      - Several resources, possibly of different kinds, to wait for together.
    type: list
    elements: dict
    suboptions:
      api_version:
        description: API version of the resource.
        type: str
        required: true
        aliases: [apiVersion]
      kind:
        description: Kind of the resource.
        type: str
        required: true
      name:
        description: Name of the resource.
        type: str
        required: true
      namespace:
        description: Namespace of the resource; defaults to O(namespace).
        type: str
  label_selectors:
    description:
      - Wait for every resource of O(kind) matching all these label selectors
        (for example V(app.kubernetes.io/part-of=pipeline)).
      - Resources that start matching while waiting are waited for too.
    type: list
    elements: str
  state:
    description:
      - V(synced) waits for C(ACK.ResourceSynced=True) (and C(Ready=True) when present).
      - V(absent) waits until the resources no longer exist, for ordered teardown. It does not
        delete anything; a resource without C(deletionTimestamp) is reported as not being deleted.
    type: str
    choices: [synced, absent]
    default: synced
  timeout:
    description:
      - Seconds to wait in total before failing with a per-resource report.
    type: int
    default: 300
  quiet_period:
    description:
      - Seconds the done state must hold, with no resource going back, before the module returns.
    type: float
    default: 0
  since:
    description:
      - The registered result of the task that created or changed the resource(s), usually
        M(kubernetes.core.k8s) (a single result, a looped result with C(results), or a resource
        document). For each resource it reports as changed, conditions present in that result
        (they predate the change) and conditions older than the change do not count.
      - Without it the change time is detected from C(metadata.managedFields), which cannot tell
        apart a condition written in the same second as the change (timestamps have 1-second
        resolution); passing O(since) removes that ambiguity.
    type: raw
  watch_timeout:
    description:
      - Seconds the API server keeps one watch request open (C(timeoutSeconds)) before the module
        resumes it from the last seen C(resourceVersion). Lower it when a proxy or load balancer
        cuts idle connections.
    type: int
    default: 290
notes:
  - Check mode evaluates the current state once, without waiting and without failing on pending or
    terminal resources (the task that would have changed them did not run either); it returns what
    it would wait for, with RV(resources[].done) and RV(pending).
  - A named resource that does not exist with O(state=synced), or a selector matching nothing,
    fails at once instead of waiting for the timeout.
  - On real EKS the resources are reconciled by the ACK controllers; in the project sandbox by
    stand-in controllers that publish the same conditions.
requirements:
  - python >= 3.9
  - kubernetes >= 24.2.0
seealso:
  - module: kubernetes.core.k8s
  - module: kubernetes.core.k8s_info
"""

EXAMPLES = r"""
- name: Create the queue
  kubernetes.core.k8s:
    state: present
    definition: "{{ lookup('ansible.builtin.template', 'queue.yaml.j2') }}"
  register: pipeline__queue

- name: Wait until the queue is synced (ignoring conditions older than this change)
  ackops.serverless.ack_wait:
    api_version: sqs.services.k8s.aws/v1alpha1
    kind: Queue
    name: orders
    namespace: pipeline
    since: "{{ pipeline__queue }}"
    timeout: 180
  register: pipeline__queue_wait

- name: Use the queue URL
  ansible.builtin.debug:
    msg: "{{ pipeline__queue_wait.resources[0].queue_url }}"

- name: Wait for several resources of different kinds at once
  ackops.serverless.ack_wait:
    namespace: pipeline
    resources:
      - api_version: dynamodb.services.k8s.aws/v1alpha1
        kind: Table
        name: orders
      - api_version: lambda.services.k8s.aws/v1alpha1
        kind: Function
        name: orders-writer
    quiet_period: 2

- name: Wait for every queue of the pipeline, selected by label
  ackops.serverless.ack_wait:
    api_version: sqs.services.k8s.aws/v1alpha1
    kind: Queue
    namespace: pipeline
    label_selectors:
      - app.kubernetes.io/part-of=pipeline

- name: Ordered teardown - wait until the controller has deleted the function
  ackops.serverless.ack_wait:
    api_version: lambda.services.k8s.aws/v1alpha1
    kind: Function
    name: orders-writer
    namespace: pipeline
    state: absent
"""

RETURN = r"""
changed:
  description: Always V(false); the module only reads.
  returned: always
  type: bool
elapsed:
  description: Seconds spent, from the first request to the result.
  returned: always
  type: float
  sample: 3.42
finished_at:
  description: UTC time (microseconds) at which the module finished waiting.
  returned: always
  type: str
  sample: "2026-11-25T17:02:13.419001Z"
pending:
  description: Resources (C(Kind namespace/name)) not done when the module ended.
  returned: always
  type: list
  elements: str
  sample: []
watch:
  description: Counters of the list/watch machinery (useful to see reconnects and re-lists).
  returned: always
  type: dict
  sample: {lists: 1, watch_requests: 2, reconnects: 1, gone_relists: 0, events: 3, errors: []}
resources:
  description: One entry per resource waited for.
  returned: always
  type: list
  elements: dict
  contains:
    api_version:
      description: API version.
      type: str
      sample: sqs.services.k8s.aws/v1alpha1
    kind:
      description: Kind.
      type: str
      sample: Queue
    name:
      description: Name.
      type: str
      sample: orders
    namespace:
      description: Namespace.
      type: str
      sample: pipeline
    exists:
      description: Whether the resource existed when the module ended.
      type: bool
    done:
      description: Whether this resource reached the requested state.
      type: bool
    reason:
      description: Why the resource is done or not, from its conditions.
      type: str
      sample: "ACK.ResourceSynced=False (Resource not synced); ACK.Recoverable=True (throttled)"
    waited_seconds:
      description: Seconds after the start at which the resource was last seen reaching the
        requested state; null when it did not.
      type: float
      sample: 1.7
    done_at:
      description: UTC time (microseconds) at which the module saw the resource reach the requested
        state; null when it did not.
      type: str
      sample: "2026-11-25T17:02:13.418211Z"
    arn:
      description: C(status.ackResourceMetadata.arn).
      type: str
      sample: arn:aws:sqs:us-east-1:123456789012:orders
    queue_url:
      description: C(status.queueURL) (Queue).
      type: str
      returned: when the resource has it
    queue_arn:
      description: C(status.queueARN) (Queue).
      type: str
      returned: when the resource has it
    table_status:
      description: C(status.tableStatus) (Table).
      type: str
      returned: when the resource has it
    latest_stream_arn:
      description: C(status.latestStreamARN) (Table).
      type: str
      returned: when the resource has it
    state:
      description: C(status.state) (Function, EventSourceMapping).
      type: str
      returned: when the resource has it
    state_reason:
      description: C(status.stateReason) (Function).
      type: str
      returned: when the resource has it
    last_update_status:
      description: C(status.lastUpdateStatus) (Function).
      type: str
      returned: when the resource has it
    uuid:
      description: C(status.uuid) (EventSourceMapping).
      type: str
      returned: when the resource has it
    generation:
      description: C(metadata.generation).
      type: int
    resource_version:
      description: C(metadata.resourceVersion) of the last version seen.
      type: str
    status:
      description: The whole C(status) of the resource.
      type: dict
    conditions:
      description: C(status.conditions).
      type: list
      elements: dict
    change_marker:
      description: The spec change conditions had to be newer than, and where it came from
        (C(since) or C(detected)).
      type: dict
      sample: {source: since, changed_at: "2026-11-25T17:02:11Z", generation: 2}
"""

import time
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
from ansible_collections.ackops.serverless.plugins.module_utils import ack_conditions as conds
from ansible_collections.ackops.serverless.plugins.module_utils.ack_watch import (
    DynamicApi,
    Waiter,
    WatchTarget,
)


def argument_spec():
    spec = dict(
        api_version=dict(type="str", aliases=["apiVersion"]),
        kind=dict(type="str"),
        name=dict(type="str"),
        namespace=dict(type="str"),
        resources=dict(
            type="list",
            elements="dict",
            options=dict(
                api_version=dict(type="str", required=True, aliases=["apiVersion"]),
                kind=dict(type="str", required=True),
                name=dict(type="str", required=True),
                namespace=dict(type="str"),
            ),
        ),
        label_selectors=dict(type="list", elements="str"),
        state=dict(type="str", choices=["synced", "absent"], default="synced"),
        timeout=dict(type="int", default=300),
        quiet_period=dict(type="float", default=0),
        since=dict(type="raw"),
        watch_timeout=dict(type="int", default=290),
    )
    spec.update(AUTH_ARG_SPEC)
    return spec


def _label(key):
    api_version, kind, namespace, name = key
    return "{0} {1}".format(kind, "{0}/{1}".format(namespace, name) if namespace else name)


def _utc(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + ".{0:06d}Z".format(int((epoch % 1) * 1e6))


def build_targets(module, api):
    """WatchTargets (with the key each named target expects) from the parameters."""
    params = module.params
    wanted = []
    if params["resources"]:
        for ref in params["resources"]:
            wanted.append((ref["api_version"], ref["kind"], ref["namespace"] or params["namespace"], ref["name"], None))
    elif params["name"]:
        wanted.append((params["api_version"], params["kind"], params["namespace"], params["name"], None))
    else:
        selector = ",".join(s.strip() for s in params["label_selectors"] if s and s.strip())
        wanted.append((params["api_version"], params["kind"], params["namespace"], None, selector))

    targets = []
    for api_version, kind, namespace, name, selector in wanted:
        target = WatchTarget(api_version, kind, namespace, name, selector)
        try:
            resource = api.resource(target)
        except Exception as exc:
            module.fail_json(msg="Unknown kind {0!r} in {1!r}: {2}. Check api_version and kind, and that the "
                                 "controller's CRDs are installed.".format(kind, api_version, exc))
        if resource.namespaced and not namespace and name:
            module.fail_json(msg="{0} {1} is namespaced: set namespace (top level or in the resources entry).".format(
                resource.kind, name))
        if not resource.namespaced:
            target.namespace = None
        target.kind = resource.kind
        key = (api_version, resource.kind, target.namespace or "", name) if name else None
        targets.append((target, key))
    return targets


def _entries(waiter, verdicts):
    entries = []
    for key in waiter.expected_keys():
        obj = waiter.objects.get(key)
        item = conds.entry(obj, key)
        verdict = verdicts.get(key) or {"outcome": "pending", "reason": "not evaluated"}
        item["done"] = verdict["outcome"] == "done"
        item["reason"] = verdict["reason"]
        done_at = waiter.done_at.get(key)
        item["waited_seconds"] = round(done_at, 3) if done_at is not None and item["done"] else None
        done_wall = waiter.done_wall.get(key)
        item["done_at"] = _utc(done_wall) if done_wall is not None and item["done"] else None
        marker = waiter.markers.get(key) or waiter.detected.get(key)
        item["change_marker"] = marker.as_dict() if marker is not None else None
        entries.append(item)
    return entries


def execute(module, k8s_client):
    params = module.params
    started = time.monotonic()
    api = DynamicApi(k8s_client)
    targets = build_targets(module, api)
    markers = conds.markers_from_since(params["since"])
    waiter = Waiter(api, targets, params["state"], markers=markers,
                    watch_timeout=max(1, params["watch_timeout"]))
    outcome, verdicts = waiter.run(params["timeout"], params["quiet_period"], once=module.check_mode)
    entries = _entries(waiter, verdicts)
    pending = [_label(k) for k, v in verdicts.items() if v["outcome"] != "done"]
    result = dict(changed=False, resources=entries, pending=sorted(pending),
                  elapsed=round(time.monotonic() - started, 3), finished_at=_utc(time.time()),
                  watch=waiter.stats.as_dict())

    if outcome in ("done", "once"):
        module.exit_json(**result)
    if outcome == "broken":
        module.fail_json(msg="; ".join(sorted(set(waiter.broken.values()))), **result)
    if outcome == "missing":
        missing = [_label(key) for target, key in targets if key is not None and waiter.objects.get(key) is None]
        module.fail_json(msg="Not found: {0}. Create the resource(s) first, or check name, namespace and kind.".format(
            ", ".join(missing)), **result)
    if outcome == "empty":
        module.fail_json(msg="No {0} matches the label selector {1!r}{2}. Check the labels, or create the "
                             "resources first.".format(targets[0][0].kind, targets[0][0].label_selector,
                                                       " in namespace " + targets[0][0].namespace
                                                       if targets[0][0].namespace else ""), **result)
    if outcome == "failed":
        failed = ["{0}: {1}".format(_label(k), v["reason"]) for k, v in sorted(verdicts.items()) if v["outcome"] == "failed"]
        module.fail_json(msg="ACK reports a terminal failure (it will not retry until the spec changes) - {0}".format(
            " | ".join(failed)) if any(conds.TERMINAL in f for f in failed) else " | ".join(failed), **result)
    # timeout
    waiting = ["{0}: {1}".format(_label(k), v["reason"]) for k, v in sorted(verdicts.items()) if v["outcome"] != "done"]
    goal = "be gone" if params["state"] == "absent" else "have {0}=True".format(conds.SYNCED)
    module.fail_json(msg="Timed out after {0}s waiting for {1} of {2} resource(s) to {3} - {4}".format(
        params["timeout"], len(waiting), len(verdicts), goal, " | ".join(waiting)), **result)


def main():
    module = AnsibleK8SModule(
        module_class=AnsibleModule,
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("name", "resources"), ("name", "label_selectors"), ("resources", "label_selectors")],
        required_one_of=[("name", "resources", "label_selectors")],
        required_by={"name": ("api_version", "kind"), "label_selectors": ("api_version", "kind")},
    )
    params = module.params
    if params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, got {0}.".format(params["timeout"]))
    if params["quiet_period"] < 0 or params["quiet_period"] >= params["timeout"]:
        module.fail_json(msg="quiet_period must be >= 0 and shorter than timeout ({0}s), got {1}.".format(
            params["timeout"], params["quiet_period"]))
    if params["label_selectors"] is not None and not any(s and s.strip() for s in params["label_selectors"]):
        module.fail_json(msg="label_selectors is empty: give at least one selector such as 'app=pipeline'.")
    try:
        k8s_client = get_api_client(module)
        execute(module, k8s_client)
    except CoreException as exc:
        module.fail_from_exception(exc)
    except Exception as exc:  # unexpected: keep the traceback for -vvv
        module.fail_json(msg="ack_wait failed: {0}".format(exc), exception=traceback.format_exc())


if __name__ == "__main__":
    main()
