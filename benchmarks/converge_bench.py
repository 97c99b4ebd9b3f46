#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""How long the collection's playbooks take on the sandbox, next to a floor measured in the same run.

    .venv/bin/python benchmarks/converge_bench.py [--rounds 2]      (make bench runs it too)

The floor is what any converge of this pipeline must at least cost here: one ansible-playbook run with
one kubernetes.core.k8s apply of the five pipeline resources (exactly what the resources role last
applied, so it changes nothing), one ackops.serverless.ack_wait on all five and one
kubernetes.core.helm_info per controller chart. The machine is shared, so every figure is also given
as its ratio to the floor.

Runs, in order (the sandbox must be up): site.yml (smoke test off; set-up, not counted: whatever ran
before converges), floor, site.yml again (smoke test off), site.yml --check --diff, floor again,
  playbooks/cleanup.yml, cleanup of what Helm leaves (cleanup_crds, cleanup_namespace),
  site.yml from that clean cluster (with its smoke test).
With --rounds N the floor and the two converged runs are repeated N times and the medians count.
Targets (issue 12): converged runs <= 3x the floor and <= 12 s; cleanup <= 12 s; site.yml from a
clean cluster <= 20 s. Prints a table, writes benchmarks/results/converge_bench.json, asserts nothing.
"""

import argparse
import json
import os
import statistics
import tempfile

import yaml
from ackops_sandbox.config import REPO
from ackops_sandbox.pki import parse_env_file
from ackops_sandbox.playbook import run_playbook
from kubernetes import client, config

NAMESPACE = "default"
ACK_NAMESPACE = "ack-system"
RELEASES = ["ack-sqs-controller", "ack-dynamodb-controller", "ack-lambda-controller"]
PIPELINE = [  # group, version, plural, kind, name
    ("sqs.services.k8s.aws", "v1alpha1", "queues", "Queue", "sqs-queue-demo-ack-dlq"),
    ("dynamodb.services.k8s.aws", "v1alpha1", "tables", "Table", "customer"),
    ("sqs.services.k8s.aws", "v1alpha1", "queues", "Queue", "sqs-queue-demo-ack"),
    ("lambda.services.k8s.aws", "v1alpha1", "functions", "Function", "demo-sqs-dynamodb-func-ack"),
    ("lambda.services.k8s.aws", "v1alpha1", "eventsourcemappings", "EventSourceMapping", "demo-sqs-dynamodb-func-ack-sqs"),
]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
TARGETS = {  # run -> (max seconds, max ratio to the floor)
    "site.yml, converged (smoke test off)": (12, 3),
    "site.yml --check --diff, converged": (12, 3),
    "playbooks/cleanup.yml": (12, None),
    "site.yml from a clean cluster": (20, None),
}


def floor_playbook(directory):
    """The floor play, with the five resources as the resources role last applied them."""
    custom = client.CustomObjectsApi()
    definitions = []
    for group, version, plural, kind, name in PIPELINE:
        live = custom.get_namespaced_custom_object(group, version, NAMESPACE, plural, name)
        applied = live["metadata"].get("annotations", {}).get(LAST_APPLIED)
        if not applied:
            raise SystemExit(f"{kind} {name} has no {LAST_APPLIED} annotation: was it created by the resources role?")
        definitions.append(json.loads(applied))
    play = [{
        "name": "Floor: one apply, one wait, one helm status per chart",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {"name": "Apply the five pipeline resources",
             "kubernetes.core.k8s": {"state": "present", "apply": True, "definition": definitions}},
            {"name": "Wait until the five are synced",
             "ackops.serverless.ack_wait": {"namespace": NAMESPACE, "timeout": 120, "resources": [
                 {"api_version": f"{group}/{version}", "kind": kind, "name": name}
                 for group, version, _, kind, name in PIPELINE]}},
            {"name": "Read each controller release",
             "kubernetes.core.helm_info": {"release_name": "{{ item }}", "release_namespace": ACK_NAMESPACE},
             "loop": RELEASES},
        ],
    }]
    path = os.path.join(directory, "floor.yml")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(play, handle, sort_keys=False)
    return path


def timed(label, playbook, *args):
    result = run_playbook(playbook, *args)
    status = "ok" if result.rc == 0 else f"FAILED rc={result.rc}"
    print(f"  {label:<46} {result.seconds:6.1f} s  ok={result.ok} changed={result.changed}  {status}", flush=True)
    if result.rc != 0:
        print(result.tail(3000))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="repeat the floor and the converged runs")
    args = parser.parse_args()
    os.environ.update(parse_env_file())
    config.load_kube_config(os.environ["KUBECONFIG"])

    rows = {}
    print("converge_bench: load average at start %.2f %.2f %.2f on %d CPUs" % (*os.getloadavg(), os.cpu_count()))
    timed("(set-up, not counted) site.yml", "site.yml", "-e", "site_smoke_test=false")
    with tempfile.TemporaryDirectory(prefix="converge-bench-") as tmp:
        floor_yml = floor_playbook(tmp)
        runs = {"floor": [], "site.yml, converged (smoke test off)": [], "site.yml --check --diff, converged": []}
        for _ in range(args.rounds):
            runs["floor"].append(timed("floor", floor_yml))
            runs["site.yml, converged (smoke test off)"].append(
                timed("site.yml, converged (smoke test off)", "site.yml", "-e", "site_smoke_test=false"))
            runs["site.yml --check --diff, converged"].append(
                timed("site.yml --check --diff, converged", "site.yml", "--check", "--diff"))
        runs["floor"].append(timed("floor (again)", floor_yml))
    for label, results in runs.items():
        rows[label] = results
    rows["playbooks/cleanup.yml"] = [timed("playbooks/cleanup.yml", "playbooks/cleanup.yml")]
    rows["cleanup of CRDs and namespace"] = [timed("cleanup of CRDs and namespace", "playbooks/cleanup.yml",
                                                   "-e", "cleanup_crds=true", "-e", "cleanup_namespace=true")]
    rows["site.yml from a clean cluster"] = [timed("site.yml from a clean cluster", "site.yml")]

    floor = min(r.seconds for r in rows["floor"])
    print("\nload average at the end: %.2f %.2f %.2f on %d CPUs" % (*os.getloadavg(), os.cpu_count()))
    print(f"\n| run | seconds | x floor | ok | changed | target | met |\n|---|---|---|---|---|---|---|")
    summary = {}
    for label, results in rows.items():
        seconds = statistics.median(r.seconds for r in results) if label != "floor" else floor
        last = results[-1]
        ratio = seconds / floor
        limit, max_ratio = TARGETS.get(label, (None, None))
        target = " and ".join(filter(None, [f"<= {max_ratio}x" if max_ratio else "", f"<= {limit} s" if limit else ""]))
        met = "" if not target else ("yes" if (limit is None or seconds <= limit)
                                     and (max_ratio is None or ratio <= max_ratio) and last.rc == 0 else "NO")
        print(f"| {label} | {seconds:.1f} | {ratio:.2f} | {last.ok} | {last.changed} | {target or '-'} | {met or '-'} |")
        summary[label] = {"seconds": seconds, "ratio": round(ratio, 2), "runs": [r.seconds for r in results],
                          "ok": last.ok, "changed": last.changed, "rc": last.rc, "target": target, "met": met}
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "converge_bench.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
