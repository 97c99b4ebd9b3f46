# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Pure logic of ackops.serverless.ack_wait: is an ACK resource done, failed or pending?

Everything here works on plain resource documents (dicts as the API server returns them) and
has no I/O, so it is unit tested over recorded documents.

How ACK stamps conditions (aws-controllers-k8s/runtime, read at commit 95428e7, July 2026):

* pkg/condition/condition.go: every setter (SetSynced, SetReady, SetTerminal, SetRecoverable,
  SetReferencesResolved, ...) assigns ``c.LastTransitionTime = metav1.Now()`` unconditionally,
  on every call, not only when the status flips.
* pkg/runtime/reconciler.go: ``Sync`` starts with ``resetConditions`` (``condition.Clear``: the
  whole list is dropped) and ends with ``ensureConditions``, which always sets
  ACK.ResourceSynced (and Ready); ``HandleReconcileError`` then patches the status. The
  controller is built with ``predicate.GenerationChangedPredicate``, so every spec change
  (metadata.generation bump) triggers a reconcile. ACK publishes no observedGeneration.

Consequence used here: after a spec change at second T, the reconcile that handles it writes
conditions whose lastTransitionTime is >= T. A condition older than T was written before the
change and is stale. metav1.Time has 1-second resolution, so a condition stamped in the same
second as the change is ambiguous on time alone; when the caller passes the result of the
task that made the change (``since``), that result carries the status as it was at the
change, and a condition identical to it is known to be stale, whatever its timestamp.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import re
import time

SYNCED = "ACK.ResourceSynced"
TERMINAL = "ACK.Terminal"
RECOVERABLE = "ACK.Recoverable"
REFERENCES_RESOLVED = "ACK.ReferencesResolved"
READY = "Ready"

# status fields that callers need next, returned at the top of each resource entry
STATUS_FIELDS = {
    "queueURL": "queue_url",
    "queueARN": "queue_arn",
    "tableStatus": "table_status",
    "latestStreamARN": "latest_stream_arn",
    "state": "state",
    "stateReason": "state_reason",
    "lastUpdateStatus": "last_update_status",
    "uuid": "uuid",
}

_TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")


def parse_time(value):
    """Seconds since the epoch (int, fraction dropped) of a Kubernetes timestamp, or None."""
    if not value or not isinstance(value, str):
        return None
    match = _TIME_RE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = match.group(8)
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds


def format_time(seconds):
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


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
    """What a condition must be newer than to count.

    time: second of the spec change (None: no time requirement).
    generation: metadata.generation after the change.
    baseline: fingerprints of the conditions present at the change (None when unknown).
    source: 'since' (from the caller's task result) or 'detected' (from the object itself).
    """

    def __init__(self, time_s=None, generation=None, baseline=None, source="detected"):
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


def marker_from_object(obj):
    """Marker detected from the object itself (no baseline: same-second conditions count)."""
    meta = obj.get("metadata") or {}
    return ChangeMarker(spec_change_time(obj), meta.get("generation"), None, "detected")


def marker_from_since(obj):
    """Marker from the object returned by the task that changed the spec.

    That document shows the status as it was when the change was written, so its conditions
    are the stale ones.
    """
    meta = obj.get("metadata") or {}
    written = status_time(obj)
    baseline = set(_fingerprint(c, written) for c in conditions_of(obj))
    return ChangeMarker(spec_change_time(obj), meta.get("generation"), baseline, "since")


def since_objects(since):
    """Resource documents (with changed flag) found in a `since` value.

    Accepts a kubernetes.core.k8s task result ({changed, result}), a looped result
    ({results: [...]}), a list of either, or a bare resource document. Returns a list of
    (document, changed) pairs; changed is None when unknown.
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
    if isinstance(since.get("result"), dict) and since["result"].get("metadata"):
        found.append((since["result"], since.get("changed")))
        return found
    if isinstance(since.get("resources"), list):
        # a k8s_info result, or our own ack_wait result: documents without a change
        for doc in since["resources"]:
            if isinstance(doc, dict) and doc.get("metadata"):
                found.append((doc, since.get("changed")))
        return found
    if since.get("metadata") and since.get("kind"):
        found.append((since, None))
    return found


def markers_from_since(since):
    """Map resource key -> ChangeMarker for every changed resource in `since`.

    A resource reported unchanged (changed: false) gets no marker from `since`; the module
    still applies the detected marker, which is harmless on a converged resource.
    """
    markers = {}
    for doc, changed in since_objects(since):
        if changed is False:
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
        # present, as is, in the document returned by the change itself
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


def effective_marker(obj, marker):
    """The marker to apply to the current document.

    A newer generation than the marker knows means another spec change happened since:
    detect the new one from the document.
    """
    detected = marker_from_object(obj)
    if marker is None:
        return detected
    generation = (obj.get("metadata") or {}).get("generation")
    if marker.generation is not None and generation is not None and generation > marker.generation:
        return detected
    return marker


def _describe(cond):
    if cond is None:
        return None
    text = "{0}={1}".format(cond.get("type"), cond.get("status"))
    details = [d for d in (cond.get("message"), cond.get("reason")) if d]
    if details:
        text += " (" + "; ".join(str(d) for d in details) + ")"
    return text


def evaluate(obj, state, marker=None):
    """Verdict for one resource.

    Returns a dict: outcome ('done', 'pending' or 'failed'), reason (a sentence for humans).
    `obj` is None when the resource does not exist.
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
        if recoverable is not None and recoverable.get("status") == "True":
            reason += "; " + _describe(recoverable)
        return {"outcome": "pending", "reason": reason}

    if obj is None:
        return {"outcome": "pending", "reason": "resource not found"}

    marker = effective_marker(obj, marker)
    written = status_time(obj)
    terminal = find_condition(obj, TERMINAL)
    if terminal is not None and terminal.get("status") == "True" and is_fresh(terminal, marker, written):
        return {"outcome": "failed", "reason": _describe(terminal)}

    synced = find_condition(obj, SYNCED)
    ready = find_condition(obj, READY)
    if synced is None:
        reason = "no {0} condition yet (the controller has not reconciled it)".format(SYNCED)
    elif synced.get("status") != "True":
        reason = _describe(synced)
    elif not is_fresh(synced, marker, written):
        reason = "{0}=True is stale: set at {1}, before the spec change at {2} (generation {3})".format(
            SYNCED, synced.get("lastTransitionTime"), format_time(marker.time), marker.generation)
    elif ready is not None and ready.get("status") != "True":
        reason = _describe(ready)
    else:
        return {"outcome": "done", "reason": "{0}=True".format(SYNCED)}

    extras = []
    for cond_type in (RECOVERABLE, REFERENCES_RESOLVED):
        cond = find_condition(obj, cond_type)
        if cond is None:
            continue
        if cond_type == RECOVERABLE and cond.get("status") != "True":
            continue
        if cond_type == REFERENCES_RESOLVED and cond.get("status") == "True":
            continue
        extras.append(_describe(cond))
    if extras:
        reason += "; " + "; ".join(extras)
    return {"outcome": "pending", "reason": reason}


def entry(obj, key=None):
    """The returned description of one resource (snake_case keys)."""
    if obj is None:
        api_version, kind, namespace, name = key
        return {"api_version": api_version, "kind": kind, "namespace": namespace or None,
                "name": name, "exists": False, "arn": None, "status": {}, "conditions": []}
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
        "status": status,
        "conditions": conditions_of(obj),
    }
    for field, snake in STATUS_FIELDS.items():
        if field in status and not isinstance(status[field], (dict, list)):
            result[snake] = status[field]
    return result
