# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Fetch a Lambda function's code from the sandbox into a directory the runtime can run.

PackageType Zip: the zip stored in moto, through the route that
sandbox/aws/shims/lambda_code_download.py adds (moto serves nothing at Code.Location).
PackageType Image: ``crane export`` of the image in the local OCI registry, keeping
LAMBDA_TASK_ROOT (/var/task, or the image's WorkingDir) and /opt; ``crane config`` gives Cmd
(the handler) and WorkingDir, overridden by the function's ImageConfig like Lambda does.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

TASK_ROOT = "/var/task"
ECR_URI = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/(?P<rest>.+)$")


class CodeError(Exception):
    """The function's code cannot be prepared; the message says what to fix."""


class PreparedCode:
    def __init__(self, code_dir, handler, image_env=None):
        self.code_dir = code_dir
        self.handler = handler
        self.image_env = image_env or {}


def fingerprint(configuration, code):
    """What, when it changes, needs a new runtime process (code, handler, env, limits)."""
    relevant = {
        "sha": configuration.get("CodeSha256"),
        "image": (code or {}).get("ImageUri"),
        "resolved": (code or {}).get("ResolvedImageUri"),
        "handler": configuration.get("Handler"),
        "runtime": configuration.get("Runtime"),
        "env": (configuration.get("Environment") or {}).get("Variables") or {},
        "timeout": configuration.get("Timeout"),
        "memory": configuration.get("MemorySize"),
        "image_config": (configuration.get("ImageConfigResponse") or {}).get("ImageConfig") or {},
        "last_modified": configuration.get("LastModified"),
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def local_image_ref(image_uri, registry):
    """Where to pull an image from in the sandbox.

    Agreed convention: the Function's ImageUri already names the local registry
    (127.0.0.1:15000/<repo>@sha256:<digest>). An ECR-style URI
    (<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@digest]) is mapped to
    <registry>/<repo>[:tag|@digest]. Anything else cannot be reached from the sandbox.
    """
    if not image_uri:
        raise CodeError("the function has PackageType Image but no ImageUri")
    if image_uri.startswith(registry + "/"):
        return image_uri
    match = ECR_URI.match(image_uri)
    if match:
        return "%s/%s" % (registry, match.group("rest"))
    raise CodeError(
        "image %s is neither in the sandbox registry %s nor an ECR URI; push it to %s and point the "
        "function's ImageUri at %s/<repository>@sha256:<digest>" % (image_uri, registry, registry, registry))


def _clean_dir(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)


def fetch_zip(endpoint, function_name, account_id, region, expected_sha256, dest):
    query = urllib.parse.urlencode({"function_name": function_name, "account_id": account_id, "region": region})
    url = "%s/moto-api/ackops/lambda-code?%s" % (endpoint.rstrip("/"), query)
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            data = resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise CodeError(
                "moto has no zip for %s at %s (is the shim sandbox/aws/shims/lambda_code_download.py "
                "applied by sandbox/aws/moto_main.py?): %s" % (function_name, url, exc.read()[:200]))
        raise CodeError("downloading the code of %s from %s failed: %s" % (function_name, url, exc))
    except (urllib.error.URLError, OSError) as exc:
        raise CodeError("downloading the code of %s from %s failed: %s" % (function_name, url, exc))
    actual = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    if expected_sha256 and actual != expected_sha256:
        raise CodeError("the zip of %s has CodeSha256 %s, the function says %s" % (function_name, actual, expected_sha256))
    _clean_dir(dest)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                target = os.path.realpath(os.path.join(dest, member))
                if not target.startswith(os.path.realpath(dest) + os.sep) and target != os.path.realpath(dest):
                    raise CodeError("the zip of %s has an unsafe path %r" % (function_name, member))
            archive.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise CodeError("the code of %s is not a valid zip: %s" % (function_name, exc))
    return dest


def _crane(crane, args, **kwargs):
    try:
        return subprocess.run([crane] + args, check=True, capture_output=True, timeout=300, **kwargs)
    except FileNotFoundError:
        raise CodeError("crane not found at %r: run sandbox/build.sh crane and source .sandbox/env" % crane)
    except subprocess.CalledProcessError as exc:
        raise CodeError("crane %s failed: %s" % (" ".join(args), exc.stderr.decode("utf-8", "replace").strip()))
    except subprocess.TimeoutExpired:
        raise CodeError("crane %s did not finish in 300 s" % " ".join(args))


def image_config(crane, ref, platform="linux/amd64"):
    out = _crane(crane, ["config", "--platform", platform, ref]).stdout
    try:
        return (json.loads(out.decode("utf-8")) or {}).get("config") or {}
    except ValueError:
        raise CodeError("crane config %s did not answer JSON" % ref)


def export_image(crane, ref, dest, roots, platform="linux/amd64"):
    """Stream ``crane export`` and keep only files under the given absolute roots."""
    _clean_dir(dest)
    wanted = tuple(r.strip("/") + "/" for r in roots)
    try:
        proc = subprocess.Popen([crane, "export", "--platform", platform, ref, "-"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise CodeError("crane not found at %r: run sandbox/build.sh crane and source .sandbox/env" % crane)
    kept = 0
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for member in archive:
                name = member.name
                while name.startswith("./"):
                    name = name[2:]
                name = name.lstrip("/")
                if not (name + "/").startswith(wanted) or member.isdev():
                    continue
                member.name = name
                try:
                    archive.extract(member, dest, filter="data")
                except tarfile.FilterError:
                    continue  # e.g. a symlink leaving the tree: Lambda would not resolve it either
                kept += 1
    except tarfile.TarError as exc:
        proc.kill()
        raise CodeError("crane export %s gave no readable tar: %s" % (ref, exc))
    finally:
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.wait()
    if proc.returncode != 0:
        raise CodeError("crane export %s failed: %s" % (ref, err.strip()))
    return kept


def prepare(get_function_response, dest, endpoint, registry, crane="crane", account_id="123456789012", region="us-east-1"):
    """Materialise the code of a function (a boto3 get_function response) under dest."""
    config = get_function_response["Configuration"]
    code = get_function_response.get("Code") or {}
    name = config["FunctionName"]
    if config.get("PackageType", "Zip") == "Image":
        ref = local_image_ref(code.get("ImageUri"), registry)
        # Picks the child of a multi-platform index; a single-platform image is used as it is.
        platform = "linux/arm64" if "arm64" in (config.get("Architectures") or []) else "linux/amd64"
        cfg = image_config(crane, ref, platform)
        override = (config.get("ImageConfigResponse") or {}).get("ImageConfig") or {}
        command = override.get("Command") or cfg.get("Cmd") or []
        work_dir = override.get("WorkingDirectory") or cfg.get("WorkingDir") or TASK_ROOT
        if not command:
            raise CodeError(
                "image %s has no Cmd and the function no ImageConfig.Command: set the handler "
                "(e.g. crane mutate --cmd app.handler, or ImageConfig.Command: [app.handler])" % ref)
        root = os.path.join(dest, "rootfs")
        kept = export_image(crane, ref, root, [work_dir, "/opt"], platform)
        code_dir = os.path.join(root, work_dir.strip("/"))
        if not kept or not os.path.isdir(code_dir):
            raise CodeError("image %s has no files under %s (LAMBDA_TASK_ROOT)" % (ref, work_dir))
        image_env = {}
        for item in cfg.get("Env") or []:
            key, _sep, value = item.partition("=")
            if key and key not in ("PATH", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "PYTHONPATH"):
                image_env[key] = value
        return PreparedCode(code_dir, command[0], image_env)
    runtime = config.get("Runtime") or ""
    if not runtime.startswith("python"):
        raise CodeError("function %s has Runtime %r: the sandbox runtime only runs Python handlers" % (name, runtime))
    code_dir = os.path.join(dest, "task")
    fetch_zip(endpoint, name, account_id, region, config.get("CodeSha256"), code_dir)
    return PreparedCode(code_dir, config.get("Handler") or "lambda_function.lambda_handler")
