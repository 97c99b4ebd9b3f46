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
  - Fails, naming the resource and quoting the error, when a resource keeps the same
    C(ACK.Recoverable) error for longer than O(recoverable_timeout). ACK retries recoverable errors
    forever, and some controllers declare no terminal errors at all (the Lambda controller reports a
    role Lambda cannot assume, or a missing image, as recoverable).
  - Fails at once, with the UUID in C(conflicting_mapping), when an EventSourceMapping's C(ACK.Recoverable) error is
    Lambda's C(ResourceConflictException), because another mapping already connects its SQS queue and function;
    ACK's retries cannot succeed while that mapping exists.
  - On timeout, reports for every resource not done its conditions and the latest
    C(ACK.Recoverable) / C(ACK.ReferencesResolved) message.
  - Never returns on a condition written before a spec change it knows of. ACK reconciles only when
    C(metadata.generation) moves (a spec change); labels and annotations, such as
    C(services.k8s.aws/deletion-policy), are never reconciled, and the conditions already there stay
    valid. ACK publishes no C(observedGeneration), so the module must be told about a change made
    before it started, with O(since) (and O(before)); a generation move it sees while watching it
    knows by itself.
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
        document).
      - For each resource it reports as changed whose generation moved, the conditions present in
        that result, and conditions older than the change's second, do not count; the module waits
        for the reconcile of the new spec.
      - Whether the generation moved is read from O(before), or from the task's C(diff) when it ran in
        diff mode. When neither tells, a reported change is taken as a spec change (a change that only
        touched labels or annotations then waits for a reconcile that never comes, until O(timeout);
        pass O(before).
      - Resources reported unchanged, and changes that left the generation where it was, count with the
        conditions they have.
      - ACK dates conditions to the second. A C(ACK.ResourceSynced=True) dated to the change's own second, as
        present in that result, may already be the reconcile of the change (a reconcile ending in the second of
        the one before looks the same), so it counts once it has stayed unchanged for 10 seconds.
    type: raw
  before:
    description:
      - What was read of the resource(s) before the change given in O(since), that is a registered
        M(kubernetes.core.k8s_info) result (looped or not), a list of resource documents, or an earlier
        C(ack_wait) result. Only C(metadata.generation) is used.
      - A resource absent from it was created by the change.
    type: raw
  recoverable_timeout:
    description:
      - Seconds a resource may keep the same C(ACK.Recoverable) error (same message, request ids
        aside) before the module fails, naming it. Some errors clear on their own within seconds (a
        new IAM role is not assumable by Lambda for about ten seconds); others never do.
      - V(0) waits the whole O(timeout).
    type: int
    default: 60
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
  - ACK publishes no C(observedGeneration). A reconcile that started on the old spec and finished
    after the change can still look fresh for that one reconcile, and a reconcile of the new spec
    that ends in the same second as the previous status write, with identical conditions, leaves no
    trace (the module then waits for the next one). O(quiet_period) mitigates the first case.
  - O(state=synced) means what ACK means by it, which differs per kind. For example the Lambda
    controller reports a Function synced while C(lastUpdateStatus) is still C(InProgress) and an
    EventSourceMapping synced in any state, and it does not update those status fields until its
    next resync. Read the AWS side for them (the C(resources) role does).
  - On real EKS the resources are reconciled by the ACK controllers; in the project sandbox by
    controllers built on the same ACK runtime.
requirements:
  - python >= 3.9
  - kubernetes >= 24.2.0
seealso:
  - module: kubernetes.core.k8s
  - module: kubernetes.core.k8s_info
"""

EXAMPLES = r"""
- name: Read the queue as it is before the change
  kubernetes.core.k8s_info:
    api_version: sqs.services.k8s.aws/v1alpha1
    kind: Queue
    name: orders
    namespace: pipeline
  register: pipeline__queue_before

- name: Create or change the queue
  kubernetes.core.k8s:
    state: present
    definition: "{{ lookup('ansible.builtin.template', 'queue.yaml.j2') }}"
  register: pipeline__queue

- name: Wait until the queue is synced (a spec change waits for its reconcile, an annotation change does not)
  ackops.serverless.ack_wait:
    api_version: sqs.services.k8s.aws/v1alpha1
    kind: Queue
    name: orders
    namespace: pipeline
    since: "{{ pipeline__queue }}"
    before: "{{ pipeline__queue_before }}"
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
      description: The queue's ARN (Queue), from C(status.ackResourceMetadata.arn); the SQS
        controller does not set C(status.queueARN).
      type: str
      returned: for a Queue
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
      description: C(status.lastUpdateStatus) (Function), as the controller last read it.
      type: str
      returned: when the resource has it
    last_update_status_reason:
      description: C(status.lastUpdateStatusReason) (Function).
      type: str
      returned: when the resource has it
    last_processing_result:
      description: C(status.lastProcessingResult) (EventSourceMapping).
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
    spec:
      description: The whole C(spec) of the resource, as last seen.
      type: dict
    status:
      description: The whole C(status) of the resource.
      type: dict
    conditions:
      description: C(status.conditions).
      type: list
      elements: dict
    change_marker:
      description: The spec change conditions had to be newer than, and where it came from
        (C(since), or C(watch) for a generation move seen while waiting); null when none.
      type: dict
      sample: {source: since, changed_at: "2026-11-25T17:02:11Z", generation: 2}
    recoverable_for:
      description: Seconds the resource kept the same C(ACK.Recoverable) error, when that made the
        module fail.
      type: float
      returned: when O(recoverable_timeout) ran out
      sample: 60.2
    conflicting_mapping:
      description:
        - The UUID of the Lambda mapping that makes Lambda refuse to create this EventSourceMapping's own
          (C(ResourceConflictException)), as it connects the same SQS queue and function and no EventSourceMapping
          owns it. ACK retries that forever, so the module fails at once, and the caller can delete that mapping.
      type: str
      returned: when an EventSourceMapping failed so
      sample: 6d9bce8e-836b-461a-b1ac-5b8b6b0d3a2f
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
    KubeApi,
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
        before=dict(type="raw"),
        recoverable_timeout=dict(type="int", default=60),
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
    """WatchTargets (one per kind and namespace, or per selector), each with the keys it expects."""
    params = module.params
    named = []
    if params["resources"]:
        for ref in params["resources"]:
            named.append((ref["api_version"], ref["kind"], ref["namespace"] or params["namespace"], ref["name"]))
    elif params["name"]:
        named.append((params["api_version"], params["kind"], params["namespace"], params["name"]))

    groups = {}
    for api_version, kind, namespace, name in named:
        groups.setdefault((api_version, kind, namespace), []).append(name)
    wanted = [(api_version, kind, namespace, names, None) for (api_version, kind, namespace), names in groups.items()]
    if not named:
        selector = ",".join(s.strip() for s in params["label_selectors"] if s and s.strip())
        wanted.append((params["api_version"], params["kind"], params["namespace"], None, selector))

    targets = []
    for api_version, kind, namespace, names, selector in wanted:
        target = WatchTarget(api_version, kind, namespace, names, selector)
        try:
            resource = api.resource(target)
        except Exception as exc:
            module.fail_json(msg="Unknown kind {0!r} in {1!r}: {2}. Check api_version and kind, and that the "
                                 "controller's CRDs are installed.".format(kind, api_version, exc))
        if resource.namespaced and not namespace and names:
            module.fail_json(msg="{0} {1} is namespaced: set namespace (top level or in the resources entry).".format(
                resource.kind, ", ".join(sorted(names))))
        if not resource.namespaced:
            target.namespace = None
        target.kind = resource.kind
        expected = [(api_version, resource.kind, target.namespace or "", name) for name in sorted(names or ())]
        targets.append((target, expected))
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
        marker = waiter.markers.get(key)
        item["change_marker"] = marker.as_dict() if marker is not None else None
        for extra in ("recoverable_for", "conflicting_mapping"):
            if extra in verdict:
                item[extra] = verdict[extra]
        entries.append(item)
    return entries


def execute(module, k8s_client):
    params = module.params
    started = time.monotonic()
    api = KubeApi(k8s_client)
    targets = build_targets(module, api)
    markers = conds.markers_from_since(params["since"], params["before"])
    waiter = Waiter(api, targets, params["state"], markers=markers,
                    watch_timeout=max(1, params["watch_timeout"]),
                    recoverable_timeout=params["recoverable_timeout"])
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
        missing = [_label(key) for dummy, expected in targets for key in expected if waiter.objects.get(key) is None]
        module.fail_json(msg="Not found: {0}. Create the resource(s) first, or check name, namespace and kind.".format(
            ", ".join(missing)), **result)
    if outcome == "empty":
        module.fail_json(msg="No {0} matches the label selector {1!r}{2}. Check the labels, or create the "
                             "resources first.".format(targets[0][0].kind, targets[0][0].label_selector,
                                                       " in namespace " + targets[0][0].namespace
                                                       if targets[0][0].namespace else ""), **result)
    if outcome == "failed":
        module.fail_json(msg=_failure_message(verdicts), **result)
    # timeout
    waiting = ["{0}: {1}".format(_label(k), v["reason"]) for k, v in sorted(verdicts.items()) if v["outcome"] != "done"]
    goal = "be gone" if params["state"] == "absent" else "have {0}=True".format(conds.SYNCED)
    hint = ""
    if any("is stale" in w for w in waiting) and params["since"] is not None and params["before"] is None:
        hint = (" (a change reported by since is taken as a spec change when the generation before it is not "
                "known; if it only touched labels or annotations, ACK does not reconcile it: pass before, a read "
                "made before the change, so metadata-only changes return at once)")
    module.fail_json(msg="Timed out after {0}s waiting for {1} of {2} resource(s) to {3} - {4}{5}".format(
        params["timeout"], len(waiting), len(verdicts), goal, " | ".join(waiting), hint), **result)


def _failure_message(verdicts):
    terminal, recoverable, other = [], [], []
    for key, verdict in sorted(verdicts.items()):
        if verdict["outcome"] != "failed":
            continue
        text = "{0}: {1}".format(_label(key), verdict["reason"])
        if "recoverable_for" in verdict:
            recoverable.append(text)
        elif conds.TERMINAL in verdict["reason"]:
            terminal.append(text)
        else:
            other.append(text)
    parts = []
    if terminal:
        parts.append("ACK reports a terminal failure (it will not retry until the spec changes) - " + " | ".join(terminal))
    if recoverable:
        parts.append("ACK keeps retrying an error that did not go away; fix its cause (or raise recoverable_timeout "
                     "if it is expected to clear) - " + " | ".join(recoverable))
    parts.extend(other)
    return " || ".join(parts)


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
    if params["recoverable_timeout"] < 0:
        module.fail_json(msg="recoverable_timeout must be 0 (wait the whole timeout) or a positive number of seconds, "
                             "got {0}.".format(params["recoverable_timeout"]))
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
