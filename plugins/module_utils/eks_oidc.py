# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Reading an EKS cluster's OIDC issuer and the IAM OIDC provider that serves it.

Shared by the eks_oidc_provider module (which manages the provider) and eks_oidc_provider_info
(which only reads it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

CREDENTIAL_ERROR_CODES = [
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
]
CREDENTIAL_HINT = (
    "set valid AWS credentials in the environment (AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY) or pass access_key/secret_key/profile to the module"
)


def _region(module):
    return module.region or "(no region set)"


def describe_issuer(module, eks):
    """Return the cluster's OIDC issuer URL, or fail with a message that says what to do."""
    name = module.params["cluster_name"]
    region = _region(module)
    try:
        cluster = eks.describe_cluster(name=name, aws_retry=True)["cluster"]
    except is_boto3_error_code("ResourceNotFoundException") as e:
        module.fail_json_aws(
            e,
            msg=(
                "EKS cluster '{0}' was not found in region {1}: check cluster_name and the region "
                "(region option, AWS_REGION or the profile's region); "
                "'aws eks list-clusters --region {1}' lists the clusters of that region".format(name, region)
            ),
        )
    except is_boto3_error_code(CREDENTIAL_ERROR_CODES) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="AWS rejected the credentials used to describe EKS cluster '{0}': {1}".format(name, CREDENTIAL_HINT))
    except is_boto3_error_code("AccessDeniedException") as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(
            e, msg="Not allowed to describe EKS cluster '{0}': grant eks:DescribeCluster to the caller".format(name)
        )
    except botocore.exceptions.NoCredentialsError as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="No AWS credentials found: {0}".format(CREDENTIAL_HINT))
    except botocore.exceptions.EndpointConnectionError as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(
            e,
            msg=(
                "Could not reach the EKS endpoint of region {0}: check that the region is a valid AWS region "
                "and, if an endpoint_url is set, that it is reachable".format(region)
            ),
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to describe EKS cluster '{0}' in region {1}".format(name, region))

    issuer = ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer")
    if not issuer:
        module.fail_json(
            msg=(
                "EKS cluster '{0}' in region {1} has no OIDC issuer (cluster.identity.oidc.issuer is empty): "
                "IRSA needs an EKS cluster of version 1.13 or later; wait until the cluster is ACTIVE".format(name, region)
            )
        )
    return issuer


def issuer_host_path(issuer):
    for scheme in ("https://", "http://"):
        if issuer.startswith(scheme):
            return issuer[len(scheme):].rstrip("/")
    return issuer.rstrip("/")


def find_provider(module, iam, host_path):
    """Return the provider's details as a dict, or None if no provider serves this issuer."""
    suffix = ":oidc-provider/" + host_path
    try:
        arns = [p["Arn"] for p in iam.list_open_id_connect_providers(aws_retry=True).get("OpenIDConnectProviderList", [])]
    except is_boto3_error_code(CREDENTIAL_ERROR_CODES) as e:
        module.fail_json_aws(e, msg="AWS rejected the credentials used to list IAM OIDC providers: {0}".format(CREDENTIAL_HINT))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to list IAM OIDC providers (needs iam:ListOpenIDConnectProviders)")

    for arn in arns:
        if arn.endswith(suffix):
            return get_provider(module, iam, arn)
    return None


def get_provider(module, iam, arn):
    try:
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn, aws_retry=True)
        tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn, aws_retry=True).get("Tags", [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read IAM OIDC provider {0}".format(arn))
    return dict(
        arn=arn,
        client_ids=sorted(provider.get("ClientIDList") or []),
        thumbprints=sorted(provider.get("ThumbprintList") or []),
        tags=boto3_tag_list_to_ansible_dict(tags),
    )


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
    return issuer, host_path, find_provider(module, iam, host_path)
