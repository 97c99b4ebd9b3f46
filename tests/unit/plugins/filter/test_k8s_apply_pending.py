# Unit tests of k8s_apply_pending against kubernetes.core's own client-side apply code.
from __future__ import annotations

import copy
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ackops.serverless.plugins.filter.k8s_apply_pending import FilterModule, k8s_apply_pending

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

FUNCTION = {
    "apiVersion": "lambda.services.k8s.aws/v1alpha1", "kind": "Function",
    "metadata": {"name": "demo", "namespace": "default",
                 "labels": {"app.kubernetes.io/part-of": "ackops-serverless"},
                 "annotations": {"services.k8s.aws/deletion-policy": "delete"}},
    "spec": {"name": "demo", "architectures": ["x86_64"], "memorySize": 256, "timeout": 30,
             "environment": {"variables": {"TABLE_NAME": "customer"}}, "tags": {"managed-by": "ackops.serverless"}},
}


def applied(doc):
    """The object as the API server holds it after kubernetes.core.k8s applied doc and ACK reconciled it:
    the last-applied annotation, server metadata, a field the controller late-initialized, and a status."""
    live = copy.deepcopy(doc)
    live["metadata"]["annotations"][LAST_APPLIED] = json.dumps(doc, separators=(",", ":"), sort_keys=True)
    live["metadata"].update({"generation": 2, "resourceVersion": "12260", "uid": "e147366c",
                             "finalizers": ["finalizers.lambda.services.k8s.aws/Function"],
                             "managedFields": [{"manager": "ack-controller", "operation": "Update"}]})
    live["spec"]["tracingConfig"] = {"mode": "PassThrough"}
    live["status"] = {"conditions": [{"type": "ACK.ResourceSynced", "status": "True"}], "state": "Active"}
    return live


def wanted(**spec):
    doc = copy.deepcopy(FUNCTION)
    doc["spec"].update(spec)
    return doc


def test_a_converged_object_with_list_fields_is_not_pending():
    # kubernetes.core would still send a patch (it repeats every list), one that changes nothing.
    assert k8s_apply_pending([wanted()], [applied(wanted())]) == []


def test_a_changed_value_is_pending():
    assert k8s_apply_pending([wanted(memorySize=512)], [applied(wanted())]) == [wanted(memorySize=512)]


def test_a_changed_list_is_pending():
    assert k8s_apply_pending([wanted(architectures=["arm64"])], [applied(wanted())]) == [wanted(architectures=["arm64"])]


def test_a_field_no_longer_wanted_is_pending_because_the_apply_removes_it():
    doc = wanted()
    del doc["spec"]["timeout"]
    assert k8s_apply_pending([doc], [applied(wanted())]) == [doc]


def test_an_edit_behind_our_back_is_pending():
    live = applied(wanted())
    live["spec"]["memorySize"] = 1024
    assert k8s_apply_pending([wanted()], [live]) == [wanted()]


def test_an_annotation_change_is_pending():
    doc = wanted()
    doc["metadata"]["annotations"]["services.k8s.aws/deletion-policy"] = "retain"
    assert k8s_apply_pending([doc], [applied(wanted())]) == [doc]


def test_fields_the_controller_added_are_left_alone():
    live = applied(wanted())
    live["spec"]["ephemeralStorage"] = {"size": 512}
    assert k8s_apply_pending([wanted()], [live]) == []


def test_a_missing_object_or_one_not_applied_before_is_pending():
    other = wanted()
    other["metadata"]["name"] = "other"
    created = applied(wanted())
    del created["metadata"]["annotations"][LAST_APPLIED]  # made by kubectl create, say
    assert k8s_apply_pending([wanted(), other], [applied(wanted())]) == [other]
    assert k8s_apply_pending([wanted()], [created]) == [wanted()]


def test_objects_are_matched_by_api_version_kind_namespace_and_name():
    elsewhere = applied(wanted())
    elsewhere["metadata"]["namespace"] = "pipeline"
    assert k8s_apply_pending([wanted()], [elsewhere]) == [wanted()]


def test_inputs_are_not_modified():
    doc, live = wanted(memorySize=512), applied(wanted())
    doc_copy, live_copy = copy.deepcopy(doc), copy.deepcopy(live)
    k8s_apply_pending([doc], [live])
    assert (doc, live) == (doc_copy, live_copy)


def test_bad_input_is_named():
    live = applied(wanted())
    del live["kind"]
    with pytest.raises(AnsibleFilterError, match="apiVersion and kind"):
        k8s_apply_pending([wanted()], [live])
    with pytest.raises(AnsibleFilterError, match="metadata.name"):
        k8s_apply_pending([{"kind": "Function"}], [])
    with pytest.raises(AnsibleFilterError, match="two lists"):
        k8s_apply_pending(wanted(), [])


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"k8s_apply_pending": k8s_apply_pending}
