# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Event-driven waiting for ackops.serverless.ack_wait.

One list+watch per kind and namespace (or label selector), through the kubernetes client's
``watch.Watch``, runs in its own thread and pushes what it sees into a queue; the waiting loop
in the calling thread reacts to each event at once (no sleep-polling). A watch resumes from
the last resourceVersion it saw (events and bookmarks) when the server ends it
(timeoutSeconds) or the connection drops; a 410 Gone (the version was compacted away) makes
it re-list.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time

import queue

from ansible_collections.ackops.serverless.plugins.module_utils import ack_conditions as conds

try:
    from kubernetes import watch as k8s_watch
except ImportError:  # reported by kubernetes.core's client loader before we get here
    k8s_watch = None

# what a watch thread puts in the queue
SYNC = "SYNC"          # payload: list of documents (a fresh list; anything else is gone)
EVENT = "EVENT"        # payload: (type, document)
BROKEN = "BROKEN"      # payload: error text (a permanent error: bad kind, forbidden, ...)
# Seconds a synced condition dated to the change's own second must stay unchanged to count as the
# reconcile of the change (ACK reconciles a spec change within a second or two of seeing it).
SAME_SECOND_GRACE = 10.0


class WatchStats(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.lists = 0
        self.watch_requests = 0
        self.reconnects = 0
        self.gone = 0
        self.events = 0
        self.errors = []

    def bump(self, name, count=1):
        with self.lock:
            setattr(self, name, getattr(self, name) + count)

    def error(self, exc):
        with self.lock:
            self.errors.append("{0}: {1}".format(type(exc).__name__, exc)[:300])

    def as_dict(self):
        with self.lock:
            return {
                "lists": self.lists,
                "watch_requests": self.watch_requests,
                "reconnects": self.reconnects,
                "gone_relists": self.gone,
                "events": self.events,
                "errors": list(self.errors[-5:]),
            }


class GoneError(Exception):
    """The requested resourceVersion is too old (HTTP 410)."""


class PermanentError(Exception):
    """An error that retrying cannot fix (unknown kind, forbidden, bad selector)."""


class WatchTarget(object):
    """One list+watch: a kind in a namespace (or all), narrowed to some names or a selector."""

    def __init__(self, api_version, kind, namespace=None, names=None, label_selector=None):
        self.api_version = api_version
        self.kind = kind
        self.namespace = namespace
        self.names = set(names) if names else None
        self.label_selector = label_selector

    def wants(self, obj):
        return self.names is None or ((obj.get("metadata") or {}).get("name") in self.names)

    def field_selector(self):
        if self.names and len(self.names) == 1:
            return "metadata.name={0}".format(next(iter(self.names)))
        return None

    def describe(self):
        where = "namespace {0}".format(self.namespace) if self.namespace else "all namespaces"
        if self.names:
            what = "name{0} {1}".format("s" if len(self.names) > 1 else "", ", ".join(sorted(self.names)))
        else:
            what = "selector '{0}'".format(self.label_selector or "")
        return "{0} {1} ({2}, {3})".format(self.api_version, self.kind, what, where)


def _status_of(exc):
    return getattr(exc, "status", None)


class WatchThread(threading.Thread):
    """list + watch for one target, until `stop` is set.

    `api` has two methods (see KubeApi below): list(target) -> (items, rv) and
    watch(target, resource_version, timeout_seconds) -> iterable of {type, object} events.
    """

    def __init__(self, index, api, target, out, stats, stop, watch_timeout, retry_delay=0.5):
        super(WatchThread, self).__init__(name="ack-wait-watch-{0}".format(index))
        self.daemon = True
        self.index = index
        self.api = api
        self.target = target
        self.out = out
        self.stats = stats
        self.stop = stop
        self.watch_timeout = watch_timeout
        self.retry_delay = retry_delay
        self.resource_version = None

    def _pause(self, attempt):
        self.stop.wait(min(self.retry_delay * (2 ** min(attempt - 1, 4)), 5.0))

    def _follow(self):
        """One watch request from self.resource_version, which follows every event and bookmark
        (so a dropped connection resumes where it broke)."""
        self.stats.bump("watch_requests")
        for event in self.api.watch(self.target, self.resource_version, self.watch_timeout):
            if self.stop.is_set():
                return
            etype = event.get("type")
            obj = event.get("object") or {}
            if etype == "ERROR":
                if obj.get("code") == 410:
                    raise GoneError(obj.get("message"))
                raise RuntimeError("watch error: {0}".format(obj.get("message") or obj))
            self.resource_version = (obj.get("metadata") or {}).get("resourceVersion") or self.resource_version
            if etype == "BOOKMARK" or not self.target.wants(obj):
                continue
            self.stats.bump("events")
            self.out.put((self.index, EVENT, (etype, obj)))

    def run(self):
        self.resource_version = None
        failures = 0
        while not self.stop.is_set():
            try:
                if self.resource_version is None:
                    items, self.resource_version = self.api.list(self.target)
                    self.stats.bump("lists")
                    self.out.put((self.index, SYNC, [o for o in items if self.target.wants(o)]))
                self._follow()
                failures = 0
                # the server closed the watch (timeoutSeconds): resume from resource_version
                self.stats.bump("reconnects")
            except PermanentError as exc:
                self.out.put((self.index, BROKEN, str(exc)))
                return
            except Exception as exc:  # 410, dropped connection, read timeout, server restart...
                if self.stop.is_set():
                    return
                if isinstance(exc, GoneError) or _status_of(exc) == 410:
                    self.stats.bump("gone")
                    self.resource_version = None
                    continue
                failures += 1
                self.stats.bump("reconnects")
                self.stats.error(exc)
                self._pause(failures)


def _short(exc):
    body = getattr(exc, "body", None)
    if body:
        try:
            return json.loads(body).get("message") or str(exc)
        except Exception:
            pass
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class KubeApi(object):
    """list/watch through the kubernetes.core client (so auth options are the same) and the
    kubernetes client's watch.Watch."""

    def __init__(self, k8s_client, request_timeout=15):
        self.k8s_client = k8s_client
        self.request_timeout = request_timeout
        self._resources = {}

    def resource(self, target):
        key = (target.api_version, target.kind)
        if key not in self._resources:
            self._resources[key] = self.k8s_client.resource(target.kind, target.api_version)
        return self._resources[key]

    def _selectors(self, target):
        return dict(field_selector=target.field_selector(), label_selector=target.label_selector)

    def _permanent(self, verb, target, exc):
        if _status_of(exc) in (400, 401, 403, 404):
            return PermanentError("cannot {0} {1}: {2}".format(verb, target.describe(), _short(exc)))
        return None

    def list(self, target):
        resource = self.resource(target)
        try:
            listing = resource.get(namespace=target.namespace, _request_timeout=self.request_timeout,
                                   **self._selectors(target))
        except Exception as exc:
            raise self._permanent("list", target, exc) or exc
        data = listing.to_dict()
        items = data.get("items") or []
        for item in items:  # list items carry no apiVersion/kind
            item.setdefault("apiVersion", target.api_version)
            item.setdefault("kind", resource.kind)
        return items, (data.get("metadata") or {}).get("resourceVersion")

    def watch(self, target, resource_version, timeout_seconds):
        resource = self.resource(target)
        watcher = k8s_watch.Watch()
        stream = watcher.stream(
            resource.get, namespace=target.namespace, resource_version=resource_version,
            timeout_seconds=int(timeout_seconds), allow_watch_bookmarks=True, serialize=False,
            # connect timeout, then read timeout: a silent connection is noticed and redone
            _request_timeout=(self.request_timeout, timeout_seconds + self.request_timeout),
            **self._selectors(target))
        try:
            for event in stream:
                yield {"type": event.get("type"), "object": event.get("raw_object") or {}}
        except Exception as exc:
            if _status_of(exc) == 410:
                raise GoneError(str(exc))
            raise self._permanent("watch", target, exc) or exc
        finally:
            watcher.stop()


class Waiter(object):
    """Waits until every tracked resource is done, one is failed, or time runs out.

    targets: list of (WatchTarget, expected keys). A target with names expects those resources;
    a selector target (no expected keys) tracks whatever matches.
    markers: key -> ChangeMarker of the change the caller made (see ack_conditions).
    recoverable_timeout: seconds one resource may keep the same ACK.Recoverable error before it
    counts as failed (0: never).
    """

    def __init__(self, api, targets, state, markers=None, watch_timeout=290, clock=time.monotonic,
                 recoverable_timeout=0, same_second_grace=SAME_SECOND_GRACE):
        self.api = api
        self.targets = targets
        self.state = state
        self.markers = dict(markers or {})
        self.watch_timeout = watch_timeout
        self.clock = clock
        self.recoverable_timeout = recoverable_timeout
        self.same_second_grace = same_second_grace
        self.same_second = {}   # key -> seconds after start its synced condition was first seen ambiguous
        self.stats = WatchStats()
        self.queue = queue.Queue()
        self.stop = threading.Event()
        self.objects = {}       # key -> document (None when gone)
        self.origin = {}        # key -> target index
        self.generations = {}  # key -> last metadata.generation seen
        self.done_at = {}       # key -> seconds after start it became done
        self.done_wall = {}     # key -> wall-clock time (epoch seconds) it became done
        self.recoverable = {}   # key -> (error without request ids, seconds after start first seen)
        self.listed = set()     # target indexes that delivered their first list
        self.broken = {}        # target index -> error text
        self.deleted_while_waiting = set()
        self.start = None

    # -- bookkeeping -------------------------------------------------------------------------

    def _store(self, index, obj):
        key = conds.resource_key(obj)
        generation = conds.generation_of(obj)
        seen = self.generations.get(key)
        if seen is not None and generation is not None and generation > seen:
            # A spec change while waiting: the conditions in this first document of the new
            # generation were all written before it.
            self.markers[key] = conds.marker_from_watch(obj)
        if generation is not None:
            self.generations[key] = generation
        self.objects[key] = obj
        self.origin[key] = index

    def _apply(self, index, kind, payload):
        if kind == BROKEN:
            self.broken[index] = payload
            return
        if kind == SYNC:
            self.listed.add(index)
            present = set()
            for obj in payload:
                self._store(index, obj)
                present.add(conds.resource_key(obj))
            for key, origin in list(self.origin.items()):
                if origin == index and key not in present and self.objects.get(key) is not None:
                    self._gone(key)
            return
        etype, obj = payload
        self._store(index, obj)
        if etype == "DELETED":
            self._gone(conds.resource_key(obj))

    def _gone(self, key):
        self.objects[key] = None
        self.generations.pop(key, None)
        if self.state == "synced":
            self.deleted_while_waiting.add(key)

    def expected_keys(self):
        keys = set(self.objects)
        for dummy, expected in self.targets:
            keys.update(expected or ())
        return sorted(keys, key=lambda k: tuple(str(p) for p in k))

    def _recoverable_verdict(self, key, verdict, now):
        error = verdict.get("recoverable")
        if error is None:
            self.recoverable.pop(key, None)
            return verdict
        tracked = self.recoverable.get(key)
        if tracked is None or tracked[0] != error:
            self.recoverable[key] = (error, now)
            return verdict
        lasted = now - tracked[1]
        if self.recoverable_timeout and lasted >= self.recoverable_timeout:
            return {"outcome": "failed", "recoverable_for": round(lasted, 1),
                    "reason": "the same error for {0:.0f}s (recoverable_timeout {1}s), which ACK retries "
                              "forever: {2}".format(lasted, self.recoverable_timeout, verdict["reason"])}
        return verdict

    def _same_second_verdict(self, key, verdict, now):
        """A synced condition dated to the change's second (see ack_conditions.written_in_the_change_second)
        that stays as it is for same_second_grace seconds was written by the reconcile of the change: a
        controller that was writing in that very second has the change in its watch, and a later reconcile
        would have dated its conditions later."""
        if not verdict.get("same_second"):
            self.same_second.pop(key, None)
            return verdict
        first_seen = self.same_second.setdefault(key, now)
        if now - first_seen >= self.same_second_grace:
            return {"outcome": "done", "reason": "{0}=True, written in the second of the spec change and unchanged "
                                                 "for {1:.0f}s".format(conds.SYNCED, now - first_seen)}
        return verdict

    def verdicts(self, now=None):
        now = self.elapsed() if now is None else now
        result = {}
        for key in self.expected_keys():
            obj = self.objects.get(key)
            verdict = conds.evaluate(obj, self.state, self.markers.get(key))
            if self.state == "synced" and key in self.deleted_while_waiting:
                verdict = {"outcome": "failed", "reason": "resource was deleted while waiting for it to sync"}
            result[key] = self._recoverable_verdict(key, self._same_second_verdict(key, verdict, now), now)
        return result

    # -- running -----------------------------------------------------------------------------

    def _drain(self, block_for):
        """Apply queued updates; block up to `block_for` seconds for the first one."""
        try:
            item = self.queue.get(timeout=block_for) if block_for > 0 else self.queue.get_nowait()
        except queue.Empty:
            return False
        self._apply(*item)
        while True:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return True
            self._apply(*item)

    def start_threads(self):
        self.start = self.clock()
        for index, (target, dummy) in enumerate(self.targets):
            WatchThread(index, self.api, target, self.queue, self.stats, self.stop,
                        self.watch_timeout).start()

    def wait_initial_lists(self, deadline):
        while len(self.listed) + len(self.broken) < len(self.targets):
            remaining = deadline - self.clock()
            if remaining <= 0:
                return False
            self._drain(min(remaining, 1.0))
        return True

    def elapsed(self):
        return self.clock() - self.start

    def _next_wakeup(self, now, timeout):
        """Seconds until the earliest recoverable grace ends (so a silent resource fails on time)."""
        wakeup = timeout - now
        for first_seen in self.same_second.values():
            wakeup = min(wakeup, max(0.05, first_seen + self.same_second_grace - now))
        if self.recoverable_timeout:
            for dummy, first_seen in self.recoverable.values():
                wakeup = min(wakeup, max(0.05, first_seen + self.recoverable_timeout - now))
        return wakeup

    def run(self, timeout, quiet_period=0.0, once=False):
        """Returns (outcome, verdicts) with outcome in done/failed/timeout/broken/empty/missing/once."""
        self.start_threads()
        deadline = self.start + timeout
        try:
            if not self.wait_initial_lists(max(deadline, self.start + 30)):
                return "timeout", self.verdicts()
            if self.broken:
                return "broken", self.verdicts()
            if once:
                return "once", self.verdicts()
            missing = [key for dummy, expected in self.targets for key in (expected or ())
                       if self.objects.get(key) is None]
            if self.state == "synced" and missing:
                return "missing", self.verdicts()
            if self.state == "synced" and not self.objects:
                return "empty", self.verdicts()
            all_done_since = None
            while True:
                now = self.elapsed()
                verdicts = self.verdicts(now)
                for key, verdict in verdicts.items():
                    if verdict["outcome"] == "done":
                        if key not in self.done_at:
                            self.done_at[key] = now
                            self.done_wall[key] = time.time()
                    else:
                        self.done_at.pop(key, None)
                        self.done_wall.pop(key, None)
                if any(v["outcome"] == "failed" for v in verdicts.values()):
                    return "failed", verdicts
                if self.broken:
                    return "broken", verdicts
                if verdicts and all(v["outcome"] == "done" for v in verdicts.values()):
                    if all_done_since is None:
                        all_done_since = now
                    if now - all_done_since >= quiet_period:
                        return "done", verdicts
                    block = quiet_period - (now - all_done_since)
                else:
                    all_done_since = None
                    block = self._next_wakeup(now, timeout)
                if now >= timeout:
                    return "timeout", verdicts
                self._drain(min(block, timeout - now))
        finally:
            self.stop.set()
