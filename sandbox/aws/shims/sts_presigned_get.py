# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Answer pre-signed STS requests (query-string SigV4), as STS does: what EKS tokens are made of.

An EKS bearer token is a pre-signed ``GET /?Action=GetCallerIdentity&...&X-Amz-Credential=...``
that the cluster's authenticator replays against STS. moto 5.2.5 reads a request's service and
access key only from the ``Authorization`` header, so such a GET (no header, the signature in the
query string) lands in moto's S3 (ListBuckets) and never names its caller. For requests whose
query-string credential scope is ``.../sts/aws4_request`` and that carry no ``Authorization``
header, this shim puts the same credential, signed headers and signature into an ``Authorization``
header before moto dispatches the request, so STS answers for the key that signed it (an IAM
user's, or an assumed role's temporary key). Nothing else changes: other services and header-signed
requests pass untouched, and moto still does not verify signatures (see sandbox/README.md, "EKS
tokens").
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import parse_qs
except ImportError:  # pragma: no cover - Python 2 is not supported by moto anyway
    from urlparse import parse_qs


def authorization_from_query(query_string):
    """The SigV4 Authorization header equivalent to a pre-signed STS query string, or None."""
    query = {key.lower(): values[-1] for key, values in parse_qs(query_string).items()}
    credential = query.get("x-amz-credential", "")
    scope = credential.split("/")
    if (query.get("x-amz-algorithm") != "AWS4-HMAC-SHA256" or len(scope) != 5 or scope[3] != "sts"
            or not query.get("x-amz-signature")):
        return None
    return "AWS4-HMAC-SHA256 Credential={0}, SignedHeaders={1}, Signature={2}".format(
        credential, query.get("x-amz-signedheaders", "host"), query["x-amz-signature"])


def apply():
    """Wrap moto's dispatcher once; safe to call more than once."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    if getattr(original, "_ackops_sts_presigned", False):
        return

    def dispatch(self, environ, start_response):
        if "HTTP_AUTHORIZATION" not in environ and "X-Amz-Credential" in environ.get("QUERY_STRING", ""):
            header = authorization_from_query(environ["QUERY_STRING"])
            if header:
                environ["HTTP_AUTHORIZATION"] = header
        return original(self, environ, start_response)

    dispatch._ackops_sts_presigned = True
    DomainDispatcherApplication.__call__ = dispatch
