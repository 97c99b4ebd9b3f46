# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""A small ACK-like runtime: flags, watch + resync work queue, the generic reconcile loop.

Semantics mirror github.com/aws-controllers-k8s/runtime (pkg/runtime/reconciler.go,
pkg/condition/condition.go) and the code ACK's generator writes into each controller
(updateConditions in pkg/resource/<kind>/sdk.go):

* conditions are rebuilt on every reconcile (resetConditions), so each reconcile writes
  ACK.ResourceSynced, Ready and (when the kind has references) ACK.ReferencesResolved again,
  each with lastTransitionTime = now (SetSynced/SetReady/SetReferencesResolved stamp it
  unconditionally). ACK.Terminal / ACK.Recoverable come from updateConditions, which sets
  status and message only: they carry no lastTransitionTime.
* terminal error  -> ACK.Terminal True (message = AWS error), ResourceSynced False.
  other error     -> ACK.Recoverable True (message = AWS error), ResourceSynced Unknown, requeue
  with exponential backoff.
* the finalizer finalizers.<svc>.services.k8s.aws/<Kind> is added before the AWS create call and
  removed after the AWS resource is deleted (or already gone, or the deletion policy is retain).
"""

import argparse
import datetime
import heapq
import http.server
import logging
import os
import signal
import threading
import time

import boto3
import botocore.config
import botocore.exceptions
import kubernetes
from kubernetes import watch as k8s_watch

LOG = logging.getLogger("ack")

SYNCED = "ACK.ResourceSynced"
READY = "Ready"
TERMINAL = "ACK.Terminal"
RECOVERABLE = "ACK.Recoverable"
REFS = "ACK.ReferencesResolved"

SYNCED_MESSAGE = "Resource synced successfully"
NOT_SYNCED_MESSAGE = "Resource not synced"
UNKNOWN_SYNCED_MESSAGE = "Unable to determine if desired resource state matches latest observed state"
FAILED_REFERENCE_MESSAGE = "Reference resolution failed"
TERMINAL_REASON = "resource is in terminal condition"  # ackerr.Terminal, the reconcile error ACK records

DELETION_POLICY_ANNOTATION = "services.k8s.aws/deletion-policy"
REGION_ANNOTATION = "services.k8s.aws/region"
RESYNC_ENV = "ACKOPS_STANDIN_RESYNC_SECONDS"


class TerminalError(Exception):
    """The desired state cannot be reached without a spec change."""


class ReferenceError_(Exception):  # pylint: disable=invalid-name
    """A referenced resource is missing or not synced yet (ACK: not terminal, retried)."""


class RequeueNeeded(Exception):
    """Nothing failed, the AWS resource is still converging."""


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def aws_error_message(exc):
    """ACK formats AWS errors through aws-sdk-go-v2's smithy APIError: 'api error <Code>: <Message>'."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        return "api error %s: %s" % (err.get("Code", "Unknown"), err.get("Message", ""))
    return str(exc)


def error_code(exc):
    if isinstance(exc, botocore.exceptions.ClientError):
        return exc.response.get("Error", {}).get("Code", "")
    return ""


# ---------------------------------------------------------------------------------------------
# flags


def parse_flags(argv):
    """The controller flags of ACK's runtime (pkg/config); unknown flags are logged and ignored."""
    parser = argparse.ArgumentParser(prog="controller")
    parser.add_argument("--aws-region", default="")
    parser.add_argument("--aws-endpoint-url", default="")
    parser.add_argument("--aws-identity-endpoint-url", default="")
    parser.add_argument("--allow-unsafe-aws-endpoint-urls", action="store_true")
    for flag in ("--enable-development-logging", "--enable-leader-election", "--enable-carm"):
        # Go bool flags: bare (--flag) or with a value (--flag=false)
        parser.add_argument(flag, nargs="?", const="true", default="false")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--watch-namespace", default="")
    parser.add_argument("--deletion-policy", default="delete", choices=["delete", "retain"])
    parser.add_argument("--healthz-addr", default=":8081")
    parser.add_argument("--metrics-addr", default=":8080")
    parser.add_argument("--reconcile-resources", default="")
    parser.add_argument("--reconcile-default-resync-seconds", type=int, default=36000)
    parser.add_argument("--resource-tags", default="")
    args, unknown = parser.parse_known_args(argv)
    return args, unknown


def validate_flags(args):
    if not args.aws_region:
        raise SystemExit("error: --aws-region is required (chart value aws.region)")
    for flag in ("aws_endpoint_url", "aws_identity_endpoint_url"):
        url = getattr(args, flag)
        if url.startswith("http://") and not args.allow_unsafe_aws_endpoint_urls:
            raise SystemExit("error: --%s %s is not https: pass --allow-unsafe-aws-endpoint-urls "
                             "(chart value aws.allow_unsafe_aws_endpoint_urls=true)" % (flag.replace("_", "-"), url))


def host_port(addr, default_host="127.0.0.1"):
    host, _, port = addr.rpartition(":")
    return host or default_host, int(port)


# ---------------------------------------------------------------------------------------------
# work queue: de-duplicating, with delayed requeue


class WorkQueue:
    def __init__(self):
        self._cond = threading.Condition()
        self._ready = []
        self._queued = set()
        self._delayed = []  # heap of (due, seq, key)
        self._seq = 0

    def add(self, key, delay=0.0):
        with self._cond:
            if delay > 0:
                self._seq += 1
                heapq.heappush(self._delayed, (time.monotonic() + delay, self._seq, key))
            elif key not in self._queued:
                self._queued.add(key)
                self._ready.append(key)
            self._cond.notify_all()

    def get(self, stop):
        with self._cond:
            while not stop.is_set():
                now = time.monotonic()
                while self._delayed and self._delayed[0][0] <= now:
                    _due, _seq, key = heapq.heappop(self._delayed)
                    if key not in self._queued:
                        self._queued.add(key)
                        self._ready.append(key)
                if self._ready:
                    key = self._ready.pop(0)
                    self._queued.discard(key)
                    return key
                timeout = 1.0
                if self._delayed:
                    timeout = max(0.01, min(timeout, self._delayed[0][0] - now))
                self._cond.wait(timeout)
            return None


# ---------------------------------------------------------------------------------------------
# resource manager interface


class ResourceManager:
    """One per kind. Subclasses talk to AWS; the reconciler does the ACK bookkeeping."""

    kind = ""
    plural = ""
    service = ""

    def __init__(self, ctx):
        self.ctx = ctx

    def references_present(self, cr):  # pylint: disable=unused-argument
        """True when the spec uses *Ref fields (ACK then publishes ACK.ReferencesResolved)."""
        return False

    def resolve_references(self, cr):
        """Return a copy of the spec with references resolved; raise ReferenceError_."""
        return dict(cr.get("spec") or {})

    def validate(self, spec):
        """Raise TerminalError for a spec AWS would refuse (only where moto does not check)."""

    def read(self, cr, spec):
        """Return the observed AWS state (dict) or None when it does not exist."""
        raise NotImplementedError

    def create(self, cr, spec):
        raise NotImplementedError

    def delta(self, spec, observed):
        """Names of the spec fields whose desired value differs from observed."""
        return []

    def update(self, cr, spec, observed, diffs):
        raise NotImplementedError

    def delete(self, cr, spec, observed):
        raise NotImplementedError

    def status(self, observed):
        """(arn, kind-specific status fields)."""
        raise NotImplementedError

    def is_synced(self, observed):  # pylint: disable=unused-argument
        return True

    def is_terminal(self, exc):
        """ACK's terminalAWSError: the generator lists the codes per kind (generator.yaml)."""
        return error_code(exc) in ("InvalidParameterValue", "InvalidParameterValueException",
                                   "ValidationException", "InvalidParameterCombination",
                                   "InvalidAttributeName", "InvalidAttributeValue")


class Context:
    """What every manager needs: flags, boto3 clients against the endpoint, kube API."""

    def __init__(self, flags, service):
        self.flags = flags
        self.service = service
        self.region = flags.aws_region
        self.endpoint = flags.aws_endpoint_url or None
        self.session = boto3.session.Session(region_name=self.region)
        self._clients = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self.account_id = None
        kubernetes.config.load_kube_config(config_file=os.environ.get("KUBECONFIG"))
        self.custom = kubernetes.client.CustomObjectsApi()

    @property
    def current_region(self):
        """The region of the resource being reconciled (annotation services.k8s.aws/region)."""
        return getattr(self._local, "region", None) or self.region

    def use_region(self, region):
        self._local.region = region or self.region

    def client(self, name):
        key = (name, self.current_region)
        with self._lock:
            if key not in self._clients:
                endpoint = self.endpoint
                if name == "sts" and self.flags.aws_identity_endpoint_url:
                    endpoint = self.flags.aws_identity_endpoint_url
                self._clients[key] = self.session.client(
                    name, region_name=key[1], endpoint_url=endpoint,
                    config=botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"},
                                                  connect_timeout=5, read_timeout=30))
            return self._clients[key]

    def caller_identity(self):
        ident = self.client("sts").get_caller_identity()
        self.account_id = ident["Account"]
        return ident


# ---------------------------------------------------------------------------------------------
# reconciler


class Reconciler:
    def __init__(self, ctx, manager, resync_seconds):
        self.ctx = ctx
        self.rm = manager
        self.group = "%s.services.k8s.aws" % manager.service
        self.finalizer = "finalizers.%s.services.k8s.aws/%s" % (manager.service, manager.kind)
        self.queue = WorkQueue()
        self.resync_seconds = resync_seconds
        self.failures = {}
        self.log = logging.getLogger("ack.%s" % manager.kind)
        self.reconciles = 0
        self.errors = 0
        self._seen = {}

    # kube helpers -----------------------------------------------------------------------------
    def _get(self, namespace, name):
        try:
            return self.ctx.custom.get_namespaced_custom_object(self.group, "v1alpha1", namespace, self.rm.plural, name)
        except kubernetes.client.ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def _list(self):
        ns = self.ctx.flags.watch_namespace
        if ns:
            return self.ctx.custom.list_namespaced_custom_object(self.group, "v1alpha1", ns, self.rm.plural)
        return self.ctx.custom.list_cluster_custom_object(self.group, "v1alpha1", self.rm.plural)

    def _patch_meta(self, cr, patch):
        meta = cr["metadata"]
        patch = dict(patch)
        patch.setdefault("metadata", {})["resourceVersion"] = meta["resourceVersion"]
        return self.ctx.custom.patch_namespaced_custom_object(
            self.group, "v1alpha1", meta["namespace"], self.rm.plural, meta["name"], patch)

    def _patch_status(self, cr, status):
        if status == (cr.get("status") or {}):
            return cr
        meta = cr["metadata"]
        body = {"status": status}
        return self.ctx.custom.patch_namespaced_custom_object_status(
            self.group, "v1alpha1", meta["namespace"], self.rm.plural, meta["name"], body)

    # loops ------------------------------------------------------------------------------------
    def watch_loop(self, stop):
        while not stop.is_set():
            try:
                listing = self._list()
                for item in listing.get("items", []):
                    self._changed(item)
                    self.queue.add(_key(item))
                rv = listing["metadata"]["resourceVersion"]
                ns = self.ctx.flags.watch_namespace
                w = k8s_watch.Watch()
                if ns:
                    func, args = self.ctx.custom.list_namespaced_custom_object, (self.group, "v1alpha1", ns, self.rm.plural)
                else:
                    func, args = self.ctx.custom.list_cluster_custom_object, (self.group, "v1alpha1", self.rm.plural)
                for event in w.stream(func, *args, resource_version=rv, timeout_seconds=60, allow_watch_bookmarks=True):
                    if stop.is_set():
                        w.stop()
                        break
                    if event["type"] in ("ADDED", "DELETED") or (
                            event["type"] == "MODIFIED" and self._changed(event["object"])):
                        self.queue.add(_key(event["object"]))
                    elif event["type"] == "ERROR":
                        break
            except Exception as exc:  # pylint: disable=broad-except
                self.log.warning("watch of %s failed (%s); retrying", self.rm.plural, exc)
                stop.wait(2)

    def _changed(self, obj):
        """ACK filters events with controller-runtime's GenerationChangedPredicate: status-only
        writes (our own included) do not trigger a reconcile; spec, deletion and annotation
        changes do."""
        meta = obj["metadata"]
        key = _key(obj)
        seen = (meta.get("generation"), bool(meta.get("deletionTimestamp")),
                tuple(sorted((meta.get("annotations") or {}).items())))
        changed = self._seen.get(key) != seen
        self._seen[key] = seen
        return changed

    def resync_loop(self, stop):
        while not stop.wait(self.resync_seconds):
            try:
                for item in self._list().get("items", []):
                    self.queue.add(_key(item))
            except Exception as exc:  # pylint: disable=broad-except
                self.log.warning("resync list failed: %s", exc)

    def work_loop(self, stop):
        while not stop.is_set():
            key = self.queue.get(stop)
            if key is None:
                return
            try:
                requeue = self.reconcile(*key)
            except Exception as exc:  # pylint: disable=broad-except
                self.log.exception("reconcile %s/%s crashed: %s", key[0], key[1], exc)
                requeue = self._backoff(key)
            if requeue:
                self.queue.add(key, requeue)
            else:
                self.failures.pop(key, None)

    def _backoff(self, key):
        n = self.failures.get(key, 0) + 1
        self.failures[key] = n
        return min(1.0 * 2 ** (n - 1), 30.0)

    # the reconcile ----------------------------------------------------------------------------
    def reconcile(self, namespace, name):
        """Return None when done, or seconds after which to reconcile again."""
        cr = self._get(namespace, name)
        if cr is None:
            return None
        self.reconciles += 1
        self.ctx.use_region((cr["metadata"].get("annotations") or {}).get(REGION_ANNOTATION))
        if cr["metadata"].get("deletionTimestamp"):
            return self._reconcile_delete(cr)
        status = dict(cr.get("status") or {})
        conditions = []  # ACK resetConditions: rebuilt each reconcile
        requeue = None
        synced = "False"
        message, reason = NOT_SYNCED_MESSAGE, None
        spec = None
        try:
            spec = self._resolve(cr, conditions)
            self.rm.validate(spec)
            observed = self.rm.read(cr, spec)
            if observed is None:
                if self.finalizer not in (cr["metadata"].get("finalizers") or []):
                    cr = self._patch_meta(cr, {"metadata": {"finalizers": (cr["metadata"].get("finalizers") or []) + [self.finalizer]}})
                self.log.info("creating %s %s/%s", self.rm.kind, namespace, name)
                observed = self.rm.create(cr, spec)
            else:
                diffs = self.rm.delta(spec, observed)
                if diffs:
                    self.log.info("desired state of %s/%s changed: %s", namespace, name, ", ".join(diffs))
                    cr = self._mark_updating(cr, status, diffs)
                    observed = self.rm.update(cr, spec, observed, diffs)
            arn, fields = self.rm.status(observed)
            status.update(fields)
            status["ackResourceMetadata"] = {"arn": arn, "ownerAccountID": self.ctx.account_id,
                                             "region": self.ctx.current_region}
            if self.rm.is_synced(observed):
                synced, message = "True", SYNCED_MESSAGE
            else:
                requeue = 2.0
            self.failures.pop((namespace, name), None)
        except ReferenceError_ as exc:
            synced, message, reason = "Unknown", UNKNOWN_SYNCED_MESSAGE, str(exc)
            requeue = self._backoff((namespace, name))
        except TerminalError as exc:
            conditions.append({"type": TERMINAL, "status": "True", "message": str(exc)})
            synced, reason = "False", TERMINAL_REASON
            self.errors += 1
        except botocore.exceptions.ClientError as exc:
            msg = aws_error_message(exc)
            self.errors += 1
            if self.rm.is_terminal(exc):
                conditions.append({"type": TERMINAL, "status": "True", "message": msg})
                synced, reason = "False", TERMINAL_REASON
            else:
                conditions.append({"type": RECOVERABLE, "status": "True", "message": msg})
                synced, message, reason = "Unknown", UNKNOWN_SYNCED_MESSAGE, msg
                requeue = self._backoff((namespace, name))
            self.log.warning("%s %s/%s: %s", self.rm.kind, namespace, name, msg)
        except (botocore.exceptions.BotoCoreError, RequeueNeeded) as exc:
            conditions.append({"type": RECOVERABLE, "status": "True", "message": str(exc)})
            synced, message, reason = "Unknown", UNKNOWN_SYNCED_MESSAGE, str(exc)
            requeue = self._backoff((namespace, name))
        stamp = now_rfc3339()
        conditions.append(_cond(SYNCED, synced, message, reason, stamp))
        conditions.append(_cond(READY, synced, message, reason, stamp))
        status["conditions"] = _ordered(conditions)
        self._patch_status_fresh(namespace, name, status)
        return requeue

    def _resolve(self, cr, conditions):
        if not self.rm.references_present(cr):
            return self.rm.resolve_references(cr)
        stamp = now_rfc3339()
        try:
            spec = self.rm.resolve_references(cr)
        except ReferenceError_ as exc:
            conditions.append(_cond(REFS, "Unknown", FAILED_REFERENCE_MESSAGE, str(exc), stamp))
            raise
        conditions.append(_cond(REFS, "True", None, None, stamp))
        return spec

    def _mark_updating(self, cr, status, diffs):
        """Publish ResourceSynced False before applying a spec change (then True once applied)."""
        stamp = now_rfc3339()
        reason = "desired state differs at: %s" % ", ".join(diffs)
        conds = [c for c in status.get("conditions", []) if c.get("type") not in (SYNCED, READY)]
        conds += [_cond(SYNCED, "False", NOT_SYNCED_MESSAGE, reason, stamp),
                  _cond(READY, "False", NOT_SYNCED_MESSAGE, reason, stamp)]
        interim = dict(status, conditions=_ordered(conds))
        return self._patch_status(cr, interim)

    def _patch_status_fresh(self, namespace, name, status):
        current = self._get(namespace, name)
        if current is None:
            return
        self._patch_status(current, status)

    def _reconcile_delete(self, cr):
        meta = cr["metadata"]
        finalizers = meta.get("finalizers") or []
        if self.finalizer not in finalizers:
            return None
        policy = (meta.get("annotations") or {}).get(DELETION_POLICY_ANNOTATION) or self.ctx.flags.deletion_policy
        if policy not in ("delete", "retain"):
            policy = self.ctx.flags.deletion_policy
        if policy == "delete":
            try:
                spec = dict(cr.get("spec") or {})
                try:
                    spec = self.rm.resolve_references(cr)
                except ReferenceError_:
                    pass
                observed = self.rm.read(cr, spec)
                if observed is not None:
                    self.log.info("deleting AWS resource of %s %s/%s", self.rm.kind, meta["namespace"], meta["name"])
                    self.rm.delete(cr, spec, observed)
                    if self.rm.read(cr, spec) is not None:
                        return 1.0
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                msg = aws_error_message(exc)
                self.log.warning("delete of %s/%s failed: %s", meta["namespace"], meta["name"], msg)
                status = dict(cr.get("status") or {})
                stamp = now_rfc3339()
                status["conditions"] = _ordered([
                    {"type": RECOVERABLE, "status": "True", "message": msg},
                    _cond(SYNCED, "Unknown", UNKNOWN_SYNCED_MESSAGE, msg, stamp),
                    _cond(READY, "Unknown", UNKNOWN_SYNCED_MESSAGE, msg, stamp)])
                self._patch_status(cr, status)
                return self._backoff((meta["namespace"], meta["name"]))
        else:
            self.log.info("deletion policy retain: keeping the AWS resource of %s/%s", meta["namespace"], meta["name"])
        remaining = [f for f in finalizers if f != self.finalizer]
        try:
            self._patch_meta(cr, {"metadata": {"finalizers": remaining}})
        except kubernetes.client.ApiException as exc:
            if exc.status in (404, 409):
                return 0.5 if exc.status == 409 else None
            raise
        return None


ORDER = [REFS, TERMINAL, RECOVERABLE, SYNCED, READY]


def _ordered(conditions):
    return sorted(conditions, key=lambda c: ORDER.index(c["type"]) if c["type"] in ORDER else len(ORDER))


def _cond(ctype, status, message, reason, stamp):
    out = {"type": ctype, "status": status, "lastTransitionTime": stamp}
    if message:
        out["message"] = message
    if reason:
        out["reason"] = reason
    return out


def _key(obj):
    meta = obj["metadata"]
    return (meta["namespace"], meta["name"])


# ---------------------------------------------------------------------------------------------
# health/metrics server and main


def serve_health(addr, reconcilers, ready):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  pylint: disable=invalid-name
            if self.path in ("/healthz", "/readyz"):
                ok = ready.is_set()
                body = b"ok\n" if ok else b"starting\n"
                self.send_response(200 if ok else 503)
            elif self.path == "/metrics":
                lines = []
                for rec in reconcilers:
                    lines.append('ackops_standin_reconciles_total{kind="%s"} %d' % (rec.rm.kind, rec.reconciles))
                    lines.append('ackops_standin_reconcile_errors_total{kind="%s"} %d' % (rec.rm.kind, rec.errors))
                body = ("\n".join(lines) + "\n").encode()
                self.send_response(200)
            else:
                body = b"not found\n"
                self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the prober hung up

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(host_port(addr), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="healthz").start()
    return server


def run(service, manager_classes, argv=None):
    flags, unknown = parse_flags(argv if argv is not None else None)
    level = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "warning": logging.WARNING,
             "error": logging.ERROR}.get(flags.log_level.lower(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    logging.getLogger("kubernetes").setLevel(logging.WARNING)
    if unknown:
        LOG.info("flags accepted but not used by the stand-in: %s", " ".join(unknown))
    validate_flags(flags)
    ctx = Context(flags, service)
    ident = ctx.caller_identity()  # like ACK: exit when STS GetCallerIdentity fails
    LOG.info("ack %s stand-in starting: account=%s region=%s endpoint=%s watch-namespace=%s deletion-policy=%s role=%s",
             service, ident["Account"], ctx.region, ctx.endpoint, flags.watch_namespace or "<all>",
             flags.deletion_policy, os.environ.get("AWS_ROLE_ARN", "<none>"))
    selected = [k.strip() for k in flags.reconcile_resources.split(",") if k.strip()]
    resync = float(os.environ.get(RESYNC_ENV, "30"))
    reconcilers = [Reconciler(ctx, cls(ctx), resync) for cls in manager_classes
                   if not selected or cls.kind in selected]
    stop = threading.Event()
    ready = threading.Event()
    serve_health(flags.healthz_addr, reconcilers, ready)
    threads = []
    for rec in reconcilers:
        for target in (rec.watch_loop, rec.resync_loop, rec.work_loop):
            t = threading.Thread(target=target, args=(stop,), daemon=True, name="%s-%s" % (rec.rm.kind, target.__name__))
            t.start()
            threads.append(t)
    ready.set()
    def _stop(_signum, _frame):
        LOG.info("signal received, stopping")
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop.wait(1):
        pass
    return 0
