# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""EKS bearer tokens from AWS credentials, without the aws CLI.

EKS authenticates a Kubernetes client by a pre-signed STS GetCallerIdentity request: the client
signs the request (with the header ``x-k8s-aws-id: <cluster name>`` among the signed headers),
base64url-encodes the URL without padding and sends ``k8s-aws-v1.<that>`` as its bearer token.
The API server's authenticator replays the request against STS and maps the caller's ARN to a
Kubernetes identity. EKS accepts such a token for 15 minutes after its signing time, whatever
``X-Amz-Expires`` says; the aws CLI signs with 60 seconds, and so do we.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime

try:
    from urllib.parse import parse_qs, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    from urlparse import parse_qs, urlsplit

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"
PRESIGN_SECONDS = 60
# How long EKS honours a token after X-Amz-Date (aws-iam-authenticator's rule).
EKS_TOKEN_LIFETIME = datetime.timedelta(minutes=15)


def presigned_token(sts_client, cluster_name, expires_in=PRESIGN_SECONDS):
    """The bearer token for ``cluster_name``, signed with ``sts_client``'s credentials."""
    if not cluster_name:
        raise ValueError("cluster_name is required: the token is bound to one EKS cluster")
    events = sts_client.meta.events

    def add_cluster_header(request, **kwargs):
        request.headers[CLUSTER_HEADER] = cluster_name

    handler_id = "ackops-eks-token-%s" % id(sts_client)
    events.register("before-sign.sts.GetCallerIdentity", add_cluster_header, unique_id=handler_id)
    try:
        url = sts_client.generate_presigned_url(
            "get_caller_identity", Params={}, ExpiresIn=expires_in, HttpMethod="GET")
    finally:
        events.unregister("before-sign.sts.GetCallerIdentity", unique_id=handler_id)
    encoded = base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")
    return TOKEN_PREFIX + encoded


def decode_token(token):
    """(url, query dict of single values) of a token; ValueError when it is not an EKS token."""
    if not token or not token.startswith(TOKEN_PREFIX):
        raise ValueError("not an EKS token: it must start with %r" % TOKEN_PREFIX)
    payload = token[len(TOKEN_PREFIX):]
    payload += "=" * (-len(payload) % 4)
    try:
        url = base64.b64decode(payload.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, UnicodeError) as exc:
        raise ValueError("not an EKS token: its payload is not base64url (%s)" % exc)
    if urlsplit(url).scheme not in ("https", "http"):
        raise ValueError("not an EKS token: its payload is not a pre-signed URL")
    query = dict((key, values[-1]) for key, values in parse_qs(urlsplit(url).query).items())
    return url, query


def token_expiry(token):
    """The UTC datetime after which EKS refuses ``token`` (signing time + 15 minutes)."""
    dummy, query = decode_token(token)
    signed = query.get("X-Amz-Date")
    if not signed:
        raise ValueError("not an EKS token: its URL has no X-Amz-Date")
    signed_at = datetime.datetime.strptime(signed, "%Y%m%dT%H%M%SZ")
    return signed_at + EKS_TOKEN_LIFETIME
