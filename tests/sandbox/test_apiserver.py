# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox control plane behaves like a cluster's: version, readiness, CRDs, namespace
deletion, Deployment -> ReplicaSet and garbage collection (the last two need kube-controller-manager)."""

import pytest
from kubernetes import client
from sbx_helpers import eventually

GROUP = "sandbox-tests.ackops.io"


def test_version_and_readyz(api_client):
    version = client.VersionApi(api_client).get_code()
    assert version.git_version == "v1.34.4"
    assert (version.major, version.minor) == ("1", "34")
    body = api_client.call_api("/readyz", "GET", query_params=[("verbose", "true")], response_type="str",
                               auth_settings=["BearerToken"], _return_http_data_only=True)
    assert body.rstrip().endswith("readyz check passed"), body


def _crd(plural, kind):
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"plural": plural, "singular": plural[:-1], "kind": kind, "listKind": f"{kind}List"},
            "versions": [{
                "name": "v1alpha1", "served": True, "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                        "status": {"type": "object", "properties": {
                            "phase": {"type": "string"},
                            "conditions": {"type": "array", "items": {
                                "type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                        }},
                    },
                }},
            }],
        },
    }


def test_crd_established_and_status_subresource(api_client, namespace, unique):
    ext = client.ApiextensionsV1Api(api_client)
    custom = client.CustomObjectsApi(api_client)
    plural, kind = f"widgets{unique}", f"Widget{unique}"
    name = f"{plural}.{GROUP}"
    ext.create_custom_resource_definition(_crd(plural, kind))
    try:
        def established():
            conditions = ext.read_custom_resource_definition(name).status.conditions or []
            return any(c.type == "Established" and c.status == "True" for c in conditions)

        eventually(established, timeout=30, what=f"CRD {name} Established")
        # The new resource type is served a moment after Established; retry the first create on 404.
        body = {"apiVersion": f"{GROUP}/v1alpha1", "kind": kind, "metadata": {"name": "w1"}, "spec": {"size": 1}}

        def create():
            try:
                return custom.create_namespaced_custom_object(GROUP, "v1alpha1", namespace, plural, body)
            except client.ApiException as err:
                if err.status == 404:
                    return None
                raise

        created = eventually(create, timeout=30, what=f"create a {kind}")
        assert created["spec"] == {"size": 1}

        patched = custom.patch_namespaced_custom_object(GROUP, "v1alpha1", namespace, plural, "w1",
                                                        {"spec": {"size": 3}})
        assert patched["spec"]["size"] == 3
        assert patched["metadata"]["generation"] == 2

        # The main resource ignores status; the status subresource ignores spec.
        custom.patch_namespaced_custom_object(GROUP, "v1alpha1", namespace, plural, "w1", {"status": {"phase": "x"}})
        assert "status" not in custom.get_namespaced_custom_object(GROUP, "v1alpha1", namespace, plural, "w1")
        status = {"status": {"phase": "Ready", "conditions": [{"type": "Ready", "status": "True"}]},
                  "spec": {"size": 99}}
        custom.patch_namespaced_custom_object_status(GROUP, "v1alpha1", namespace, plural, "w1", status)
        stored = custom.get_namespaced_custom_object(GROUP, "v1alpha1", namespace, plural, "w1")
        assert stored["status"]["phase"] == "Ready"
        assert stored["status"]["conditions"] == [{"type": "Ready", "status": "True"}]
        assert stored["spec"]["size"] == 3
        assert stored["metadata"]["generation"] == 2  # status writes do not bump generation
    finally:
        ext.delete_custom_resource_definition(name)


def test_namespace_with_content_is_deleted(api_client, unique):
    core = client.CoreV1Api(api_client)
    name = f"sbx-nsdel-{unique}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    core.create_namespaced_config_map(name, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="content"),
                                                               data={"k": "v"}))
    core.delete_namespace(name)

    def gone():
        try:
            core.read_namespace(name)
        except client.ApiException as err:
            if err.status == 404:
                return True
            raise
        return False

    # Without kube-controller-manager's namespace controller it would stay Terminating forever.
    eventually(gone, timeout=90, what=f"namespace {name} deleted")
    with pytest.raises(client.ApiException) as err:
        core.read_namespaced_config_map("content", name)
    assert err.value.status == 404


def test_deployment_gets_replicaset_which_is_garbage_collected(api_client, namespace):
    apps = client.AppsV1Api(api_client)
    labels = {"app": "sbx-deploy"}
    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="sbx-deploy"),
        spec=client.V1DeploymentSpec(
            replicas=1,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="127.0.0.1:15000/none:1")]),
            ),
        ),
    )
    created = apps.create_namespaced_deployment(namespace, deployment)

    def owned_replicasets():
        items = apps.list_namespaced_replica_set(namespace, label_selector="app=sbx-deploy").items
        return [rs for rs in items
                if any(ref.uid == created.metadata.uid for ref in rs.metadata.owner_references or [])]

    replicasets = eventually(owned_replicasets, timeout=60, what="ReplicaSet owned by the Deployment")
    assert replicasets[0].spec.replicas == 1
    # The ReplicaSet controller creates the Pod; with no scheduler and no kubelet it stays Pending.
    core = client.CoreV1Api(api_client)

    def owned_pods():
        items = core.list_namespaced_pod(namespace, label_selector="app=sbx-deploy").items
        return [p for p in items if any(r.uid == replicasets[0].metadata.uid for r in p.metadata.owner_references or [])]

    pods = eventually(owned_pods, timeout=60, what="Pod owned by the ReplicaSet")
    assert pods[0].spec.node_name is None and pods[0].status.phase == "Pending"
    assert pods[0].spec.service_account_name == "default"

    apps.delete_namespaced_deployment("sbx-deploy", namespace,
                                      body=client.V1DeleteOptions(propagation_policy="Background"))
    eventually(lambda: not owned_replicasets(), timeout=60, what="ReplicaSet garbage-collected")
    eventually(lambda: not owned_pods(), timeout=60, what="Pod garbage-collected")
