# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox's stand-in kubelet for the ACK controller pods.

Started by sandboxctl with .sandbox/env in its environment. It

1. publishes the stand-in charts to the sandbox OCI registry (publish_charts.py) and replaces
   CRDs of theirs that an older install left in the cluster (crd_upgrade.py);
2. registers one Node (ackops-sandbox-ack) and, like kube-scheduler + kubelet, binds the pods
   that kube-controller-manager creates for our charts' Deployments in ack-system to it, runs the
   matching controller process for each (the Go binary `ack-controller <svc>` built from
   sandbox/ack/controller, on the real ACK runtime) and reports the pod Running/Ready in the pod
   status. kube-controller-manager's ReplicaSet and Deployment controllers then compute
   readyReplicas / availableReplicas / Available on the Deployment exactly as on a real cluster;
3. stops a controller when its pod is deleted or its chart's Deployment is gone (helm uninstall),
   and starts a new process for the new pod of a rollout (pod template change, e.g. the
   kubectl.kubernetes.io/restartedAt annotation or changed args): one process per service, owned
   by the newest pod of that service;
4. serves GET /healthz (200 once the charts are published and the watches run) and GET /status
   (JSON: per service pid, pod, pod-template-hash, AWS_ROLE_ARN, health port, restarts) on
   127.0.0.1:18000.

The container is run as the kubelet would: env from the pod spec (value, fieldRef, secretKeyRef,
configMapKeyRef), $(VAR) references in args expanded from it, and what the EKS pod identity
webhook injects for an IRSA-annotated ServiceAccount (AWS_ROLE_ARN from the ServiceAccount's
eks.amazonaws.com/role-arn annotation, AWS_STS_REGIONAL_ENDPOINTS). The sandbox has no OIDC token
to exchange, so no AWS_WEB_IDENTITY_TOKEN_FILE is set: the process signs with the sandbox's moto
credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and the role is a record only.
Only --healthz-addr and --metrics-addr are rewritten, to 127.0.0.1:<service port> (health: sqs
18001, dynamodb 18002, lambda 18003; metrics 18004-18006; all shifted by the sandbox port offset),
since every pod would otherwise want :8081 and :8080 on the one loopback address.
"""

import base64
import datetime
import http.server
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import kubernetes
from kubernetes import watch as k8s_watch

# ackops_sandbox is installed in .venv (make setup); the siblings come from the script's own folder.
from ackops_sandbox import config
import crd_upgrade
import publish_charts
from services import ACK_SYSTEM_NAMESPACE, SERVICES, chart_name

HERE = os.path.dirname(os.path.abspath(__file__))

LOG = logging.getLogger("ack-supervisor")
NODE_NAME = "ackops-sandbox-ack"
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
CHART_SELECTOR = "app.kubernetes.io/name in (%s)" % ",".join(chart_name(s) for s in sorted(SERVICES))
CHILD_ENV_PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "KUBECONFIG", "AWS_ACCESS_KEY_ID",
                         "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
VAR_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def service_of(labels):
    name = (labels or {}).get("app.kubernetes.io/name", "")
    for service in SERVICES:
        if name == chart_name(service):
            return service
    return None


def expand(value, env):
    """Kubernetes $(VAR) expansion: defined names are replaced, $$ escapes, the rest stays."""
    def repl(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env[name] if name in env else match.group(0)
    return VAR_REF.sub(repl, value)


def rewrite_flag(args, flag, value):
    """Set `flag value` (or --flag=value) in args, appending it when absent."""
    out, i, found = [], 0, False
    while i < len(args):
        arg = args[i]
        if arg == flag and i + 1 < len(args):
            out += [flag, value]
            i += 2
            found = True
            continue
        if arg.startswith(flag + "="):
            out.append("%s=%s" % (flag, value))
            found = True
        else:
            out.append(arg)
        i += 1
    if not found:
        out += [flag, value]
    return out


def controller_binary():
    """The ack-controller binary of the current sources, else the newest one built: after an edit of
    sandbox/ack/controller, `sandboxctl up` builds the new binary and the next pod start uses it."""
    current = config.binary("ack-controller")
    if current.exists():
        return current
    built = sorted(config.CACHE_BIN.glob("ack-controller-src-*"), key=lambda p: p.stat().st_mtime)
    return built[-1] if built else current


class Child:
    """One controller process, owned by one pod."""

    def __init__(self, service, pod, proc, argv, role_arn, log_path):
        self.service = service
        self.pod_name = pod.metadata.name
        self.pod_uid = pod.metadata.uid
        self.pod_template_hash = (pod.metadata.labels or {}).get("pod-template-hash")
        self.proc = proc
        self.argv = argv
        self.role_arn = role_arn
        self.log_path = log_path
        self.started_at = utcnow()
        self.restarts = 0
        self.next_restart = 0.0

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def describe(self):
        return {"pid": self.proc.pid if self.proc else None, "alive": self.alive(), "pod": self.pod_name,
                "pod_uid": self.pod_uid, "pod_template_hash": self.pod_template_hash, "role_arn": self.role_arn,
                "health_port": SERVICES[self.service]["health_port"], "started_at": self.started_at,
                "restarts": self.restarts, "argv": self.argv, "log": self.log_path}


class Supervisor:
    def __init__(self, namespace=ACK_SYSTEM_NAMESPACE):
        self.namespace = namespace
        kubernetes.config.load_kube_config(config_file=os.environ.get("KUBECONFIG"))
        self.core = kubernetes.client.CoreV1Api()
        self.apps = kubernetes.client.AppsV1Api()
        self.children = {}  # service -> Child
        self.trigger = threading.Event()
        self.stop = threading.Event()
        self.lock = threading.RLock()
        self.charts = {}
        self.charts_ok = False
        self.charts_error = None
        self.watching = {"pods": False, "deployments": False}

    # --- startup --------------------------------------------------------------------------------
    def publish(self):
        registry = os.environ.get("ACKOPS_REGISTRY", "%s:%s" % (config.HOST, config.PORTS["registry"]))
        while not self.stop.is_set():
            try:
                outcome = publish_charts.publish(registry)
                for name in crd_upgrade.upgrade():
                    LOG.info("replaced CRD %s by the chart's (helm does not upgrade crds/)", name)
                self.charts = {s: "%s:%s" % (chart_name(s), SERVICES[s]["version"]) for s in outcome}
                LOG.info("charts in oci://%s/%s: %s", registry, "aws-controllers-k8s",
                         ", ".join("%s (%s)" % (self.charts[s], "pushed" if p else "up to date")
                                   for s, p in sorted(outcome.items())))
                self.charts_ok = True
                self.charts_error = None
                return
            except Exception as exc:  # pylint: disable=broad-except
                self.charts_error = str(exc)
                LOG.warning("publishing the charts failed, retrying in 5 s: %s", exc)
                self.stop.wait(5)

    def ensure_node(self):
        body = {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": NODE_NAME, "labels": {
                "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": NODE_NAME,
                "ackops.io/sandbox-stand-in": "true"}},
        }
        try:
            self.core.read_node(NODE_NAME)
        except kubernetes.client.ApiException as exc:
            if exc.status != 404:
                raise
            self.core.create_node(body)
        now = utcnow()
        status = {"status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "ackops sandbox supervisor runs the ACK controllers",
                            "lastHeartbeatTime": now, "lastTransitionTime": now}],
            "addresses": [{"type": "InternalIP", "address": config.HOST}, {"type": "Hostname", "address": NODE_NAME}],
            "capacity": {"cpu": "2", "memory": "4Gi", "pods": "110"},
            "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
            "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux", "kubeletVersion": "ackops-sandbox",
                         "kubeProxyVersion": "", "containerRuntimeVersion": "ackops-supervisor://0",
                         "bootID": "", "machineID": "", "systemUUID": "", "kernelVersion": "", "osImage": "sandbox"},
        }}
        self.core.patch_node_status(NODE_NAME, status)

    # --- watches --------------------------------------------------------------------------------
    def watch_loop(self, kind):
        lister = {"pods": self.core.list_namespaced_pod, "deployments": self.apps.list_namespaced_deployment}[kind]
        while not self.stop.is_set():
            try:
                listing = lister(self.namespace, label_selector=CHART_SELECTOR)
                self.watching[kind] = True
                self.trigger.set()
                w = k8s_watch.Watch()
                for _event in w.stream(lister, self.namespace, label_selector=CHART_SELECTOR,
                                       resource_version=listing.metadata.resource_version, timeout_seconds=60):
                    self.trigger.set()
                    if self.stop.is_set():
                        w.stop()
                        break
            except Exception as exc:  # pylint: disable=broad-except
                LOG.warning("watch of %s failed (%s); retrying", kind, exc)
                self.stop.wait(2)

    def sync_loop(self):
        while not self.stop.is_set():
            self.trigger.wait(2.0)
            self.trigger.clear()
            try:
                self.sync()
            except Exception:  # pylint: disable=broad-except
                LOG.exception("sync failed")
                self.stop.wait(1)

    # --- the kubelet part -----------------------------------------------------------------------
    def sync(self):
        if self.stop.is_set():
            return
        pods = self.core.list_namespaced_pod(self.namespace, label_selector=CHART_SELECTOR).items
        deployments = self.apps.list_namespaced_deployment(self.namespace, label_selector=CHART_SELECTOR).items
        live_deployments = {(d.metadata.labels.get("app.kubernetes.io/name"), d.metadata.labels.get("app.kubernetes.io/instance"))
                            for d in deployments if not d.metadata.deletion_timestamp}
        active = {}
        with self.lock:
            for pod in pods:
                service = service_of(pod.metadata.labels)
                if service is None:
                    continue
                if pod.metadata.deletion_timestamp:
                    self._terminate_pod(service, pod)
                    continue
                if not pod.spec.node_name:
                    self._bind(pod)
                labels = pod.metadata.labels or {}
                if (labels.get("app.kubernetes.io/name"), labels.get("app.kubernetes.io/instance")) not in live_deployments:
                    continue  # its Deployment is gone: garbage collection will delete the pod
                best = active.get(service)
                if best is None or (pod.metadata.creation_timestamp, pod.metadata.name) > \
                        (best.metadata.creation_timestamp, best.metadata.name):
                    active[service] = pod
            for service in list(self.children):
                child = self.children[service]
                pod = active.get(service)
                if pod is None or pod.metadata.uid != child.pod_uid:
                    LOG.info("%s: pod %s is no longer the active pod: stopping pid %s", service, child.pod_name,
                             child.proc.pid if child.proc else None)
                    self._stop_child(service, grace=10)
            for service, pod in active.items():
                if self.stop.is_set():
                    break  # shutting down: start nothing more
                child = self.children.get(service)
                if child is None:
                    self._start_child(service, pod)
                elif not child.alive() and time.monotonic() >= child.next_restart:
                    LOG.warning("%s: controller pid %s exited (rc=%s): restarting", service, child.proc.pid, child.proc.returncode)
                    restarts = child.restarts + 1
                    self.children.pop(service)
                    self._start_child(service, pod, restarts=restarts)
            for pod in pods:
                service = service_of(pod.metadata.labels)
                if service and not pod.metadata.deletion_timestamp and pod.spec.node_name:
                    self._report(pod, self.children.get(service) if active.get(service) is pod else None)

    def _bind(self, pod):
        body = kubernetes.client.V1Binding(
            metadata=kubernetes.client.V1ObjectMeta(name=pod.metadata.name),
            target=kubernetes.client.V1ObjectReference(api_version="v1", kind="Node", name=NODE_NAME))
        try:
            self.core.create_namespaced_pod_binding(pod.metadata.name, self.namespace, body, _preload_content=False)
            pod.spec.node_name = NODE_NAME
            LOG.info("bound pod %s to node %s", pod.metadata.name, NODE_NAME)
        except kubernetes.client.ApiException as exc:
            if exc.status != 409:
                raise

    def _terminate_pod(self, service, pod):
        child = self.children.get(service)
        if child is not None and child.pod_uid == pod.metadata.uid:
            grace = pod.metadata.deletion_grace_period_seconds
            LOG.info("%s: pod %s is being deleted: stopping pid %s", service, pod.metadata.name, child.proc.pid)
            self._stop_child(service, grace=min(grace if grace is not None else 10, 10))
        try:
            self.core.delete_namespaced_pod(pod.metadata.name, self.namespace, grace_period_seconds=0,
                                            body=kubernetes.client.V1DeleteOptions(
                                                grace_period_seconds=0,
                                                preconditions=kubernetes.client.V1Preconditions(uid=pod.metadata.uid)))
        except kubernetes.client.ApiException as exc:
            if exc.status not in (404, 409):
                raise

    def _container_env(self, pod, container):
        env = {}
        for item in container.env or []:
            if item.value_from is None:
                env[item.name] = expand(item.value or "", env)
                continue
            src = item.value_from
            value = None
            if src.field_ref is not None:
                value = {"metadata.namespace": pod.metadata.namespace, "metadata.name": pod.metadata.name,
                         "metadata.uid": pod.metadata.uid, "spec.nodeName": NODE_NAME,
                         "spec.serviceAccountName": pod.spec.service_account_name,
                         "status.hostIP": config.HOST, "status.podIP": config.HOST}.get(src.field_ref.field_path)
            elif src.secret_key_ref is not None:
                secret = self.core.read_namespaced_secret(src.secret_key_ref.name, pod.metadata.namespace)
                raw = (secret.data or {}).get(src.secret_key_ref.key)
                if raw is not None:
                    value = base64.b64decode(raw).decode()
            elif src.config_map_key_ref is not None:
                cm = self.core.read_namespaced_config_map(src.config_map_key_ref.name, pod.metadata.namespace)
                value = (cm.data or {}).get(src.config_map_key_ref.key)
            if value is not None:
                env[item.name] = value
        return env

    def _role_arn(self, pod):
        name = pod.spec.service_account_name or "default"
        try:
            sa = self.core.read_namespaced_service_account(name, pod.metadata.namespace)
        except kubernetes.client.ApiException:
            return None
        return (sa.metadata.annotations or {}).get(ROLE_ANNOTATION)

    def _start_child(self, service, pod, restarts=0):
        container = pod.spec.containers[0]
        cenv = self._container_env(pod, container)
        args = [expand(a, cenv) for a in (container.args or [])]
        args = rewrite_flag(args, "--healthz-addr", "%s:%d" % (config.HOST, SERVICES[service]["health_port"]))
        args = rewrite_flag(args, "--metrics-addr", "%s:%d" % (config.HOST, SERVICES[service]["metrics_port"]))
        role_arn = self._role_arn(pod)
        env = {k: os.environ[k] for k in CHILD_ENV_PASSTHROUGH if k in os.environ}
        env.update({k: v for k, v in cenv.items() if v != ""})
        env["HOSTNAME"] = pod.metadata.name
        env["ACKOPS_POD_NAME"] = pod.metadata.name
        env["ACKOPS_POD_TEMPLATE_HASH"] = (pod.metadata.labels or {}).get("pod-template-hash", "")
        if role_arn:  # what the EKS pod identity webhook injects for an IRSA ServiceAccount
            env["AWS_ROLE_ARN"] = role_arn
            env["AWS_STS_REGIONAL_ENDPOINTS"] = "regional"
        argv = [str(controller_binary()), service] + args
        log_path = str(config.LOGS / ("ack-%s-controller.log" % service))
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        with open(log_path, "ab") as log:
            log.write(("\n=== %s supervisor starts pod %s (pod-template-hash %s, AWS_ROLE_ARN %s): %s\n" % (
                utcnow(), pod.metadata.name, env["ACKOPS_POD_TEMPLATE_HASH"], role_arn or "-", " ".join(argv))).encode())
            log.flush()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    env=env, cwd=HERE, close_fds=True)
        child = Child(service, pod, proc, argv, role_arn, log_path)
        child.restarts = restarts
        child.next_restart = time.monotonic() + min(2 ** restarts, 30)
        self.children[service] = child
        LOG.info("%s: started pid %d for pod %s (hash %s)", service, proc.pid, pod.metadata.name, child.pod_template_hash)

    def _stop_child(self, service, grace=10):
        child = self.children.pop(service, None)
        if child is None or child.proc is None:
            return
        if child.proc.poll() is None:
            child.proc.send_signal(signal.SIGTERM)
            try:
                child.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait(timeout=5)
        with open(child.log_path, "ab") as log:
            log.write(("=== %s supervisor stopped pid %d (rc=%s)\n" % (utcnow(), child.proc.pid, child.proc.returncode)).encode())

    def _healthy(self, service):
        url = "http://%s:%d/healthz" % (config.HOST, SERVICES[service]["health_port"])
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # nosec: loopback
                return response.status == 200
        except Exception:  # pylint: disable=broad-except
            return False

    def _report(self, pod, child, reason=None):
        """Write the pod status a kubelet would: Running, Ready when the process answers /healthz."""
        container = pod.spec.containers[0]
        running = child is not None and child.alive()
        ready = running and self._healthy(child.service)
        old = pod.status
        old_ready = any(c.type == "Ready" and c.status == "True" for c in (old.conditions or []))
        old_restarts = old.container_statuses[0].restart_count if old.container_statuses else None
        restarts = child.restarts if child else (old_restarts or 0)
        if reason is None and old.phase == "Running" and old_ready == ready and old_restarts == restarts and \
                old.container_statuses and bool(old.container_statuses[0].state.running) == running:
            return
        now = utcnow()
        flag = "True" if ready else "False"
        if running:
            state = {"running": {"startedAt": child.started_at}}
        else:
            reason = reason or ("CrashLoopBackOff" if child is not None else "StandInNotActive")
            messages = {"CrashLoopBackOff": "controller process exited",
                        "StandInNotActive": "the ackops supervisor runs one controller per service, for its newest pod",
                        "SupervisorStopped": "the ackops sandbox supervisor stopped"}
            state = {"waiting": {"reason": reason, "message": messages.get(reason, reason)}}
        status = {"status": {
            "phase": "Running",
            "hostIP": config.HOST, "podIP": config.HOST, "podIPs": [{"ip": config.HOST}],
            "startTime": old.start_time.strftime("%Y-%m-%dT%H:%M:%SZ") if old.start_time else now,
            "conditions": [
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
                {"type": "Initialized", "status": "True", "lastTransitionTime": now},
                {"type": "ContainersReady", "status": flag, "lastTransitionTime": now},
                {"type": "Ready", "status": flag, "lastTransitionTime": now},
            ],
            "containerStatuses": [{
                "name": container.name, "image": container.image, "imageID": "", "ready": ready,
                "restartCount": restarts, "started": running, "state": state,
            }],
        }}
        try:
            self.core.patch_namespaced_pod_status(pod.metadata.name, self.namespace, status)
        except kubernetes.client.ApiException as exc:
            if exc.status != 404:
                raise
        if not ready and running:
            threading.Timer(0.5, self.trigger.set).start()  # re-probe until the process answers

    # --- lifecycle ------------------------------------------------------------------------------
    def state(self):
        with self.lock:
            controllers = {s: c.describe() for s, c in self.children.items()}
        return {"ready": self.charts_ok and all(self.watching.values()), "charts": self.charts,
                "charts_error": self.charts_error, "watching": dict(self.watching), "node": NODE_NAME,
                "namespace": self.namespace, "controllers": controllers}

    def shutdown(self):
        """Stop every controller; report their pods not ready and the node NotReady, so nothing
        waits on a controller that no longer runs while the supervisor is down."""
        self.stop.set()
        self.trigger.set()
        with self.lock:
            pods = {c.pod_name for c in self.children.values()}
            for service in list(self.children):
                self._stop_child(service, grace=5)
            try:
                for pod in self.core.list_namespaced_pod(self.namespace, label_selector=CHART_SELECTOR).items:
                    if pod.metadata.name in pods:
                        self._report(pod, None, reason="SupervisorStopped")
                now = utcnow()
                self.core.patch_node_status(NODE_NAME, {"status": {"conditions": [{
                    "type": "Ready", "status": "False", "reason": "KubeletStopped", "lastHeartbeatTime": now,
                    "lastTransitionTime": now, "message": "the ackops sandbox supervisor stopped"}]}})
            except Exception as exc:  # pylint: disable=broad-except
                LOG.warning("could not report the pods not ready: %s", exc)


def serve(supervisor):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  pylint: disable=invalid-name
            state = supervisor.state()
            if self.path == "/healthz":
                code = 200 if state["ready"] else 503
                body = (b"ok\n" if state["ready"] else
                        ("not ready: %s\n" % (state["charts_error"] or "starting")).encode())
            elif self.path == "/status":
                code, body = 200, json.dumps(state, indent=2, sort_keys=True).encode()
            else:
                code, body = 404, b"not found\n"
            self.send_response(code)
            self.send_header("Content-Type", "application/json" if self.path == "/status" else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the prober hung up

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((config.HOST, config.PORTS["ack-supervisor"]), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="http").start()
    return server


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("kubernetes").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    supervisor = Supervisor()
    server = serve(supervisor)

    def _stop(_signum, _frame):
        supervisor.stop.set()
        supervisor.trigger.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    supervisor.ensure_node()
    threads = [threading.Thread(target=supervisor.watch_loop, args=(k,), daemon=True, name="watch-" + k)
               for k in ("pods", "deployments")]
    threads.append(threading.Thread(target=supervisor.sync_loop, daemon=True, name="sync"))
    for t in threads:
        t.start()
    supervisor.publish()
    while not supervisor.stop.wait(1):
        pass
    LOG.info("stopping: terminating controller processes")
    supervisor.shutdown()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
