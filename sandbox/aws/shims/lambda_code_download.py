# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Let the sandbox Lambda runtime download a Zip function's code from moto.

On AWS, GetFunction returns ``Code.Location``, a pre-signed S3 URL of the deployment package.
moto 5.2.5 returns a Location of the same shape
(``https://awslambda-<region>-tasks.s3.<region>.amazonaws.com/<name>-<uuid>``) but serves nothing
there: the zip only lives in memory (``LambdaFunction.code_bytes``). This shim adds one
read-only route to moto's own ``/moto-api/`` namespace:

    GET /moto-api/ackops/lambda-code?function_name=<name or ARN>[&account_id=..][&region=..]

which answers the zip bytes (``application/zip``, header ``x-ackops-code-sha256`` = CodeSha256),
404 when the function does not exist or has no zip (PackageType Image), 400 on a bad query.
It changes no AWS API response.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

ROUTE = "{0}/moto-api/ackops/lambda-code"
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


def _error(status, message):
    return status, {"Content-Type": "application/json"}, json.dumps({"message": message})


def lambda_code(request, *_url_and_headers):
    """moto calls its /moto-api/ routes with (request, full_url, headers); the query is all this one reads."""
    try:
        from urllib.parse import parse_qs
    except ImportError:  # pragma: no cover - Python 2 is not supported by moto anyway
        return _error(500, "Python 3 is required")
    from moto.awslambda.utils import get_backend

    query = parse_qs(request.query_string.decode("utf-8") if hasattr(request, "query_string") else "")
    name = (query.get("function_name") or [""])[0]
    if not name:
        return _error(400, "query parameter function_name is required")
    account_id = (query.get("account_id") or [DEFAULT_ACCOUNT_ID])[0]
    region = (query.get("region") or [DEFAULT_REGION])[0]
    backend = get_backend(account_id, region)
    try:
        function = backend.get_function(name)
    except Exception:  # moto raises its own UnknownFunctionException; any failure means "not here"
        return _error(404, "function %s not found in account %s region %s" % (name, account_id, region))
    code = getattr(function, "code_bytes", b"") or b""
    if not code:
        return _error(404, "function %s has no zip package (PackageType %s)" % (name, function.package_type))
    return 200, {"Content-Type": "application/zip", "x-ackops-code-sha256": function.code_sha_256}, code


def apply():
    """Register the route; safe to call more than once. Must run before the server serves /moto-api."""
    from moto.moto_api._internal import urls

    urls.url_paths[ROUTE] = lambda_code
