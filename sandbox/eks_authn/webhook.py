#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""EKS's token authenticator for the sandbox's kube-apiserver: a webhook that checks
`k8s-aws-v1.` bearer tokens against moto's STS, as EKS (aws-iam-authenticator) checks them
against AWS STS, so a job can reach the sandbox cluster with nothing but an AWS credential.

    .venv/bin/python sandbox/eks_authn/webhook.py --port 16444 --sts-endpoint http://127.0.0.1:15001 \
        --cluster-id ackops-sandbox --kubeconfig .sandbox/kubeconfig

kube-apiserver sends every bearer token its other authenticators do not know (not the admin token,
not ServiceAccount tokens) as a TokenReview (authentication.k8s.io/v1) to POST /authenticate.
A token is accepted when:
  1. it is `k8s-aws-v1.` + the base64url (padding optional) of a URL on the STS endpoint, path `/`,
     whose query holds only the pre-signing parameters (Action, Version, X-Amz-*), with
     Action=GetCallerIdentity, Version=2011-06-15, AWS4-HMAC-SHA256, `x-k8s-aws-id` among the
     signed headers and X-Amz-Expires at most 900;
  2. its X-Amz-Date is at most 15 minutes old (and not more than 5 minutes ahead);
  3. STS answers the URL, replayed with `x-k8s-aws-id: <cluster id>`, with the caller's ARN;
  4. the ARN (an assumed role's is reduced to its role ARN) is mapped in the aws-auth ConfigMap
     (kube-system; mapRoles/mapUsers entries with username and groups, `{{AccountID}}`,
     `{{SessionName}}` and `{{AccessKeyID}}` expanded in the username), as on EKS clusters in
     CONFIG_MAP or API_AND_CONFIG_MAP mode.
The answer carries the username, the uid `aws-iam-authenticator:<account>:<user id>`, the groups and
the ARNs and access key as extra. Limit: moto does not verify SigV4 signatures, so a token signed
with a wrong secret or for another cluster id passes step 3 here, where AWS STS would refuse it.
GET /healthz answers 200. Decisions are logged with the ARN, never with the token.
"""

import argparse
import base64
import datetime
import json
import re
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"
MAX_TOKEN_LENGTH = 8192
TOKEN_LIFETIME = datetime.timedelta(minutes=15)
CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_EXPIRES = 900
ALLOWED_PARAMS = {"action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
                  "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders"}
AWS_AUTH = ("kube-system", "aws-auth")
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


class TokenError(Exception):
    """The token is refused; the message says why (it is logged and returned to kube-apiserver)."""


def parse_token(token, sts_endpoints, now):
    """(url, lowercase query dict) of an acceptable token, else TokenError (steps 1 and 2)."""
    if not token.startswith(TOKEN_PREFIX):
        raise TokenError("not an EKS token (no k8s-aws-v1. prefix)")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("token longer than %d characters" % MAX_TOKEN_LENGTH)
    payload = token[len(TOKEN_PREFIX):]
    try:
        url = base64.b64decode(payload + "=" * (-len(payload) % 4), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise TokenError("payload is not base64url") from None
    parts = urlsplit(url)
    if "%s://%s" % (parts.scheme, parts.netloc) not in sts_endpoints:
        raise TokenError("URL is not on an accepted STS endpoint: %s://%s" % (parts.scheme, parts.netloc))
    if parts.path not in ("", "/"):
        raise TokenError("URL path must be /")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = {}
    for key, value in pairs:
        lower = key.lower()
        if lower not in ALLOWED_PARAMS:
            raise TokenError("unexpected query parameter %s" % key)
        if lower in query:
            raise TokenError("query parameter %s given twice" % key)
        query[lower] = value
    if query.get("action") != "GetCallerIdentity":
        raise TokenError("action must be GetCallerIdentity")
    if query.get("version") != "2011-06-15":
        raise TokenError("version must be 2011-06-15")
    if query.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        raise TokenError("algorithm must be AWS4-HMAC-SHA256")
    if CLUSTER_HEADER not in query.get("x-amz-signedheaders", "").split(";"):
        raise TokenError("%s is not a signed header" % CLUSTER_HEADER)
    try:
        expires = int(query.get("x-amz-expires", ""))
    except ValueError:
        raise TokenError("X-Amz-Expires missing or not a number") from None
    if not 0 < expires <= MAX_EXPIRES:
        raise TokenError("X-Amz-Expires must be 1-%d" % MAX_EXPIRES)
    try:
        signed = datetime.datetime.strptime(query.get("x-amz-date", ""), "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise TokenError("X-Amz-Date missing or malformed") from None
    if now > signed + TOKEN_LIFETIME:
        raise TokenError("token expired: signed %s, valid for %d minutes" % (signed.isoformat(),
                                                                             TOKEN_LIFETIME.seconds // 60))
    if signed > now + CLOCK_SKEW:
        raise TokenError("token signed in the future (%s)" % signed.isoformat())
    if not query.get("x-amz-signature"):
        raise TokenError("no X-Amz-Signature")
    return url, query


def parse_caller_identity(body):
    """{'Arn', 'Account', 'UserId'} from STS's JSON or XML answer."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        doc = json.loads(text)
        return doc["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
    root = ET.fromstring(text)
    result = root.find(STS_NS + "GetCallerIdentityResult")
    if result is None:
        raise TokenError("STS answer has no GetCallerIdentityResult")
    return {key: (result.findtext(STS_NS + key) or "") for key in ("Arn", "Account", "UserId")}


def canonical_arn(arn):
    """An assumed role's session ARN as its role ARN (what aws-auth maps); others unchanged."""
    match = re.match(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/(.+)$", arn)
    if match:
        partition, account, role, _session = match.groups()
        return "arn:%s:iam::%s:role/%s" % (partition, account, role)
    return arn


def session_name(arn):
    match = re.match(r"^arn:[^:]+:sts::\d{12}:assumed-role/[^/]+/(.+)$", arn)
    return match.group(1) if match else ""


def map_identity(identity, access_key, aws_auth):
    """(username, groups) for the caller from the aws-auth ConfigMap data, else TokenError (step 4)."""
    arn, canonical = identity["Arn"], canonical_arn(identity["Arn"])
    entries = []
    for key, arn_field in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
        raw = (aws_auth or {}).get(key) or "[]"
        try:
            import yaml

            parsed = yaml.safe_load(raw) or []
        except Exception:
            raise TokenError("aws-auth %s is not YAML" % key) from None
        entries += [(entry.get(arn_field, ""), entry) for entry in parsed if isinstance(entry, dict)]
    for mapped_arn, entry in entries:
        if mapped_arn and mapped_arn.rstrip("/") in (canonical, arn):
            username = str(entry.get("username") or canonical)
            username = (username.replace("{{AccountID}}", identity.get("Account", ""))
                        .replace("{{SessionName}}", session_name(arn))
                        .replace("{{AccessKeyID}}", access_key))
            return username, list(entry.get("groups") or [])
    raise TokenError("ARN %s is not mapped in the aws-auth ConfigMap" % canonical)


class Cluster:
    """Reads the aws-auth ConfigMap with the sandbox's admin kubeconfig (cached for a few seconds)."""

    def __init__(self, kubeconfig, ttl=3.0):
        import yaml

        config = yaml.safe_load(open(kubeconfig, encoding="utf-8"))
        cluster = config["clusters"][0]["cluster"]
        user = config["users"][0]["user"]
        self.server = cluster["server"]
        self.token = user["token"]
        self.ssl = ssl.create_default_context(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
        self.ttl = ttl
        self.cached = (0.0, None)
        self.lock = threading.Lock()

    def aws_auth(self):
        with self.lock:
            fetched, data = self.cached
            if time.monotonic() - fetched < self.ttl:
                return data
            url = "%s/api/v1/namespaces/%s/configmaps/%s" % (self.server, *AWS_AUTH)
            request = urllib.request.Request(url, headers={"Authorization": "Bearer " + self.token})
            try:
                with urllib.request.urlopen(request, context=self.ssl, timeout=5) as answer:
                    data = json.load(answer).get("data") or {}
            except urllib.error.HTTPError as err:
                if err.code != 404:
                    raise TokenError("cannot read the aws-auth ConfigMap: HTTP %d" % err.code) from None
                data = {}
            self.cached = (time.monotonic(), data)
            return data


class Authenticator:
    def __init__(self, sts_endpoints, cluster_id, cluster, clock=datetime.datetime.utcnow, opener=None):
        self.sts_endpoints = set(sts_endpoints)
        self.cluster_id = cluster_id
        self.cluster = cluster
        self.clock = clock
        self.opener = opener or urllib.request.urlopen

    def call_sts(self, url):
        request = urllib.request.Request(url, headers={CLUSTER_HEADER: self.cluster_id, "Accept": "application/json"})
        try:
            with self.opener(request, timeout=10) as answer:
                return parse_caller_identity(answer.read())
        except urllib.error.HTTPError as err:
            raise TokenError("STS refused the token: HTTP %d" % err.code) from None
        except (urllib.error.URLError, OSError) as err:
            raise TokenError("STS cannot be reached: %s" % err) from None

    def review(self, token):
        """The TokenReview status for a token (step 1-4), never raising."""
        try:
            url, query = parse_token(token, self.sts_endpoints, self.clock())
            identity = self.call_sts(url)
            access_key = query.get("x-amz-credential", "").split("/")[0]
            username, groups = map_identity(identity, access_key, self.cluster.aws_auth())
        except TokenError as err:
            return {"authenticated": False, "error": str(err)}, str(err)
        extra = {"arn": [identity["Arn"]], "canonicalArn": [canonical_arn(identity["Arn"])],
                 "accessKeyId": [access_key]}
        if session_name(identity["Arn"]):
            extra["sessionName"] = [session_name(identity["Arn"])]
        user = {"username": username, "uid": "aws-iam-authenticator:%s:%s" % (identity["Account"], identity["UserId"]),
                "groups": groups, "extra": extra}
        return {"authenticated": True, "user": user}, "%s -> %s %s" % (identity["Arn"], username, groups)


def make_handler(authenticator):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code, doc):
            body = json.dumps(doc).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - BaseHTTPRequestHandler's naming
            if self.path == "/healthz":
                self._send(200, {"status": "ok"})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self):  # noqa: N802
            if self.path.split("?")[0].rstrip("/") != "/authenticate":
                sys.stderr.write("eks-authn: POST %s: not found\n" % self.path)
                self._send(404, {"error": "not found"})
                return
            try:
                review = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                token = (review.get("spec") or {}).get("token") or ""
            except ValueError:
                self._send(400, {"error": "body is not a TokenReview"})
                return
            status, decision = authenticator.review(token)
            sys.stderr.write("eks-authn: %s: %s\n" % ("accepted" if status["authenticated"] else "refused", decision))
            sys.stderr.flush()
            self._send(200, {"apiVersion": review.get("apiVersion", "authentication.k8s.io/v1"),
                             "kind": "TokenReview", "status": status})

        def log_message(self, *_args):  # decisions are logged above, without tokens
            return

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sts-endpoint", action="append", required=True,
                        help="scheme://host[:port] tokens may point at (repeatable)")
    parser.add_argument("--cluster-id", required=True, help="the cluster name tokens are signed for")
    parser.add_argument("--kubeconfig", required=True, help="admin kubeconfig, to read the aws-auth ConfigMap")
    args = parser.parse_args(argv)
    authenticator = Authenticator([e.rstrip("/") for e in args.sts_endpoint], args.cluster_id, Cluster(args.kubeconfig))
    server = ThreadingHTTPServer((args.host, args.port), make_handler(authenticator))
    server.daemon_threads = True
    sys.stderr.write("eks-authn: serving http://%s:%d/authenticate for cluster %s, STS %s\n"
                     % (args.host, args.port, args.cluster_id, ", ".join(args.sts_endpoint)))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
