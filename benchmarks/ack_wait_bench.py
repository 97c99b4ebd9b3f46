#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""ackops.serverless.ack_wait against kubernetes.core.k8s (wait / wait_condition), side by side.

Both modules wait on the same ACK Queue resource at the same time, each in its own
ansible-playbook process; the benchmark plays the controller by writing the status subresource
(as in tests/integration/test_ack_wait.py, on the copy of the Queue CRD that no controller watches,
from sandbox/ackops_sandbox/ack_harness.py). It measures:

1. synced: delay between ACK.ResourceSynced flipping to True and each task ending
   (and, for ack_wait, the module's own detection time `done_at`).
2. terminal: delay between ACK.Terminal=True being written and each task failing.

It prints figures and asserts nothing. Needs the sandbox (make sandbox-up). Usage:
    .venv/bin/python benchmarks/ack_wait_bench.py [--rounds 3] [--k8s-timeout 30]
Results also go to benchmarks/results/ack_wait_bench.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from ackops_sandbox.ack_harness import (
    PLURAL,
    TEST_API_VERSION,
    TEST_GROUP,
    Kube,
    Playbook,
    condition,
    parse_iso,
    synced_status,
)
from ackops_sandbox.config import REPO
from ackops_sandbox.pki import parse_env_file


def k8s_task(namespace, name, timeout):
    return {
        "name": "k8s",
        "kubernetes.core.k8s": {
            "state": "present",
            "definition": {"apiVersion": TEST_API_VERSION, "kind": "Queue",
                           "metadata": {"name": name, "namespace": namespace},
                           "spec": {"queueName": name, "visibilityTimeout": "30"}},
            "wait": True,
            "wait_condition": {"type": "ACK.ResourceSynced", "status": "True"},
            "wait_timeout": timeout,
        },
    }


def ack_wait_task(namespace, name, timeout):
    return {"name": "ack_wait", "ackops.serverless.ack_wait": {
        "api_version": TEST_API_VERSION, "kind": "Queue", "name": name, "namespace": namespace, "timeout": timeout}}


def one_round(kube, env, namespace, name, status, k8s_timeout, settle):
    kube.create_queue(namespace, name)
    baseline = kube.watchers(TEST_GROUP, PLURAL)
    ack = Playbook(env, [ack_wait_task(namespace, name, k8s_timeout + 60)]).start()
    k8s = Playbook(env, [k8s_task(namespace, name, k8s_timeout)]).start()
    kube.wait_for_watchers(TEST_GROUP, PLURAL, baseline + 1)
    # kubernetes.core.k8s polls (no watch to detect): give its process the same start-up time
    time.sleep(settle)
    flipped = time.time()
    kube.write_status(namespace, name, status)
    ack_run, k8s_run = ack.finish(), k8s.finish(timeout=k8s_timeout + 120)
    ack_task, k8s_task_ = ack_run.task("ack_wait"), k8s_run.task("k8s")
    entry = (ack_task["result"].get("resources") or [{}])[0]
    seen = entry.get("done_at") or ack_task["result"].get("finished_at")
    return {
        "ack_wait_task_end_s": round(ack_task["end"] - flipped, 3),
        "ack_wait_module_seen_s": round(parse_iso(seen) - flipped, 3) if seen else None,
        "ack_wait_failed": bool(ack_task["result"].get("failed")),
        "ack_wait_msg": (ack_task["result"].get("msg") or "")[:160],
        "k8s_task_end_s": round(k8s_task_["end"] - flipped, 3),
        "k8s_failed": bool(k8s_task_["result"].get("failed")),
        "k8s_msg": (k8s_task_["result"].get("msg") or "")[:160],
    }


def summary(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    if not values:
        return "n/a"
    return "median {0:.2f} s (min {1:.2f}, max {2:.2f}, n={3})".format(
        statistics.median(values), min(values), max(values), len(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--k8s-timeout", type=int, default=30,
                        help="wait_timeout given to kubernetes.core.k8s (it sits this out on a terminal failure)")
    parser.add_argument("--settle", type=float, default=6.0,
                        help="seconds between ack_wait's watch opening and the flip (lets k8s start polling)")
    args = parser.parse_args()

    os.environ.update(parse_env_file())
    env = dict(os.environ)
    kube = Kube(env["KUBECONFIG"])
    kube.ensure_test_crd()
    namespace = kube.create_namespace("ackwait-bench")
    results = {"synced": [], "terminal": []}
    try:
        for index in range(args.rounds):
            name = "synced-{0}".format(index)
            row = one_round(kube, env, namespace, name, synced_status(name, namespace), args.k8s_timeout, args.settle)
            results["synced"].append(row)
            print("synced   round {0}: ack_wait module saw it {1} s after the flip, task ended {2} s after; "
                  "k8s task ended {3} s after (failed={4})".format(
                      index + 1, row["ack_wait_module_seen_s"], row["ack_wait_task_end_s"],
                      row["k8s_task_end_s"], row["k8s_failed"]), flush=True)
        terminal = {"conditions": [
            condition("ACK.Terminal", "True", "InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout."),
            condition("ACK.ResourceSynced", "False", "Resource not synced", "resource is in terminal condition"),
        ]}
        row = one_round(kube, env, namespace, "terminal-0", terminal, args.k8s_timeout, args.settle)
        results["terminal"].append(row)
        print("terminal round 1: ack_wait failed {0} s after ACK.Terminal was written (task end; module {1} s): {2}".format(
            row["ack_wait_task_end_s"], row["ack_wait_module_seen_s"], row["ack_wait_msg"]), flush=True)
        print("                  k8s failed {0} s after (wait_timeout {1} s, counted from its own start): {2}".format(
            row["k8s_task_end_s"], args.k8s_timeout, row["k8s_msg"]), flush=True)
    finally:
        kube.delete_namespace(namespace)

    load = os.getloadavg()
    print()
    print("Load average at the end of the run (1/5/15 min): {0:.2f} {1:.2f} {2:.2f} on {3} CPU(s)".format(
        *load, os.cpu_count()))
    print("Flip -> result, ACK.ResourceSynced=True:")
    print("  ack_wait, module detection     : " + summary(results["synced"], "ack_wait_module_seen_s"))
    print("  ack_wait, task end             : " + summary(results["synced"], "ack_wait_task_end_s"))
    print("  kubernetes.core.k8s, task end  : " + summary(results["synced"], "k8s_task_end_s"))
    print("ACK.Terminal=True -> failure:")
    print("  ack_wait, module               : " + summary(results["terminal"], "ack_wait_module_seen_s"))
    print("  ack_wait, task end             : " + summary(results["terminal"], "ack_wait_task_end_s"))
    print("  kubernetes.core.k8s, task end  : " + summary(results["terminal"], "k8s_task_end_s"))
    print("Targets: ack_wait within 1 s of the flip, terminal reported within 2 s.")
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ack_wait_bench.json").write_text(json.dumps(dict(results, load=load, args=vars(args)), indent=2))


if __name__ == "__main__":
    main()
