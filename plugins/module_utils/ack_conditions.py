# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Pure logic of ackops.serverless.ack_wait: is an ACK resource done, failed or pending?

Everything here works on plain resource documents (dicts as the API server returns them) and
has no I/O, so it is unit tested over recorded documents.

What the ACK runtime does (aws-controllers-k8s/runtime v0.61.0 / v0.62.0):

* The controllers are built with ``predicate.GenerationChangedPredicate``: they reconcile when
  ``metadata.generation`` moves (a spec change), and otherwise only on their resync period
  (10 hours by default, chart value ``reconcile.defaultResyncPeriod``). A metadata-only change
  (labels, annotations such as ``services.k8s.aws/deletion-policy``) is never reconciled, so no
  new condition follows it: the conditions already there stay the valid answer.
* Each reconcile clears the conditions and sets them again, stamping ``lastTransitionTime`` with
  the current second on every setter call (``pkg/condition/condition.go``); ACK.Terminal and
  ACK.Recoverable, set by the generated ``updateConditions``, carry no time.
* ACK publishes no ``observedGeneration``. So whether a condition was written for the current
  spec is known only when the change is known: the generation before and after it.

The rule used here: a change counts only when the generation moved. The generation before comes
from ``before`` (a read made before the change) or from a ``since`` result made in diff mode;
a change seen while watching is known exactly (the conditions present in the first document of
the new generation predate it). Conditions present in the document returned by the change, or
older than its second, are stale after a generation move. A same-second reconcile that leaves
the status byte-for-byte unchanged is not distinguishable; ``quiet_period`` mitigates the
opposite case, a reconcile that started on the old spec and finished after the change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime
import re
import time

SYNCED = "ACK.ResourceSynced"
TERMINAL = "ACK.Terminal"
RECOVERABLE = "ACK.Recoverable"
REFERENCES_RESOLVED = "ACK.ReferencesResolved"
READY = "Ready"
# Lambda's answer to creating a second mapping between an SQS queue and a function. ACK takes it as recoverable
# and asks again at every retry, which can never succeed while that mapping exists.
_MAPPING_CONFLICT = re.compile(r"ResourceConflictException.*?existing mapping with UUID ([0-9A-Fa-f][0-9A-Fa-f-]{7,})",
                               re.S)

# status fields that callers need next, returned at the top of each resource entry
STATUS_FIELDS = {
    "queueURL": "queue_url",
    "tableStatus": "table_status",
    "latestStreamARN": "latest_stream_arn",
    "state": "state",
    "stateReason": "state_reason",
    "lastUpdateStatus": "last_update_status",
    "lastUpdateStatusReason": "last_update_status_reason",
    "lastProcessingResult": "last_processing_result",
    "uuid": "uuid",
}

# Parts of AWS error messages that differ on every attempt of the same error.
_VOLATILE = re.compile(
    r"(?i)(request ?id:?\s*)[0-9a-z-]+"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_time(value):
    """Seconds since the epoch (int, fraction dropped) of a Kubernetes timestamp, or None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # fromisoformat before Python 3.11 takes only 3 or 6 fraction digits, and no +hhmm
    text = re.sub(r"\.\d+", "", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        stamp = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return calendar.timegm(stamp.utctimetuple())


def format_time(seconds):
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def same_error(message):
    """An error message without its request id, so retries of one error compare equal."""
    return _VOLATILE.sub(lambda m: (m.group(1) or "") + "*", message or "").strip()


def conditions_of(obj):
    status = (obj or {}).get("status") or {}
    conditions = status.get("conditions") or []
    return [c for c in conditions if isinstance(c, dict)]


def find_condition(obj, cond_type):
    for cond in conditions_of(obj):
        if cond.get("type") == cond_type:
            return cond
    return None


def resource_key(obj):
    """(api_version, kind, namespace, name) of a resource document."""
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace") or "", meta.get("name"))


def spec_change_time(obj):
    """Second of the latest write to the object outside the status subresource.

    managedFields entries carry the time of the last write of each manager; entries of the
    status subresource are writes by the controller, the others are spec/metadata writes by
    users. Falls back to creationTimestamp when managedFields are absent.
    """
    meta = obj.get("metadata") or {}
    latest = None
    for entry in meta.get("managedFields") or []:
        if not isinstance(entry, dict) or entry.get("subresource"):
            continue
        stamp = parse_time(entry.get("time"))
        if stamp is not None and (latest is None or stamp > latest):
            latest = stamp
    if latest is None:
        latest = parse_time(meta.get("creationTimestamp"))
    return latest


def status_time(obj):
    """Second of the status write the conditions come from: their latest lastTransitionTime.

    Conditions set by the generated resource managers (ACK.Terminal and ACK.Recoverable from
    ``updateConditions`` in code-generator's templates/pkg/resource/sdk.go.tpl) carry no
    lastTransitionTime; ACK.ResourceSynced and Ready, set by the runtime in the same
    reconcile, do. Since each reconcile starts from an empty list, an undated condition
    belongs to the write dated by its dated siblings.
    """
    stamps = [parse_time(c.get("lastTransitionTime")) for c in conditions_of(obj)]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def _fingerprint(cond, written):
    stamp = cond.get("lastTransitionTime") or "undated, written {0}".format(written)
    return (cond.get("type"), cond.get("status"), stamp, cond.get("reason"), cond.get("message"))


class ChangeMarker(object):
    """A spec change (generation move) that conditions must be newer than to count.

    time: second of the change (None: no time requirement).
    generation: metadata.generation after the change.
    baseline: fingerprints of the conditions present at the change (None when unknown).
    source: 'since' (the caller's task result) or 'watch' (a generation move seen while waiting).
    """

    def __init__(self, time_s=None, generation=None, baseline=None, source="since"):
        self.time = time_s
        self.generation = generation
        self.baseline = baseline
        self.source = source

    def as_dict(self):
        return {
            "source": self.source,
            "changed_at": format_time(self.time),
            "generation": self.generation,
        }


def generation_of(obj):
    return ((obj or {}).get("metadata") or {}).get("generation")


def baseline_of(obj):
    written = status_time(obj)
    return set(_fingerprint(c, written) for c in conditions_of(obj))


def marker_from_since(obj):
    """Marker from the object returned by the task that changed the spec.

    That document shows the status as it was when the change was written, so its conditions
    are the stale ones, and so is any condition dated before the change's second.
    """
    return ChangeMarker(spec_change_time(obj), generation_of(obj), baseline_of(obj), "since")


def marker_from_watch(obj):
    """Marker for a generation move seen while watching: `obj` is the first document of the
    new generation, whose conditions were all written before the move."""
    return ChangeMarker(None, generation_of(obj), baseline_of(obj), "watch")


def since_objects(since):
    """Resource documents found in a `since` or `before` value, as (document, changed, diff).

    Accepts a kubernetes.core.k8s task result ({changed, result, diff}), the result of one
    kubernetes.core.k8s call with several definitions ({changed, result: {results: [...]}}), a looped
    result ({results: [...]}), a k8s_info or ack_wait result ({resources: [...]}), a list of any of
    these, or a bare resource document. changed is None when unknown; diff is the task's diff
    (present in diff mode) or None.
    """
    found = []
    if since is None:
        return found
    if isinstance(since, list):
        for item in since:
            found.extend(since_objects(item))
        return found
    if not isinstance(since, dict):
        return found
    if isinstance(since.get("results"), list):
        return since_objects(since["results"])
    if isinstance(since.get("result"), dict) and isinstance(since["result"].get("results"), list):
        return since_objects(since["result"]["results"])
    if isinstance(since.get("result"), dict) and since["result"].get("metadata"):
        diff = since.get("diff") if isinstance(since.get("diff"), dict) else None
        found.append((since["result"], since.get("changed"), diff))
        return found
    if isinstance(since.get("resources"), list):
        # a k8s_info result, or our own ack_wait result: documents without a change
        for doc in since["resources"]:
            if isinstance(doc, dict) and doc.get("metadata"):
                found.append((doc, since.get("changed"), None))
            elif isinstance(doc, dict) and doc.get("kind") and doc.get("name") and "generation" in doc:
                # an ack_wait entry
                meta = {"name": doc["name"], "namespace": doc.get("namespace"), "generation": doc["generation"]}
                found.append(({"apiVersion": doc.get("api_version"), "kind": doc["kind"], "metadata": meta},
                              since.get("changed"), None))
        return found
    if since.get("metadata") and since.get("kind"):
        found.append((since, None, None))
    return found


def generations_before(before):
    """Map resource key -> metadata.generation, from what was read before the change."""
    return dict((resource_key(doc), generation_of(doc)) for doc, dummy, dummy2 in since_objects(before))


def _diff_moved_generation(diff):
    """True/False when a k8s task's diff tells whether the generation moved, else None."""
    if not diff or "after" not in diff:
        return None
    after = (diff.get("after") or {}).get("metadata") or {}
    before = (diff.get("before") or {}).get("metadata") or {}
    if "generation" in after:
        return after.get("generation") != before.get("generation")
    return False


def generation_moved(doc, diff, before_generations):
    """Whether the change that produced `doc` moved its generation: True, False or None (unknown).

    A resource absent from a `before` read was created by the change: it moved (from nothing).
    """
    if before_generations is not None:
        key = resource_key(doc)
        if key not in before_generations or before_generations[key] is None:
            return True
        after = generation_of(doc)
        if after is None:
            return None
        return after != before_generations[key]
    return _diff_moved_generation(diff)


def markers_from_since(since, before=None):
    """Map resource key -> ChangeMarker for every resource whose spec the `since` task changed.

    A resource reported unchanged gets no marker, nor does a change that left the generation
    where it was (metadata only: ACK does not reconcile it). When the generation before is not
    known (no `before`, no diff), a reported change is taken as a spec change: waiting for a
    reconcile that never comes is loud, returning on a stale condition would be silent.
    """
    before_generations = generations_before(before) if before is not None else None
    markers = {}
    for doc, changed, diff in since_objects(since):
        if changed is False:
            continue
        if generation_moved(doc, diff, before_generations) is False:
            continue
        markers[resource_key(doc)] = marker_from_since(doc)
    return markers


def is_fresh(cond, marker, written=None):
    """True when `cond` was written after the change described by `marker`.

    `written` is the status_time() of the document holding `cond` (dates undated conditions).
    """
    if cond is None:
        return False
    if marker is None:
        return True
    if marker.baseline is not None and _fingerprint(cond, written) in marker.baseline:
        # present, as is, in the document of the change itself
        return False
    if marker.time is None:
        return True
    stamp = parse_time(cond.get("lastTransitionTime"))
    if stamp is None:
        stamp = written
    if stamp is None:
        # no dated condition at all: nothing tells it is old
        return True
    # ACK stamps conditions with Now() on each reconcile; >= because of the 1 s resolution
    # (a reconcile finishing in the change's second has the same stamp).
    return stamp >= marker.time


def written_in_the_change_second(cond, marker, written=None):
    """True when `cond` is in the change's own document but dated to the change's second.

    ACK dates conditions to the second and publishes no observedGeneration: a reconcile of the new
    generation that ends in the same second as the reconcile before the change writes conditions
    identical to those the change returned. Nothing tells the two apart.
    """
    if cond is None or marker is None or marker.time is None or marker.baseline is None:
        return False
    stamp = parse_time(cond.get("lastTransitionTime")) or written
    return stamp == marker.time and _fingerprint(cond, written) in marker.baseline


def _describe(cond):
    if cond is None:
        return None
    text = "{0}={1}".format(cond.get("type"), cond.get("status"))
    details = [d for d in (cond.get("message"), cond.get("reason")) if d]
    if details:
        text += " (" + "; ".join(str(d) for d in details) + ")"
    return text


def mapping_conflict(obj, recoverable):
    """The UUID of the mapping that makes Lambda refuse an EventSourceMapping's create, from its current
    ACK.Recoverable condition (ResourceConflictException), or None."""
    if (obj or {}).get("kind") != "EventSourceMapping" or not recoverable or recoverable.get("status") != "True":
        return None
    found = _MAPPING_CONFLICT.search(str(recoverable.get("message") or ""))
    return found.group(1) if found else None


def evaluate(obj, state, marker=None):
    """Verdict for one resource.

    Returns a dict: outcome ('done', 'pending' or 'failed'), reason (a sentence for humans) and,
    when pending on a current ACK.Recoverable=True, recoverable (its message without request
    ids, for the caller to time). `obj` is None when the resource does not exist; `marker` is
    the spec change the conditions must be newer than (None: they count as they are).
    """
    if state == "absent":
        if obj is None:
            return {"outcome": "done", "reason": "resource is gone"}
        meta = obj.get("metadata") or {}
        if not meta.get("deletionTimestamp"):
            return {"outcome": "pending",
                    "reason": "resource exists and is not being deleted (no deletionTimestamp): delete it first"}
        finalizers = meta.get("finalizers") or []
        reason = "deletion requested at {0}, waiting for finalizers {1} to be removed".format(
            meta.get("deletionTimestamp"), finalizers)
        recoverable = find_condition(obj, RECOVERABLE)
        verdict = {"outcome": "pending", "reason": reason}
        if recoverable is not None and recoverable.get("status") == "True":
            verdict["reason"] += "; " + _describe(recoverable)
            verdict["recoverable"] = same_error(recoverable.get("message"))
        return verdict

    if obj is None:
        return {"outcome": "pending", "reason": "resource not found"}

    written = status_time(obj)
    terminal = find_condition(obj, TERMINAL)
    if terminal is not None and terminal.get("status") == "True" and is_fresh(terminal, marker, written):
        return {"outcome": "failed", "reason": _describe(terminal)}
    recoverable = find_condition(obj, RECOVERABLE)
    conflict = mapping_conflict(obj, recoverable)
    if conflict and is_fresh(recoverable, marker, written):
        return {"outcome": "failed", "conflicting_mapping": conflict, "reason": (
            "Lambda refuses to create the mapping: mapping {0} already connects the queue to the function, and this "
            "EventSourceMapping does not own it, so ACK's retries cannot succeed. Delete that mapping (the resources "
            "role does so), and ACK creates the EventSourceMapping's own at its next retry - {1}").format(
                conflict, _describe(recoverable))}

    synced = find_condition(obj, SYNCED)
    ready = find_condition(obj, READY)
    if synced is None:
        reason = "no {0} condition yet (the controller has not reconciled it)".format(SYNCED)
    elif not is_fresh(synced, marker, written):
        reason = "{0}={1} is stale: written before the spec change to generation {2}{3}".format(
            SYNCED, synced.get("status"), marker.generation,
            " at " + format_time(marker.time) if marker.time else "")
        if synced.get("status") == "True" and written_in_the_change_second(synced, marker, written):
            reason += " (in the same second, so the reconcile of the change may have ended then too)"
            return {"outcome": "pending", "reason": reason, "same_second": True}
    elif synced.get("status") != "True":
        reason = _describe(synced)
    elif ready is not None and ready.get("status") != "True":
        reason = _describe(ready)
    else:
        return {"outcome": "done", "reason": "{0}=True".format(SYNCED)}

    verdict = {"outcome": "pending", "reason": reason}
    extras = []
    if recoverable is not None and recoverable.get("status") == "True":
        extras.append(_describe(recoverable))
        if is_fresh(recoverable, marker, written):
            verdict["recoverable"] = same_error(recoverable.get("message"))
    references = find_condition(obj, REFERENCES_RESOLVED)
    if references is not None and references.get("status") != "True":
        extras.append(_describe(references))
    if extras:
        verdict["reason"] += "; " + "; ".join(extras)
    return verdict


def entry(obj, key=None):
    """The returned description of one resource (snake_case keys)."""
    if obj is None:
        api_version, kind, namespace, name = key
        return {"api_version": api_version, "kind": kind, "namespace": namespace or None,
                "name": name, "exists": False, "arn": None, "spec": {}, "status": {}, "conditions": []}
    meta = obj.get("metadata") or {}
    status = obj.get("status") or {}
    result = {
        "api_version": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "namespace": meta.get("namespace"),
        "name": meta.get("name"),
        "exists": True,
        "generation": meta.get("generation"),
        "resource_version": meta.get("resourceVersion"),
        "arn": (status.get("ackResourceMetadata") or {}).get("arn"),
        "spec": obj.get("spec") or {},
        "status": status,
        "conditions": conditions_of(obj),
    }
    for field, snake in STATUS_FIELDS.items():
        if field in status and not isinstance(status[field], (dict, list)):
            result[snake] = status[field]
    if obj.get("kind") == "Queue":
        # The real sqs-controller never sets status.queueARN: the ARN is ackResourceMetadata.arn.
        result["queue_arn"] = result["arn"]
    return result
