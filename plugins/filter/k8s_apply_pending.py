# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""k8s_apply_pending: the documents a kubernetes.core.k8s apply would change, decided from a read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def _plain(value):
    """A plain copy of ``value``: the filter's arguments are the templating engine's lazy containers,
    which are slow to deep-copy and compare (each copy carries the templating context)."""
    if isinstance(value, dict):
        return dict((key, _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _key(doc):
    meta = doc.get("metadata") or {}
    return (doc.get("apiVersion"), doc.get("kind"), meta.get("namespace") or "", meta.get("name"))


def _merge_patch(target, patch):
    """``target`` with the JSON merge patch ``patch`` applied (RFC 7386), as the API server applies it."""
    if not isinstance(patch, dict):
        return patch
    # A shallow copy per level: the result is only compared, and nothing in it is changed afterwards.
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def k8s_apply_pending(wanted, live):
    """The documents of ``wanted`` that ``kubernetes.core.k8s`` with ``apply: true`` would create or patch.

    ``live`` holds the objects as read from the API server (k8s_info, or the kubernetes.core.k8s lookup), each
    with its ``apiVersion`` and ``kind``. A wanted document is pending when no live object has its apiVersion,
    kind, namespace and name, or when kubernetes.core's client-side apply (``apply_patch``, the three-way merge
    of the last-applied-configuration annotation, the live object and the document) gives a merge patch that
    changes the object. A document the module would leave as it is (no patch, or a patch that only repeats
    what the object holds) is not pending.
    """
    try:
        # kubernetes.core's own client-side apply: the patch it computes is the one its k8s module sends.
        # Imported here, so that loading the collection's filters costs nothing until this one is used.
        from ansible_collections.kubernetes.core.plugins.module_utils.apply import apply_patch
    except ImportError as error:
        raise AnsibleFilterError("k8s_apply_pending needs the kubernetes.core collection and the kubernetes Python "
                                 "library: %s" % error)
    if not isinstance(wanted, list) or not isinstance(live, list):
        raise AnsibleFilterError("k8s_apply_pending expects two lists of documents (wanted, live), got %s and %s"
                                 % (type(wanted).__name__, type(live).__name__))
    wanted, live = _plain(wanted), _plain(live)
    found = {}
    for obj in live:
        if not isinstance(obj, dict) or not obj.get("kind") or not obj.get("apiVersion"):
            raise AnsibleFilterError("k8s_apply_pending: every live object needs its apiVersion and kind (a list "
                                     "read leaves them out of its items: add them with combine), got %r"
                                     % ((obj or {}).get("metadata", {}).get("name") if isinstance(obj, dict) else obj))
        found[_key(obj)] = obj
    pending = []
    for doc in wanted:
        if not isinstance(doc, dict) or not (doc.get("metadata") or {}).get("name"):
            raise AnsibleFilterError("k8s_apply_pending: every wanted document needs metadata.name, got %r" % (doc,))
        actual = found.get(_key(doc))
        if actual is None:
            pending.append(doc)
            continue
        # apply_patch builds its patch anew and leaves both arguments as they are (plain copies anyway).
        existing, patch = apply_patch(actual, doc)
        # kubernetes.core sends a merge patch unless it found none. It gives every list field in full,
        # so the patch it sends is often one that leaves the object as it is: the API server then
        # writes nothing (the resourceVersion stays) and the module reports no change.
        if existing != patch and _merge_patch(actual, patch) != actual:
            pending.append(doc)
    return pending


class FilterModule:
    """ackops.serverless filters."""

    def filters(self):
        return {"k8s_apply_pending": k8s_apply_pending}
