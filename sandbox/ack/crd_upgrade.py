# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Bring CRDs already in the cluster up to the charts' crds/ folders.

Helm installs a chart's crds/ once and never upgrades them, on EKS as here; ACK's upgrade guide
has the operator apply the new CRDs by hand. In the sandbox the charts change with the sources
(sandbox/ack/controller/generate.sh), so the supervisor does that step at start: every CRD of our
charts that exists in the cluster with a different spec is replaced by the chart's. CRDs that do
not exist are left to `helm install`, so what helm does on a fresh cluster stays as on EKS.
"""

import glob
import os

import kubernetes
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CHARTS = os.path.join(HERE, "charts")


def chart_crds(charts=CHARTS):
    """Every CRD document of the charts' crds/ folders."""
    docs = []
    for path in sorted(glob.glob(os.path.join(charts, "*-chart", "crds", "*.yaml"))):
        with open(path, encoding="utf-8") as handle:
            docs.extend(doc for doc in yaml.safe_load_all(handle) if doc)
    return docs


def upgrade(api=None, charts=CHARTS):
    """Replace the cluster's CRDs whose spec differs from the chart's; return their names."""
    api = api or kubernetes.client.ApiextensionsV1Api()
    replaced = []
    for doc in chart_crds(charts):
        name = doc["metadata"]["name"]
        try:
            current = api.read_custom_resource_definition(name)
        except kubernetes.client.ApiException as exc:
            if exc.status == 404:
                continue
            raise
        live = api.api_client.sanitize_for_serialization(current)
        if live.get("spec", {}).get("versions") == doc["spec"]["versions"] and \
                live.get("spec", {}).get("names", {}).get("kind") == doc["spec"]["names"]["kind"]:
            continue
        body = dict(doc, metadata=dict(doc["metadata"], resourceVersion=current.metadata.resource_version,
                                       labels=current.metadata.labels, annotations=doc["metadata"].get("annotations")))
        api.replace_custom_resource_definition(name, body)
        replaced.append(name)
    return replaced
