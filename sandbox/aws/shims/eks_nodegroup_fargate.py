# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Three answers of moto 5.2.5's EKS that differ from EKS: two break community.aws on a second run, one
makes every cluster share one OIDC issuer.

1. ``CreateNodegroup`` drops ``updateConfig``. ``moto/eks/responses.py`` ``create_nodegroup`` never
   reads the parameter and the model's ``update_config`` stays ``None``, so ``DescribeNodegroup``
   returns no ``updateConfig`` at all. EKS always returns it (``{"maxUnavailable": 1}`` unless the
   caller set another). community.aws 10.0.0 ``eks_nodegroup`` reads ``nodegroup["updateConfig"]``
   on every run after the first, so on moto it fails with ``KeyError: 'updateConfig'``.
   Here: the requested ``updateConfig`` is stored, or EKS's default when none was sent.

2. ``TagResource``, ``UntagResource`` and ``ListTagsForResource`` know clusters only (moto's own
   docstrings say so): a node group's or Fargate profile's ARN answers ResourceNotFoundException.
   EKS tags both. community.aws ``eks_nodegroup`` and ``eks_fargate_profile`` list the tags of an
   existing node group / profile whenever ``tags`` is given, so on moto their second run fails.
   Here: the three calls find node groups and Fargate profiles by ARN too, and keep their tags in
   the same ``tags`` attribute that Describe* already returns.

3. Every cluster of a moto process has the same OIDC issuer and the same API endpoint:
   ``moto/eks/models.py`` draws their random parts once, at import (``ISSUER_TEMPLATE``,
   ``ENDPOINT_TEMPLATE``). On EKS each cluster has its own issuer, so its IAM OIDC provider is its own; on
   moto, deleting one cluster's provider (the cluster role does on delete) would delete every cluster's.
   Here: each new cluster gets its own issuer id (32 upper-case hex characters, as EKS's) and endpoint.

Everything else in moto's EKS is left as it is (for example: clusters, node groups and profiles are
ACTIVE at once, and DeleteCluster refuses only while node groups exist).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

_MARK = "_ackops_eks_nodegroup_fargate"
EKS_DEFAULT_UPDATE_CONFIG = {"maxUnavailable": 1}


def _tagged_resources(backend):
    """Every node group and Fargate profile of the backend's clusters."""
    for cluster in backend.clusters.values():
        for nodegroup in cluster.nodegroups.values():
            yield nodegroup.arn, nodegroup
        for profile in cluster.fargate_profiles.values():
            yield profile.fargate_profile_arn, profile


def _find(backend, resource_arn):
    for arn, resource in _tagged_resources(backend):
        if arn == resource_arn:
            return resource
    return None


def _patch_create_nodegroup(responses_cls):
    original = responses_cls.create_nodegroup

    def create_nodegroup(self):
        result = original(self)
        nodegroup = self.eks_backend.describe_nodegroup(
            cluster_name=self._get_param("name"), nodegroup_name=self._get_param("nodegroupName"))
        nodegroup.update_config = self._get_param("updateConfig") or dict(EKS_DEFAULT_UPDATE_CONFIG)
        return result

    responses_cls.create_nodegroup = create_nodegroup


def _patch_cluster_identity(cluster_cls):
    original = cluster_cls.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        from moto.moto_api._internal import mock_random

        region = self.arn.split(":")[3]
        self.identity = {"oidc": {"issuer": "https://oidc.eks.{0}.amazonaws.com/id/{1}".format(
            region, mock_random.get_random_hex(32).upper())}}
        self.endpoint = "https://{0}.gr7.{1}.eks.amazonaws.com".format(mock_random.get_random_hex(32).upper(), region)

    cluster_cls.__init__ = __init__


def _patch_tagging(backend_cls):
    tag_resource = backend_cls.tag_resource
    untag_resource = backend_cls.untag_resource
    list_tags_for_resource = backend_cls.list_tags_for_resource

    def tag(self, resource_arn, tags):
        resource = _find(self, resource_arn)
        if resource is None:
            return tag_resource(self, resource_arn, tags)
        resource.tags.update(tags)
        return None

    def untag(self, resource_arn, tag_keys):
        resource = _find(self, resource_arn)
        if resource is None:
            return untag_resource(self, resource_arn, tag_keys)
        for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
            resource.tags.pop(key, None)
        return None

    def list_tags(self, resource_arn):
        resource = _find(self, resource_arn)
        if resource is None:
            return list_tags_for_resource(self, resource_arn)
        return resource.tags

    backend_cls.tag_resource = tag
    backend_cls.untag_resource = untag
    backend_cls.list_tags_for_resource = list_tags


def apply():
    """Patch moto's EKS backend and responses; safe to call more than once."""
    from moto.eks import models as eks_models
    from moto.eks import responses as eks_responses

    if getattr(eks_models.EKSBackend, _MARK, False):
        return
    _patch_create_nodegroup(eks_responses.EKSResponse)
    _patch_tagging(eks_models.EKSBackend)
    _patch_cluster_identity(eks_models.Cluster)
    setattr(eks_models.EKSBackend, _MARK, True)
