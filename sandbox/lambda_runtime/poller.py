# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox's Lambda service for SQS event source mappings.

Run by sandboxctl with .sandbox/env in the environment:

    .venv/bin/python sandbox/lambda_runtime/poller.py [--port 19000] [--rie-ports 19001-19099]

Every --poll-interval seconds it lists the event source mappings stored in moto. For each enabled
mapping of an SQS queue a worker receives batches (BatchSize, MaximumBatchingWindowInSeconds,
all attributes), invokes the function with the SQS event document, and deletes what succeeded:
everything on success, everything but the reported ids with ReportBatchItemFailures, nothing on
an invocation error. Undeleted messages come back after the queue's visibility timeout and go to
the dead-letter queue after maxReceiveCount (moto implements the redrive). Functions run under
the Runtime Interface Emulator (rie_process.py), restarted when their code or configuration
changes. GET /healthz and GET /stats on 127.0.0.1:<port>. See README.md beside this file.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import function_code  # a sibling: the script's folder is first on sys.path
import function_logs
import rie_process
import sqs_event

LOG = logging.getLogger("lambda-runtime")
HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
CODE_RETRY_SECONDS = 10.0


def _now():
    return time.monotonic()


class Stats:
    """Counters per mapping UUID, served by GET /stats."""

    FIELDS = ("received", "invocations", "invocation_errors", "deleted", "item_failures", "delete_errors")

    def __init__(self):
        self._lock = threading.Lock()
        self._mappings = {}

    def add(self, uuid, **counts):
        with self._lock:
            entry = self._mappings.setdefault(uuid, dict((f, 0) for f in self.FIELDS))
            for key, value in counts.items():
                entry[key] = entry.get(key, 0) + value

    def set_info(self, uuid, **info):
        with self._lock:
            entry = self._mappings.setdefault(uuid, dict((f, 0) for f in self.FIELDS))
            entry.update(info)

    def snapshot(self):
        with self._lock:
            mappings = json.loads(json.dumps(self._mappings))
        totals = dict((f, sum(m.get(f, 0) for m in mappings.values())) for f in self.FIELDS)
        return {"mappings": mappings, "totals": totals}


class Functions:
    """A pool of running FunctionProcesses per function name (one per concurrent poller of its
    mappings), replaced as a whole when the function changes."""

    def __init__(self, runtime):
        self.rt = runtime
        self._lock = threading.Lock()
        self._procs = {}      # name -> (fingerprint, [FunctionProcess, ...], code directory)
        self._generation = 0
        self._errors = {}     # name -> (fingerprint, message, retry_at)
        self._restart = set()
        self._closed = False

    def get(self, name, index=0):
        """The process poller number `index` of a mapping uses, or None while there is none."""
        with self._lock:
            item = self._procs.get(name)
            restarting = name in self._restart
        if item and not restarting:
            proc = item[1][index % len(item[1])]
            if proc.alive():
                return proc
        return None

    def request_restart(self, name):
        with self._lock:
            self._restart.add(name)

    def describe(self):
        with self._lock:
            result = {}
            for name, (fp, procs, _dir) in self._procs.items():
                result[name] = {"fingerprint": fp, "ports": [p.port for p in procs],
                                "alive": all(p.alive() for p in procs)}
            for name, (_fp, message, _retry) in self._errors.items():
                result.setdefault(name, {})["error"] = message
            return result

    def reconcile(self, wanted):
        """wanted: {function name: number of processes}. Returns the names moto does not know."""
        names = sorted(wanted)
        missing = set()
        for name in names:
            try:
                if not self._reconcile_one(name, wanted[name]):
                    missing.add(name)
            except Exception as exc:  # one broken function must not stop the others
                LOG.exception("function %s: unexpected error while preparing it: %s", name, exc)
        with self._lock:
            gone = [n for n in self._procs if n not in names]
            for name in [n for n in self._errors if n not in names]:
                del self._errors[name]
        for name in gone:
            self._stop(name, "no enabled mapping uses it any more")
        return missing

    def _reconcile_one(self, name, size):
        """Start or replace the function's processes if needed; False if the function does not exist."""
        try:
            fn = self.rt.lambda_client.get_function(FunctionName=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                self._stop(name, "the function was deleted")
                with self._lock:
                    self._errors[name] = ("", "function not found in moto", _now())
                return False
            raise
        fp = function_code.fingerprint(fn["Configuration"], fn.get("Code"))
        with self._lock:
            current = self._procs.get(name)
            error = self._errors.get(name)
            restart = name in self._restart
        alive = bool(current) and all(p.alive() for p in current[1])
        if current and current[0] == fp and alive and len(current[1]) == size and not restart:
            return True
        if error and error[0] == fp and _now() < error[2] and not restart:
            return True
        reason = ("restart requested" if restart else "code or configuration changed" if current and current[0] != fp
                  else "process exited" if current and not alive
                  else "concurrency %d -> %d" % (len(current[1]), size) if current else "first start")
        LOG.info("function %s: starting runtime x%d (%s), fingerprint %s", name, size, reason, fp)
        procs = []
        with self._lock:
            self._generation += 1
            # A fresh directory per start: the processes being replaced may still read theirs.
            dest = os.path.join(self.rt.work_dir, name, "%s-%d" % (fp, self._generation))
        try:
            code = function_code.prepare(fn, dest, self.rt.endpoint, self.rt.registry, self.rt.crane,
                                         self.rt.account_id, self.rt.region)
            python = rie_process.runtime_python(LOG.info)
            for _i in range(size):
                ports = self.rt.ports.take_many(2)
                try:
                    procs.append(rie_process.FunctionProcess(
                        fn["Configuration"], code, ports, os.path.join(self.rt.log_dir, "lambda-%s.log" % name),
                        self.rt.endpoint, self.rt.region, python, self.rt.rie, self.rt.pid_dir,
                        log_shipper=self.rt.log_shipper))
                except Exception:
                    for port in ports:
                        self.rt.ports.give(port)
                    raise
        except (function_code.CodeError, rie_process.RuntimeStartError) as exc:
            self._retire(procs)
            shutil.rmtree(dest, ignore_errors=True)
            LOG.error("function %s: %s (retrying in %.0f s)", name, exc, CODE_RETRY_SECONDS)
            with self._lock:
                self._errors[name] = (fp, str(exc), _now() + CODE_RETRY_SECONDS)
                self._restart.discard(name)
            return True
        except Exception:
            self._retire(procs)
            shutil.rmtree(dest, ignore_errors=True)
            raise
        with self._lock:
            closed = self._closed
            old = None if closed else self._procs.get(name)
            if not closed:
                self._procs[name] = (fp, procs, dest)
            self._errors.pop(name, None)
            self._restart.discard(name)
        if closed:
            for proc in procs:
                proc.stop(wait_for_invocation=False)
            shutil.rmtree(dest, ignore_errors=True)
            return True
        LOG.info("function %s: runtime listening on 127.0.0.1:%s (handler %s)", name,
                 ",".join(str(p.port) for p in procs), code.handler)
        if old:
            self._retire(old[1])
            shutil.rmtree(old[2], ignore_errors=True)
        return True

    def _retire(self, procs):
        for proc in procs:
            proc.stop()  # waits for an in-flight invocation (it holds the same lock)
            for port in proc.ports:
                self.rt.ports.give(port)

    def _stop(self, name, why):
        with self._lock:
            item = self._procs.pop(name, None)
        if item:
            LOG.info("function %s: stopping runtime (%s)", name, why)
            self._retire(item[1])
            shutil.rmtree(os.path.join(self.rt.work_dir, name), ignore_errors=True)

    def close(self):
        """From now on no process is started; one being started is stopped at once."""
        with self._lock:
            self._closed = True

    def stop_all(self):
        with self._lock:
            items = list(self._procs.items())
            self._procs.clear()
        for name, (_fp, procs, _dir) in items:
            LOG.info("function %s: stopping runtime (shutdown)", name)
            for proc in procs:
                proc.stop(wait_for_invocation=False)


class MappingWorker(threading.Thread):
    """Polls one SQS queue for one event source mapping and invokes its function."""

    IDLE_WAIT = 2  # long-poll seconds while the queue is empty

    def __init__(self, runtime, mapping, index=0):
        threading.Thread.__init__(self, name="esm-%s-%d" % (mapping["UUID"][:8], index), daemon=True)
        self.rt = runtime
        self.uuid = mapping["UUID"]
        self.index = index
        self.stopping = threading.Event()
        self.update(mapping)
        queue_arn = mapping["EventSourceArn"]
        parts = queue_arn.split(":")
        self.queue_arn = queue_arn
        self.queue_name, self.queue_owner = parts[5], parts[4]
        self.queue_url = None

    def update(self, mapping):
        self.mapping = mapping
        self.function_name = mapping["FunctionArn"].split(":")[6]
        self.batch_size = int(mapping.get("BatchSize") or 10)
        self.window = float(mapping.get("MaximumBatchingWindowInSeconds") or 0)
        self.report_failures = sqs_event.REPORT_BATCH_ITEM_FAILURES in (mapping.get("FunctionResponseTypes") or [])
        filters = (mapping.get("FilterCriteria") or {}).get("Filters") or []
        if filters and not getattr(self, "_warned_filters", False):
            self._warned_filters = True
            LOG.warning("mapping %s: FilterCriteria is not implemented by the sandbox runtime: every message is "
                        "delivered (AWS would delete non-matching ones unprocessed)", mapping["UUID"])
        self.rt.stats.set_info(self.uuid, function=self.function_name, queue=mapping["EventSourceArn"],
                               batch_size=self.batch_size, window=self.window,
                               report_batch_item_failures=self.report_failures,
                               filter_criteria_ignored=bool(filters),
                               concurrency=self.rt.mapping_concurrency(mapping))

    def run(self):
        LOG.info("mapping %s: poller %d polling %s for %s", self.uuid, self.index, self.queue_arn, self.function_name)
        while not self.stopping.is_set():
            try:
                self._cycle()
            except (ClientError, BotoCoreError) as exc:
                LOG.warning("mapping %s: AWS call failed: %s", self.uuid, exc)
                self.queue_url = None
                self.stopping.wait(2)
            except Exception:
                LOG.exception("mapping %s: unexpected error", self.uuid)
                self.stopping.wait(2)
        LOG.info("mapping %s: poller %d stopped", self.uuid, self.index)

    def _cycle(self):
        proc = self.rt.functions.get(self.function_name, self.index)
        if proc is None:
            # Receiving now would only burn receive counts towards the DLQ: wait for the function.
            self.stopping.wait(0.5)
            return
        if self.queue_url is None:
            self.queue_url = self.rt.sqs_client.get_queue_url(
                QueueName=self.queue_name, QueueOwnerAWSAccountId=self.queue_owner)["QueueUrl"]
        batch = self._receive_batch()
        if not batch:
            return
        self._process(proc, batch)

    def _receive(self, count, wait):
        resp = self.rt.sqs_client.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=max(1, min(10, count)), WaitTimeSeconds=int(wait),
            AttributeNames=["All"], MessageAttributeNames=["All"])
        return resp.get("Messages") or []

    def _receive_batch(self):
        batch = self._receive(self.batch_size, self.IDLE_WAIT)
        if not batch or self.window <= 0:
            return batch
        deadline = _now() + self.window
        seen = set(m["MessageId"] for m in batch)
        while len(batch) < self.batch_size and not self.stopping.is_set():
            remaining = deadline - _now()
            if remaining <= 0:
                break
            more = self._receive(self.batch_size - len(batch), min(20, max(1, int(remaining))))
            for message in more:
                if message["MessageId"] not in seen:
                    seen.add(message["MessageId"])
                    batch.append(message)
        return batch

    def _invoke(self, proc, payload):
        """Invoke; if the process was replaced (code or configuration change) between receiving and
        invoking, hand the batch to its successor rather than count an error towards the DLQ."""
        deadline = _now() + 60
        while True:
            try:
                return proc.invoke(payload)
            except rie_process.ProcessRetired:
                successor = None
                while successor is None or successor is proc:
                    if self.stopping.is_set() or _now() > deadline:
                        return 599, b"the function's runtime was replaced and no successor came up"
                    self.stopping.wait(0.2)
                    successor = self.rt.functions.get(self.function_name, self.index)
                proc = successor

    def _process(self, proc, batch):
        ids = [m["MessageId"] for m in batch]
        self.rt.stats.add(self.uuid, received=len(batch), invocations=1)
        payload = json.dumps(sqs_event.build_event(batch, self.queue_arn, self.rt.region)).encode("utf-8")
        started = _now()
        status, body = self._invoke(proc, payload)
        elapsed = _now() - started
        if sqs_event.is_function_error(status, body):
            self.rt.stats.add(self.uuid, invocation_errors=1)
            self.rt.stats.set_info(self.uuid, last_error=body[:500].decode("utf-8", "replace"))
            LOG.warning("mapping %s: %s failed on a batch of %d in %.3f s (HTTP %s): %s; nothing deleted, "
                        "the messages return after the visibility timeout", self.uuid, self.function_name,
                        len(batch), elapsed, status, body[:300].decode("utf-8", "replace"))
            if body.strip().startswith(sqs_event.TIMEOUT_PREFIX):
                proc.note(body.strip()[:200].decode("utf-8", "replace"))
            if body.strip().startswith(sqs_event.TIMEOUT_PREFIX) or status != 200:
                self.rt.functions.request_restart(self.function_name)
            return
        to_delete, failed = sqs_event.messages_to_delete(ids, body, self.report_failures)
        if failed:
            self.rt.stats.add(self.uuid, item_failures=len(failed))
            LOG.info("mapping %s: %s reported %d of %d as failed: %s", self.uuid, self.function_name,
                     len(failed), len(batch), ", ".join(failed))
        keep = set(to_delete)
        deleted = self._delete_messages([m for m in batch if m["MessageId"] in keep])
        LOG.debug("mapping %s: batch of %d, %d deleted, %.3f s", self.uuid, len(batch), deleted, elapsed)

    # Not `_delete`: threading.Thread._delete is what CPython calls when a thread ends, and an
    # override with another signature raised TypeError in every stopping poller and left it in
    # threading's table of live threads.
    def _delete_messages(self, messages):
        deleted = 0
        for start in range(0, len(messages), 10):
            chunk = messages[start:start + 10]
            resp = self.rt.sqs_client.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])
            ok = len(resp.get("Successful") or [])
            deleted += ok
            for failure in resp.get("Failed") or []:
                LOG.warning("mapping %s: delete failed: %s", self.uuid, failure)
            self.rt.stats.add(self.uuid, deleted=ok, delete_errors=len(resp.get("Failed") or []))
        return deleted


class Runtime:
    def __init__(self, args):
        self.endpoint = args.endpoint
        self.region = args.region
        self.account_id = args.account_id
        self.registry = args.registry
        self.crane = args.crane
        self.log_dir = args.log_dir
        self.work_dir = args.work_dir
        self.poll_interval = args.poll_interval
        self.max_concurrency = max(1, args.max_concurrency)
        self.pid_dir = os.path.join(self.work_dir, "pids")
        for pid in rie_process.reap_stale(self.pid_dir):
            LOG.warning("killed RIE process group %d left over by a previous run", pid)
        first, last = (int(p) for p in args.rie_ports.split("-"))
        self.ports = rie_process.PortPool(first, last)
        self.rie = args.rie or rie_process.rie_binary()
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=60,
                        max_pool_connections=50)
        session = boto3.session.Session(region_name=self.region)
        self.lambda_client = session.client("lambda", endpoint_url=self.endpoint, config=config)
        self.sqs_client = session.client("sqs", endpoint_url=self.endpoint, config=config)
        self.log_shipper = function_logs.LogShipper(session.client("logs", endpoint_url=self.endpoint, config=config))
        self.stats = Stats()
        self.functions = Functions(self)
        self.workers = {}
        self.stopping = threading.Event()
        self.last_poll_ok = None
        self.last_poll_error = None

    def list_sqs_mappings(self):
        mappings = []
        for page in self.lambda_client.get_paginator("list_event_source_mappings").paginate():
            for mapping in page.get("EventSourceMappings") or []:
                arn = mapping.get("EventSourceArn") or ""
                if arn.count(":") >= 5 and arn.split(":")[2] == "sqs":
                    mappings.append(mapping)
        return mappings

    def mapping_concurrency(self, mapping):
        """Pollers (and function processes) for a mapping: ScalingConfig.MaximumConcurrency, capped."""
        wanted = (mapping.get("ScalingConfig") or {}).get("MaximumConcurrency")
        return max(1, min(int(wanted), self.max_concurrency)) if wanted else self.max_concurrency

    def poll_once(self):
        mappings = [m for m in self.list_sqs_mappings() if m.get("State", "Enabled") in ("Enabled", "Enabling")]
        # Health means "moto answers"; preparing a function (crane export, first venv) may take longer.
        self.last_poll_ok = time.time()
        self.last_poll_error = None
        wanted = {}  # (mapping UUID, poller index) -> mapping
        sizes = {}   # function name -> processes
        for mapping in mappings:
            count = self.mapping_concurrency(mapping)
            name = mapping["FunctionArn"].split(":")[6]
            sizes[name] = max(sizes.get(name, 1), count)
            for index in range(count):
                wanted[(mapping["UUID"], index)] = mapping
        missing = self.functions.reconcile(sizes)
        # A mapping outlives its function (DeleteFunction keeps it, on AWS as in moto): no poller
        # for it until a function of that name exists again.
        wanted = dict((key, m) for key, m in wanted.items() if m["FunctionArn"].split(":")[6] not in missing)
        for key, mapping in sorted(wanted.items()):
            worker = self.workers.get(key)
            if worker is None or not worker.is_alive():
                worker = MappingWorker(self, mapping, key[1])
                self.workers[key] = worker
                worker.start()
            else:
                worker.update(mapping)
        for key in [k for k in self.workers if k not in wanted]:
            LOG.info("mapping %s: disabled, deleted, scaled down or its function deleted, stopping its poller %d",
                     key[0], key[1])
            self.workers.pop(key).stopping.set()

    def loop(self):
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except (ClientError, BotoCoreError) as exc:
                self.last_poll_error = str(exc)
                LOG.warning("listing event source mappings failed: %s", exc)
            except Exception as exc:
                self.last_poll_error = str(exc)
                LOG.exception("poll cycle failed")
            self.stopping.wait(self.poll_interval)

    def shutdown(self, loop_thread=None):
        """Stop within sandboxctl's grace (10 s): no waiting for in-flight invocations, whose
        messages are simply not deleted and come back after the visibility timeout."""
        self.stopping.set()
        self.functions.close()
        for worker in list(self.workers.values()):
            worker.stopping.set()
        self.functions.stop_all()
        if loop_thread is not None:
            loop_thread.join(timeout=3)
        for worker in list(self.workers.values()):
            worker.join(timeout=1)
        self.log_shipper.stop()

    def health(self):
        age = None if self.last_poll_ok is None else round(time.time() - self.last_poll_ok, 1)
        healthy = age is not None and age < max(30.0, 10 * self.poll_interval)
        return healthy, {
            "status": "ok" if healthy else "unhealthy",
            "endpoint": self.endpoint,
            "last_poll_age_seconds": age,
            "last_poll_error": self.last_poll_error,
            "mappings": sorted(set(uuid for uuid, _index in self.workers)),
            "functions": self.functions.describe(),
            "threads": sorted(t.name for t in threading.enumerate()),
            "cloudwatch_logs": {"sent": self.log_shipper.sent, "errors": self.log_shipper.errors,
                                "last_error": self.log_shipper.last_error},
        }


def make_handler(runtime):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status, doc):
            body = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server API)
            if self.path == "/healthz":
                healthy, doc = runtime.health()
                self._send(200 if healthy else 503, doc)
            elif self.path == "/stats":
                self._send(200, runtime.stats.snapshot())
            else:
                self._send(404, {"error": "GET /healthz or /stats"})

        def log_message(self, fmt, *args):
            LOG.debug("http: " + fmt, *args)

    return Handler


def default_crane():
    found = shutil.which("crane")
    if found:
        return found
    versions = {}
    with open(os.path.join(REPO_ROOT, "sandbox", "versions.env")) as handle:
        for line in handle:
            key, _sep, value = line.strip().partition("=")
            versions[key] = value
    return os.path.join(rie_process.cache_dir(), "bin", "crane-%s" % versions.get("CRANE_VERSION", ""))


def parse_args(argv):
    sandbox_dir = os.environ.get("ACKOPS_SANDBOX_STATE") or os.path.join(REPO_ROOT, ".sandbox")  # as sandboxctl's config
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACKOPS_LAMBDA_RUNTIME_PORT", "19000")))
    parser.add_argument("--rie-ports", default=os.environ.get("ACKOPS_RIE_PORTS", "19001-19099"))
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:15001"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    parser.add_argument("--account-id", default="123456789012")
    parser.add_argument("--registry", default=os.environ.get("ACKOPS_REGISTRY", "127.0.0.1:15000"))
    parser.add_argument("--crane", default=None, help="crane binary (default: on PATH, else the sandbox cache)")
    parser.add_argument("--rie", default=None, help="RIE binary (default: ~/.cache/ackops-sandbox/bin/rie-<version>)")
    parser.add_argument("--poll-interval", type=float, default=1.5)
    parser.add_argument("--max-concurrency", type=int,
                        default=int(os.environ.get("ACKOPS_LAMBDA_MAX_CONCURRENCY", "1")),
                        help="pollers and function processes per mapping, unless ScalingConfig.MaximumConcurrency "
                             "asks for fewer (AWS starts with 5 and scales up). Each process takes two RIE ports, "
                             "and a replacement needs a second set while the old one finishes.")
    parser.add_argument("--log-dir", default=os.path.join(sandbox_dir, "logs"))
    parser.add_argument("--work-dir", default=os.path.join(sandbox_dir, "lambda"),
                        help="where function code is extracted")
    parser.add_argument("--log-level", default=os.environ.get("ACKOPS_LAMBDA_RUNTIME_LOG_LEVEL", "INFO"))
    parser.add_argument("--prepare-runtime", action="store_true",
                        help="create the runtime venv (awslambdaric, boto3) and check the RIE binary, then exit")
    args = parser.parse_args(argv)
    if args.crane is None:
        args.crane = default_crane()
    return args


def _prepare_quietly():
    try:
        rie_process.runtime_python(LOG.info)
    except rie_process.RuntimeStartError as exc:
        LOG.error("%s", exc)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(args.log_dir, exist_ok=True)
    os.makedirs(args.work_dir, exist_ok=True)
    handler = logging.FileHandler(os.path.join(args.log_dir, "lambda-runtime.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(args.log_level.upper())
    logging.getLogger("botocore").setLevel(logging.WARNING)
    if args.prepare_runtime:
        try:
            sys.stdout.write("runtime python: %s\nrie: %s\n" % (rie_process.runtime_python(LOG.info),
                                                              args.rie or rie_process.rie_binary()))
        except rie_process.RuntimeStartError as exc:
            sys.stderr.write("lambda runtime: %s\n" % exc)
            return 1
        return 0
    try:
        runtime = Runtime(args)
    except rie_process.RuntimeStartError as exc:
        sys.stderr.write("lambda runtime: %s\n" % exc)
        LOG.error("%s", exc)
        return 1
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(runtime))
    server.daemon_threads = True

    def _terminate(signum, _frame):
        LOG.info("signal %d: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    # Create the runtime venv now, not when the first function needs it (a first run pip-installs).
    threading.Thread(target=_prepare_quietly, name="prepare-venv", daemon=True).start()
    runtime.log_shipper.start()
    loop = threading.Thread(target=runtime.loop, name="reconcile", daemon=True)
    loop.start()
    LOG.info("lambda runtime serving /healthz and /stats on 127.0.0.1:%d, endpoint %s, RIE %s",
             args.port, args.endpoint, runtime.rie)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        runtime.shutdown(loop)
        server.server_close()
        LOG.info("lambda runtime stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
