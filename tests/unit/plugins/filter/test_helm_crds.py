from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ackops.serverless.plugins.filter.helm_crds import FilterModule, helm_crds

# As helm template --include-crds prints them: a CRD file that starts with its own '---' leaves the Source comment
# alone in a document; templates follow, each with its own comment.
RENDERED = """---
# Source: sqs-chart/crds/sqs.services.k8s.aws_queues.yaml
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: queues.sqs.services.k8s.aws
spec:
  group: sqs.services.k8s.aws
---
# Source: sqs-chart/crds/services.k8s.aws_two.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: adoptedresources.services.k8s.aws
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: fieldexports.services.k8s.aws
---
# Source: sqs-chart/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ack-sqs-controller
---
# Source: sqs-chart/templates/extra-crd.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: installedbyhelm.example.com
---
# Source: sqs-chart/charts/sub/crds/sub.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: subs.example.com
"""


def test_only_the_crds_of_crds_folders_in_order():
    names = [crd["metadata"]["name"] for crd in helm_crds(RENDERED)]
    assert names == ["queues.sqs.services.k8s.aws", "adoptedresources.services.k8s.aws",
                     "fieldexports.services.k8s.aws", "subs.example.com"]


def test_nothing_from_a_chart_without_crds():
    assert helm_crds("---\n# Source: c/templates/a.yaml\nkind: ConfigMap\n") == []
    assert helm_crds("") == []


def test_bad_input_names_the_problem():
    with pytest.raises(AnsibleFilterError, match="expects the text"):
        helm_crds({"stdout": ""})
    with pytest.raises(AnsibleFilterError, match="sqs-chart/crds/bad.yaml"):
        helm_crds("---\n# Source: sqs-chart/crds/bad.yaml\nkind: [unclosed\n")


def test_registered_as_a_filter():
    assert FilterModule().filters() == {"helm_crds": helm_crds}
