# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Event-driven waiting for ackops.serverless.ack_wait.

One thread per watched target runs list+watch against the API server and pushes what it sees
into a queue; the waiting loop in the calling thread reacts to each event at once (no
sleep-polling). A watch resumes from the last resourceVersion it saw when the server ends it
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

# what a watch thread puts in the queue
SYNC = "SYNC"          # payload: list of documents (a fresh list; anything else is gone)
EVENT = "EVENT"        # payload: (type, document)
BROKEN = "BROKEN"      # payload: error text (a permanent error: bad kind, forbidden, ...)


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


def _iter_lines(response):
    buf = b""
    for chunk in response.stream(amt=None, decode_content=False):
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        buf += chunk
        while True:
            pos = buf.find(b"\n")
            if pos < 0:
                break
            line, buf = buf[:pos], buf[pos + 1:]
            if line.strip():
                yield line.decode("utf-8", "replace")
    if buf.strip():
        yield buf.decode("utf-8", "replace")


class WatchTarget(object):
    """One list+watch: a kind in a namespace, narrowed to one name or a label selector."""

    def __init__(self, api_version, kind, namespace=None, name=None, label_selector=None):
        self.api_version = api_version
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.label_selector = label_selector

    def describe(self):
        where = "namespace {0}".format(self.namespace) if self.namespace else "all namespaces"
        what = "name {0}".format(self.name) if self.name else "selector '{0}'".format(self.label_selector or "")
        return "{0} {1} ({2}, {3})".format(self.api_version, self.kind, what, where)


class WatchThread(threading.Thread):
    """list + watch for one target, forever, until `stop` is set.

    `api` is an object with two methods (see DynamicApi below): list(target) -> (items, rv)
    and watch(target, resource_version, timeout_seconds) -> iterable of decoded events.
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

    def _pause(self, attempt):
        self.stop.wait(min(self.retry_delay * (2 ** min(attempt - 1, 4)), 5.0))

    def run(self):
        resource_version = None
        failures = 0
        while not self.stop.is_set():
            try:
                if resource_version is None:
                    items, resource_version = self.api.list(self.target)
                    self.stats.bump("lists")
                    self.out.put((self.index, SYNC, items))
                self.stats.bump("watch_requests")
                for event in self.api.watch(self.target, resource_version, self.watch_timeout):
                    if self.stop.is_set():
                        return
                    failures = 0
                    etype = event.get("type")
                    obj = event.get("object") or {}
                    if etype == "ERROR":
                        if obj.get("code") == 410:
                            raise GoneError(obj.get("message"))
                        raise RuntimeError("watch error: {0}".format(obj.get("message") or obj))
                    new_rv = (obj.get("metadata") or {}).get("resourceVersion")
                    if new_rv:
                        resource_version = new_rv
                    if etype == "BOOKMARK":
                        continue
                    self.stats.bump("events")
                    self.out.put((self.index, EVENT, (etype, obj)))
                # the server closed the watch (timeoutSeconds): resume from resource_version
                self.stats.bump("reconnects")
            except GoneError:
                self.stats.bump("gone")
                resource_version = None
            except PermanentError as exc:
                self.out.put((self.index, BROKEN, str(exc)))
                return
            except Exception as exc:  # dropped connection, read timeout, server restart...
                if self.stop.is_set():
                    return
                failures += 1
                self.stats.bump("reconnects")
                with self.stats.lock:
                    self.stats.errors.append("{0}: {1}".format(type(exc).__name__, exc)[:300])
                if _status_of(exc) == 410:
                    self.stats.bump("gone")
                    resource_version = None
                self._pause(failures)


class PermanentError(Exception):
    """An error that retrying cannot fix (unknown kind, forbidden, bad selector)."""


def _status_of(exc):
    return getattr(exc, "status", None)


class DynamicApi(object):
    """list/watch through the kubernetes.core client (so auth options are the same)."""

    def __init__(self, k8s_client, request_timeout=15):
        self.k8s_client = k8s_client
        self.dynamic = k8s_client.client
        self.request_timeout = request_timeout
        self._resources = {}

    def resource(self, target):
        key = (target.api_version, target.kind)
        if key not in self._resources:
            self._resources[key] = self.k8s_client.resource(target.kind, target.api_version)
        return self._resources[key]

    def _params(self, target):
        params = {}
        if target.name:
            params["field_selector"] = "metadata.name={0}".format(target.name)
        if target.label_selector:
            params["label_selector"] = target.label_selector
        return params

    def list(self, target):
        resource = self.resource(target)
        try:
            response = self.dynamic.request(
                "get", resource.path(namespace=target.namespace), serialize=False,
                _request_timeout=self.request_timeout, **self._params(target))
        except Exception as exc:
            if _status_of(exc) in (400, 401, 403, 404):
                raise PermanentError("cannot list {0}: {1}".format(target.describe(), _short(exc)))
            raise
        data = json.loads(response.data.decode("utf-8"))
        items = data.get("items") or []
        # list items carry no apiVersion/kind
        for item in items:
            item.setdefault("apiVersion", target.api_version)
            item.setdefault("kind", resource.kind)
        return items, (data.get("metadata") or {}).get("resourceVersion")

    def watch(self, target, resource_version, timeout_seconds):
        resource = self.resource(target)
        try:
            response = self.dynamic.request(
                "get", resource.path(namespace=target.namespace), serialize=False, watch=True,
                resource_version=resource_version, timeout_seconds=int(timeout_seconds),
                allow_watch_bookmarks=True,
                # connect timeout, then read timeout: a silent connection is noticed and redone
                _request_timeout=(self.request_timeout, timeout_seconds + self.request_timeout),
                **self._params(target))
        except Exception as exc:
            if _status_of(exc) == 410:
                raise GoneError(str(exc))
            if _status_of(exc) in (400, 401, 403, 404):
                raise PermanentError("cannot watch {0}: {1}".format(target.describe(), _short(exc)))
            raise
        try:
            for line in _iter_lines(response):
                yield json.loads(line)
        finally:
            response.release_conn()


def _short(exc):
    body = getattr(exc, "body", None)
    if body:
        try:
            return json.loads(body).get("message") or str(exc)
        except Exception:
            pass
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class Waiter(object):
    """Waits until every tracked resource is done, one is failed, or time runs out.

    targets: list of (WatchTarget, expected_key or None). A target with a name expects that
    one resource; a selector target tracks whatever matches.
    """

    def __init__(self, api, targets, state, markers=None, watch_timeout=290, clock=time.monotonic):
        self.api = api
        self.targets = targets
        self.state = state
        self.markers = markers or {}
        self.watch_timeout = watch_timeout
        self.clock = clock
        self.stats = WatchStats()
        self.queue = queue.Queue()
        self.stop = threading.Event()
        self.objects = {}       # key -> document (None when gone)
        self.origin = {}        # key -> target index
        self.seen = set()       # keys that existed at some point
        self.done_at = {}       # key -> seconds after start it became done
        self.done_wall = {}     # key -> wall-clock time (epoch seconds) it became done
        self.detected = {}      # key -> ChangeMarker detected when first seen
        self.listed = set()     # target indexes that delivered their first list
        self.broken = {}        # target index -> error text
        self.deleted_while_waiting = set()
        self.start = None

    # -- bookkeeping -------------------------------------------------------------------------

    def _marker(self, key, obj):
        if key in self.markers:
            return self.markers[key]
        if key not in self.detected and obj is not None:
            self.detected[key] = conds.marker_from_object(obj)
        return self.detected.get(key)

    def _store(self, index, obj):
        key = conds.resource_key(obj)
        self.objects[key] = obj
        self.origin[key] = index
        self.seen.add(key)

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
        if etype == "DELETED":
            self._store(index, obj)
            self._gone(conds.resource_key(obj))
        else:
            self._store(index, obj)

    def _gone(self, key):
        self.objects[key] = None
        if self.state == "synced":
            self.deleted_while_waiting.add(key)

    def expected_keys(self):
        keys = set(self.objects)
        for target, key in self.targets:
            if key is not None:
                keys.add(key)
        return sorted(keys, key=lambda k: tuple(str(p) for p in k))

    def verdicts(self):
        result = {}
        for key in self.expected_keys():
            obj = self.objects.get(key)
            verdict = conds.evaluate(obj, self.state, self._marker(key, obj))
            if self.state == "synced" and key in self.deleted_while_waiting:
                verdict = {"outcome": "failed", "reason": "resource was deleted while waiting for it to sync"}
            result[key] = verdict
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
            missing = [key for target, key in self.targets
                       if key is not None and self.objects.get(key) is None]
            if self.state == "synced" and missing:
                return "missing", self.verdicts()
            if self.state == "synced" and not self.objects:
                return "empty", self.verdicts()
            all_done_since = None
            while True:
                verdicts = self.verdicts()
                now = self.elapsed()
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
                    block = timeout - now
                if now >= timeout:
                    return "timeout", verdicts
                self._drain(min(block, timeout - now))
        finally:
            self.stop.set()
