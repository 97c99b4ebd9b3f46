# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""ack_status: what ackops.serverless.ack_wait would say of ACK resources already read, without waiting."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.ackops.serverless.plugins.module_utils import ack_conditions as conds


def ack_status(resources):
    """ack_wait's entry of each ACK resource (state synced), from documents read before.

    The same fields as each item of ack_wait's ``resources`` (arn, queue_url, uuid, conditions, ...), with
    ``done`` and ``reason`` from the same rule: ACK.ResourceSynced=True (and Ready, where the kind has it),
    no ACK.Terminal=True. The conditions count as they are: there is no change to be newer than.
    """
    if not isinstance(resources, list):
        raise AnsibleFilterError("ack_status expects a list of ACK resources, got %s" % type(resources).__name__)
    entries = []
    for obj in resources:
        if not isinstance(obj, dict) or not obj.get("kind") or not (obj.get("metadata") or {}).get("name"):
            raise AnsibleFilterError("ack_status: every resource needs its kind and metadata.name (a list read "
                                     "leaves kind out of its items: add it with combine), got %r" % (obj,))
        item = conds.entry(obj)
        verdict = conds.evaluate(obj, "synced")
        item["done"] = verdict["outcome"] == "done"
        item["reason"] = verdict["reason"]
        entries.append(item)
    return entries


class FilterModule:
    """ackops.serverless filters."""

    def filters(self):
        return {"ack_status": ack_status}
