# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""helm_release: Helm's record of a release, from the Secret Helm keeps it in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import gzip
import json
import zlib

from ansible.errors import AnsibleFilterError

_GZIP_MAGIC = b"\x1f\x8b\x08"


def helm_release(secret):
    """The release, chart, version and values of one Helm storage Secret (sh.helm.release.v1.<name>.v<revision>).

    Helm stores a release as JSON, gzipped, base64-encoded, in the Secret's ``release`` key, which Kubernetes
    base64-encodes once more. Only the small parts are returned: the record also holds the whole chart.
    """
    if not isinstance(secret, dict):
        raise AnsibleFilterError("helm_release expects a Secret as read from Kubernetes, got %s" % type(secret).__name__)
    name = (secret.get("metadata") or {}).get("name", "<unnamed>")
    encoded = (secret.get("data") or {}).get("release")
    if not encoded:
        raise AnsibleFilterError("Secret %s has no 'release' key: it is not a Helm release record "
                                 "(read only the Secrets labelled owner=helm)" % name)
    try:
        raw = base64.b64decode(base64.b64decode(encoded, validate=True), validate=True)
        if raw[:3] == _GZIP_MAGIC:
            raw = gzip.decompress(raw)
        release = json.loads(raw)
    except (binascii.Error, ValueError, OSError, EOFError, zlib.error) as error:
        raise AnsibleFilterError("Secret %s does not hold a readable Helm release record: %s" % (name, error))
    if not isinstance(release, dict) or "name" not in release:
        raise AnsibleFilterError("Secret %s does not hold a readable Helm release record: no release name" % name)
    metadata = (release.get("chart") or {}).get("metadata") or {}
    return {
        "name": release["name"],
        "namespace": release.get("namespace", ""),
        "revision": release.get("version"),
        "status": (release.get("info") or {}).get("status", ""),
        "chart": metadata.get("name", ""),
        "version": metadata.get("version", ""),
        "app_version": metadata.get("appVersion", ""),
        "config": release.get("config") or {},
    }


class FilterModule:
    """ackops.serverless filters."""

    def filters(self):
        return {"helm_release": helm_release}
