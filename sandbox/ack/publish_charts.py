# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Package the stand-in ACK charts and push them to the sandbox OCI registry.

One template source (charts/common) is rendered per service into a complete chart:
Chart.yaml and values.yaml from the service facts in services.py, the shared templates,
and the service's own CRDs (charts/<svc>-chart/crds). Each chart is pushed as
oci://$ACKOPS_REGISTRY/aws-controllers-k8s/<svc>-chart:<version>.

Idempotent and fast when already there: the chart's source digest is stored in
Chart.yaml (annotation ackops.io/source-sha256); a chart whose tag already exists in the
registry with the same digest is not packaged again.

Usage:  python sandbox/ack/publish_charts.py [--assemble-only DIR] [--registry HOST:PORT]
Exit status 0 when every chart is in the registry; messages go to stderr.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from services import OCI_REPOSITORY, SERVICES, chart_name  # a sibling: the script's folder is first on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
CHARTS = os.path.join(HERE, "charts")
COMMON = os.path.join(CHARTS, "common")
DIGEST_ANNOTATION = "ackops.io/source-sha256"

CHART_YAML = """apiVersion: v2
name: {name}
description: >-
  ackops sandbox stand-in for the ACK {service} controller chart (values interface of
  aws-controllers-k8s/{service}-chart {version}); the sandbox supervisor runs its Deployment
  as the sandbox's Go controller on the real ACK runtime, against moto. On real EKS install
  the real chart instead.
version: {version}
appVersion: {version}
type: application
kubeVersion: ">=1.16.0-0"
home: https://github.com/aws-controllers-k8s/{service}-controller
keywords:
  - aws
  - kubernetes
  - {service}
  - ackops-sandbox
annotations:
  {annotation}: "{digest}"
"""

SERVICE_TPL = """{{{{- define "ack.service" -}}}}{service}{{{{- end -}}}}
{{{{- define "ack.plurals" -}}}}{plurals}{{{{- end -}}}}
"""


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def chart_files(service):
    """Relative path -> content of the complete chart, Chart.yaml excluded."""
    facts = SERVICES[service]
    files = {}
    resources = "\n".join("    - %s" % kind for kind in facts["kinds"])
    values = _read(os.path.join(COMMON, "values.yaml.in"))
    files["values.yaml"] = (values.replace("@SERVICE@", service).replace("@VERSION@", facts["version"])
                            .replace("@RESOURCES@", resources))
    templates = os.path.join(COMMON, "templates")
    for name in sorted(os.listdir(templates)):
        target = name[:-len(".tmpl")] if name.endswith(".tmpl") else name
        files["templates/" + target] = _read(os.path.join(templates, name))
    files["templates/_service.tpl"] = SERVICE_TPL.format(
        service=service, plurals=",".join(sorted(facts["kinds"].values())))
    crds = os.path.join(CHARTS, chart_name(service), "crds")
    for name in sorted(os.listdir(crds)):
        files["crds/" + name] = _read(os.path.join(crds, name))
    return files


def source_digest(files):
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path].encode() + b"\0")
    return digest.hexdigest()


def assemble(service, dest):
    """Write the complete chart for service under dest/<svc>-chart; return (path, digest)."""
    files = chart_files(service)
    digest = source_digest(files)
    root = os.path.join(dest, chart_name(service))
    if os.path.exists(root):
        shutil.rmtree(root)
    files["Chart.yaml"] = CHART_YAML.format(name=chart_name(service), service=service,
                                           version=SERVICES[service]["version"],
                                           annotation=DIGEST_ANNOTATION, digest=digest)
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
    return root, digest


def _get(url, accept):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec: loopback registry
        return response.read()


def published_digest(registry, service):
    """The source digest of the chart already in the registry, or None."""
    base = "http://%s/v2/%s/%s" % (registry, OCI_REPOSITORY, chart_name(service))
    try:
        manifest = json.loads(_get("%s/manifests/%s" % (base, SERVICES[service]["version"]),
                                   "application/vnd.oci.image.manifest.v1+json"))
        config = json.loads(_get("%s/blobs/%s" % (base, manifest["config"]["digest"]), "*/*"))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise
    return (config.get("annotations") or {}).get(DIGEST_ANNOTATION)


def helm(*args):
    result = subprocess.run(["helm"] + list(args), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError("helm %s failed (rc=%d): %s" % (" ".join(args), result.returncode,
                                                          (result.stderr or result.stdout).strip()))
    return result.stdout


def publish(registry, services=None):
    """Push every chart whose digest differs from the registry's; return {service: pushed?}."""
    outcome = {}
    with tempfile.TemporaryDirectory(prefix="ack-charts-") as work:
        for service in services or sorted(SERVICES):
            root, digest = assemble(service, work)
            if published_digest(registry, service) == digest:
                outcome[service] = False
                continue
            helm("package", root, "--destination", work)
            package = os.path.join(work, "%s-%s.tgz" % (chart_name(service), SERVICES[service]["version"]))
            helm("push", package, "oci://%s/%s" % (registry, OCI_REPOSITORY), "--plain-http")
            outcome[service] = True
    return outcome


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--registry", default=os.environ.get("ACKOPS_REGISTRY"),
                        help="registry host:port (default: $ACKOPS_REGISTRY)")
    parser.add_argument("--assemble-only", metavar="DIR",
                        help="only write the complete charts under DIR (no helm, no registry)")
    args = parser.parse_args(argv)
    if args.assemble_only:
        for service in sorted(SERVICES):
            root, _digest = assemble(service, args.assemble_only)
            sys.stderr.write("assembled %s\n" % root)
        return 0
    if not args.registry:
        parser.error("no registry: pass --registry 127.0.0.1:15000 or source .sandbox/env (ACKOPS_REGISTRY)")
    for service, pushed in sorted(publish(args.registry).items()):
        sys.stderr.write("%s %s-chart:%s\n" % ("pushed" if pushed else "up to date",
                                               service, SERVICES[service]["version"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
