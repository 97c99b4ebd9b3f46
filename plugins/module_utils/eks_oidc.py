# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Reading an EKS cluster's OIDC issuer and the IAM OIDC provider that serves it.

Shared by the eks_oidc_provider module (which manages the provider), eks_oidc_provider_info (which only
reads it) and the eks_oidc_provider lookup (which reads it in Ansible's own process). AWS calls go through amazon.aws's error handlers: they raise an
AnsibleAWSError, which the modules turn into one failure with fail_with_advice().
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

CREDENTIAL_ERROR_CODES = (
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
)
CREDENTIAL_HINT = (
    "set valid AWS credentials in the environment (AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY) or pass access_key/secret_key/profile to the module"
)


class EKSErrorHandler(AWSErrorHandler):
    """amazon.aws's error handler for EKS: ResourceNotFoundException means "not there"."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


class IssuerError(Exception):
    """The cluster is missing or has no OIDC issuer: the message says what to check."""


def _region(module):
    return module.region or "(no region set)"


def advice(module, error):
    """What to do about an AWS error, for the usual causes; '' when there is nothing to add."""
    return advice_for(error, _region(module))


def advice_for(error, region):
    """advice() for a region rather than a module (the lookup has no module)."""
    cause = error.exception
    if isinstance(cause, botocore.exceptions.NoCredentialsError):
        return "No AWS credentials found: " + CREDENTIAL_HINT
    if isinstance(cause, botocore.exceptions.EndpointConnectionError):
        return ("Could not reach the AWS endpoint of region {0}: check that the region is a valid AWS region "
                "and, if an endpoint_url is set, that it is reachable".format(region))
    code = (getattr(cause, "response", None) or {}).get("Error", {}).get("Code", "")
    if code in CREDENTIAL_ERROR_CODES:
        return "AWS rejected the credentials: " + CREDENTIAL_HINT
    if code in ("AccessDenied", "AccessDeniedException"):
        return "Not allowed: grant the caller the IAM permission of the call that failed"
    return ""


def fail_with_advice(module, error):
    """module.fail_json_aws_error(), with what to do in front of the message when the cause is a usual one."""
    hint = advice(module, error)
    message = "{0} ({1})".format(hint, error.message) if hint else error.message
    if error.exception is not None:
        module.fail_json_aws(error.exception, msg=message)
    module.fail_json(msg=message)


@EKSErrorHandler.list_error_handler("describe the EKS cluster")
def _describe_cluster(eks, name):
    return eks.describe_cluster(name=name, aws_retry=True)["cluster"]


def describe_issuer(module, eks):
    """Return the cluster's OIDC issuer URL, or fail with a message that says what to do."""
    try:
        return cluster_issuer(eks, module.params["cluster_name"], _region(module))
    except IssuerError as e:
        module.fail_json(msg=str(e))


def cluster_issuer(eks, name, region):
    """The cluster's OIDC issuer URL; IssuerError, saying what to do, for a missing cluster or issuer."""
    cluster = _describe_cluster(eks, name)
    if cluster is None:
        raise IssuerError(
            "EKS cluster '{0}' was not found in region {1}: check cluster_name and the region "
            "(region option, AWS_REGION or the profile's region); "
            "'aws eks list-clusters --region {1}' lists the clusters of that region".format(name, region))
    issuer = ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer")
    if not issuer:
        raise IssuerError(
            "EKS cluster '{0}' in region {1} has no OIDC issuer (cluster.identity.oidc.issuer is empty): "
            "IRSA needs an EKS cluster of version 1.13 or later; wait until the cluster is ACTIVE".format(name, region))
    return issuer


def issuer_host_path(issuer):
    for scheme in ("https://", "http://"):
        if issuer.startswith(scheme):
            return issuer[len(scheme):].rstrip("/")
    return issuer.rstrip("/")


@IAMErrorHandler.list_error_handler("list the IAM OIDC providers (needs iam:ListOpenIDConnectProviders)", [])
def _provider_arns(iam):
    return [p["Arn"] for p in iam.list_open_id_connect_providers(aws_retry=True).get("OpenIDConnectProviderList", [])]


@IAMErrorHandler.common_error_handler("read the IAM OIDC provider")
def get_provider(iam, arn):
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn, aws_retry=True)
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn, aws_retry=True).get("Tags", [])
    return dict(
        arn=arn,
        client_ids=sorted(provider.get("ClientIDList") or []),
        thumbprints=sorted(provider.get("ThumbprintList") or []),
        tags=boto3_tag_list_to_ansible_dict(tags),
    )


def find_provider(iam, host_path):
    """Return the provider's details as a dict, or None if no provider serves this issuer."""
    suffix = ":oidc-provider/" + host_path
    for arn in _provider_arns(iam):
        if arn.endswith(suffix):
            return get_provider(iam, arn)
    return None


def result_view(provider):
    if provider is None:
        return dict(exists=False, arn="", client_ids=[], thumbprints=[], tags={})
    return dict(
        exists=True,
        arn=provider["arn"],
        client_ids=list(provider["client_ids"]),
        thumbprints=list(provider["thumbprints"]),
        tags=dict(provider["tags"]),
    )


def lookup(module, eks, iam):
    """Return (issuer, issuer_host_path, provider or None) for module.params['cluster_name']."""
    issuer = describe_issuer(module, eks)
    host_path = issuer_host_path(issuer)
    return issuer, host_path, find_provider(iam, host_path)
