#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dynamodb_item_info
short_description: Read items from an Amazon DynamoDB table
version_added: 0.1.0
description:
  - Reads one item by its primary key (C(GetItem)), or scans the table (C(Scan)), optionally
    keeping only items whose attributes equal given values.
  - Read-only; never changes anything. Neither amazon.aws nor community.aws reads DynamoDB items.
  - Attribute values are returned as plain values; numbers as integers or floats, binary values
    base64-encoded, sets as sorted lists.
author:
  - ackops.serverless contributors (@ackops)
options:
  table:
    description:
      - Name of the table.
    type: str
    required: true
  key:
    description:
      - Primary key of the item to get, attribute name to value (hash key, and range key if the
        table has one). Without O(key) the table is scanned.
    type: dict
  filters:
    description:
      - With a scan, keep only items whose attributes equal these values (all must match).
    type: dict
    default: {}
  consistent_read:
    description:
      - Use strongly consistent reads.
    type: bool
    default: false
  limit:
    description:
      - With a scan, return at most this many items.
    type: int
  wait_for_count:
    description:
      - With a scan, scan again every O(wait_delay) seconds until at least this many items match
        or O(wait_timeout) seconds have passed, then return what the last scan found.
      - Running out of time is not a failure. Compare RV(count) with what you waited for, or use
        RV(wait_timed_out).
    type: int
  wait_timeout:
    description:
      - Seconds to wait with O(wait_for_count).
    type: int
    default: 60
  wait_delay:
    description:
      - Seconds between scans with O(wait_for_count).
    type: int
    default: 2
notes:
  - Supports check mode (it only reads).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Get the item of user1@foo.com
  ackops.serverless.dynamodb_item_info:
    table: customer
    key:
      email: user1@foo.com
  register: user1

- name: Every item written for one smoke-test run
  ackops.serverless.dynamodb_item_info:
    table: customer
    filters:
      smoke_run: "{{ run_id }}"
  register: found

- name: Wait up to two minutes, quietly, for the four items of a run
  ackops.serverless.dynamodb_item_info:
    table: customer
    filters:
      smoke_run: "{{ run_id }}"
    consistent_read: true
    wait_for_count: 4
    wait_timeout: 120
  register: found
"""

RETURN = r"""
table:
  description: Name of the table read.
  returned: always
  type: str
  sample: customer
found:
  description: With O(key), whether the item exists; with a scan, whether any item matched.
  returned: always
  type: bool
  sample: true
item:
  description: The item, with O(key); empty when it does not exist.
  returned: when O(key) is given
  type: dict
  sample: {"email": "user1@foo.com", "name": "user1", "city": "seattle"}
items:
  description: The items found (one or none with O(key)).
  returned: always
  type: list
  elements: dict
  sample: [{"email": "user1@foo.com", "name": "user1", "city": "seattle"}]
count:
  description: Number of items returned.
  returned: always
  type: int
  sample: 4
scanned_count:
  description: Number of items the scan read before filtering.
  returned: when O(key) is not given
  type: int
  sample: 10
waited:
  description: Seconds spent waiting with O(wait_for_count).
  returned: when O(wait_for_count) is given
  type: float
  sample: 4.1
wait_timed_out:
  description: Whether O(wait_timeout) passed before O(wait_for_count) items matched.
  returned: when O(wait_for_count) is given
  type: bool
  sample: false
"""

import base64
import time
from decimal import Decimal

try:
    from boto3.dynamodb.types import TypeDeserializer
    from boto3.dynamodb.types import TypeSerializer
    from boto3.dynamodb.types import Binary
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def to_plain(value):
    """Make a deserialized DynamoDB value JSON-friendly."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode("ascii")
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return dict((k, to_plain(v)) for k, v in value.items())
    return value


def to_wire(value):
    """Serialize a user value; floats go through Decimal, which boto3 requires for numbers."""
    if isinstance(value, float):
        value = Decimal(str(value))
    return TypeSerializer().serialize(value)


def item_from_wire(item):
    deserializer = TypeDeserializer()
    return dict((name, to_plain(deserializer.deserialize(value))) for name, value in item.items())


def filter_expression(filters):
    """Return (FilterExpression, names, values) for an all-equal filter, placeholders for every name."""
    parts, names, values = [], {}, {}
    for index, (name, value) in enumerate(sorted(filters.items())):
        names["#f%d" % index] = name
        values[":f%d" % index] = to_wire(value)
        parts.append("#f%d = :f%d" % (index, index))
    return " AND ".join(parts), names, values


def table_missing(module):
    module.fail_json(
        msg="DynamoDB table %r does not exist in region %s: create it first (role ackops.serverless.resources) "
        "or check the table name and region" % (module.params["table"], module.region)
    )


def get_item(module, client):
    try:
        key = dict((name, to_wire(value)) for name, value in module.params["key"].items())
    except (TypeError, ValueError) as e:
        module.fail_json(msg="key: %s" % e)
    try:
        response = client.get_item(
            aws_retry=True, TableName=module.params["table"], Key=key, ConsistentRead=module.params["consistent_read"]
        )
    except is_boto3_error_code("ResourceNotFoundException"):
        table_missing(module)
    except is_boto3_error_code("ValidationException") as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="key does not match the key schema of table %r: give its hash (and range) key" % module.params["table"])
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not get the item from table %r" % module.params["table"])
    item = item_from_wire(response["Item"]) if "Item" in response else {}
    return dict(found=bool(item), item=item, items=[item] if item else [], count=1 if item else 0)


@AWSRetry.jittered_backoff()
def _scan_pages(client, max_items, **request):
    """Every page of a Scan (up to max_items items), through boto3's paginator, retried as a whole."""
    pagination = {"MaxItems": max_items} if max_items else {}
    return client.get_paginator("scan").paginate(PaginationConfig=pagination, **request).build_full_result()


def scan(module, client):
    request = {"TableName": module.params["table"], "ConsistentRead": module.params["consistent_read"]}
    if module.params["filters"]:
        try:
            expression, names, values = filter_expression(module.params["filters"])
        except (TypeError, ValueError) as e:
            module.fail_json(msg="filters: %s" % e)
        request.update(FilterExpression=expression, ExpressionAttributeNames=names, ExpressionAttributeValues=values)
    try:
        response = _scan_pages(client, module.params["limit"], **request)
    except is_boto3_error_code("ResourceNotFoundException"):
        table_missing(module)
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not scan table %r" % module.params["table"])
    items = [item_from_wire(item) for item in response.get("Items", [])]
    return dict(found=bool(items), items=items, count=len(items), scanned_count=response.get("ScannedCount", 0))


def wait_for_items(module, client):
    """Scan until wait_for_count items match or wait_timeout passes; the last scan's result."""
    started = time.monotonic()
    deadline = started + module.params["wait_timeout"]
    while True:
        result = scan(module, client)
        enough = result["count"] >= module.params["wait_for_count"]
        now = time.monotonic()
        if enough or now >= deadline:
            result.update(waited=round(now - started, 1), wait_timed_out=not enough)
            return result
        time.sleep(min(module.params["wait_delay"], deadline - now))


def main():
    argument_spec = dict(
        table=dict(type="str", required=True),
        key=dict(type="dict", no_log=False),
        filters=dict(type="dict", default={}),
        consistent_read=dict(type="bool", default=False),
        limit=dict(type="int"),
        wait_for_count=dict(type="int"),
        wait_timeout=dict(type="int", default=60),
        wait_delay=dict(type="int", default=2),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("key", "filters"), ("key", "limit"), ("key", "wait_for_count")],
        supports_check_mode=True,
    )
    if module.params["key"] is not None and not module.params["key"]:
        module.fail_json(msg="key is empty: give the item's hash key (and range key), e.g. key: {email: user1@foo.com}")
    if module.params["limit"] is not None and module.params["limit"] < 1:
        module.fail_json(msg="limit must be 1 or more")

    if module.params["wait_timeout"] < 0 or module.params["wait_delay"] < 1:
        module.fail_json(msg="wait_timeout must be 0 or more and wait_delay 1 or more")

    client = module.client("dynamodb", retry_decorator=AWSRetry.jittered_backoff())
    if module.params["key"]:
        result = get_item(module, client)
    elif module.params["wait_for_count"] is not None:
        result = wait_for_items(module, client)
    else:
        result = scan(module, client)
    module.exit_json(changed=False, table=module.params["table"], **result)


if __name__ == "__main__":
    main()
