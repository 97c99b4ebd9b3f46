#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudwatchlogs_log_events_info
short_description: Read the newest events of an Amazon CloudWatch Logs log group
version_added: 0.1.0
description:
  - Reads the events of a log group with C(FilterLogEvents), optionally within a time window and
    matching a filter pattern, and returns the newest O(limit) of them, oldest first.
  - A missing log group is not an error; RV(log_group_exists) is then false.
  - M(amazon.aws.cloudwatchlogs_log_group_info) describes log groups; no amazon.aws or community.aws
    module reads their events.
author:
  - ackops.serverless contributors (@ackops)
options:
  log_group_name:
    description:
      - Name of the log group, for example C(/aws/lambda/<function>).
    type: str
    required: true
  log_stream_name_prefix:
    description:
      - Only streams whose name starts with this.
    type: str
  filter_pattern:
    description:
      - A CloudWatch Logs filter pattern, for example C(?ERROR ?"Task timed out").
    type: str
  start_time:
    description:
      - Only events at or after this time, in milliseconds since the epoch.
    type: int
  end_time:
    description:
      - Only events before this time, in milliseconds since the epoch.
    type: int
  limit:
    description:
      - Return at most this many events, the newest ones.
      - Every matching event in the window is read to find them, so bound the window with O(start_time).
    type: int
    default: 100
notes:
  - Supports check mode (it only reads).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The function's errors of the last ten minutes
  ackops.serverless.cloudwatchlogs_log_events_info:
    log_group_name: /aws/lambda/demo-sqs-dynamodb-func-ack
    filter_pattern: '?ERROR ?"Task timed out"'
    start_time: "{{ (now(fmt='%s') | int - 600) * 1000 }}"
    limit: 5
  register: errors
"""

RETURN = r"""
log_group_exists:
  description: Whether the log group exists.
  returned: always
  type: bool
  sample: true
events:
  description: The newest O(limit) matching events, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    timestamp:
      description: Time of the event, in milliseconds since the epoch.
      type: int
      sample: 1764583200123
    time:
      description: Time of the event, ISO 8601 in UTC.
      type: str
      sample: "2025-12-01T10:00:00.123000+00:00"
    message:
      description: The event's message.
      type: str
      sample: "[ERROR] ValueError: poison message"
    log_stream_name:
      description: Stream the event belongs to.
      type: str
      sample: 2025/12/01/[$LATEST]0123456789abcdef0123456789abcdef
matched:
  description: Number of events that matched in the window (RV(events) holds the newest O(limit) of them).
  returned: always
  type: int
  sample: 3
"""

import datetime

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def describe(event):
    timestamp = int(event.get("timestamp") or 0)
    when = datetime.datetime.fromtimestamp(timestamp / 1000.0, datetime.timezone.utc)
    return {
        "timestamp": timestamp,
        "time": when.isoformat(),
        "message": (event.get("message") or "").rstrip("\n"),
        "log_stream_name": event.get("logStreamName"),
    }


def newest_events(client, request, limit):
    """Page through every match, keeping only the newest `limit`; returns (events, matched)."""
    kept, matched = [], 0
    while True:
        response = client.filter_log_events(aws_retry=True, **request)
        page = response.get("events") or []
        matched += len(page)
        kept = sorted(kept + page, key=lambda e: (e.get("timestamp") or 0, e.get("eventId") or ""))[-limit:]
        token = response.get("nextToken")
        if not token or token == request.get("nextToken"):
            return kept, matched
        request["nextToken"] = token


def main():
    argument_spec = dict(
        log_group_name=dict(type="str", required=True),
        log_stream_name_prefix=dict(type="str"),
        filter_pattern=dict(type="str"),
        start_time=dict(type="int"),
        end_time=dict(type="int"),
        limit=dict(type="int", default=100),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["limit"] < 1:
        module.fail_json(msg="limit must be 1 or more")
    request = {"logGroupName": params["log_group_name"]}
    for option, key in (("log_stream_name_prefix", "logStreamNamePrefix"), ("filter_pattern", "filterPattern"),
                        ("start_time", "startTime"), ("end_time", "endTime")):
        if params[option] not in (None, ""):
            request[key] = params[option]

    client = module.client("logs", retry_decorator=AWSRetry.jittered_backoff())
    try:
        events, matched = newest_events(client, request, params["limit"])
    except is_boto3_error_code("ResourceNotFoundException"):
        module.exit_json(changed=False, log_group_exists=False, events=[], matched=0)
    except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read the events of log group %s" % params["log_group_name"])
    module.exit_json(changed=False, log_group_exists=True, events=[describe(e) for e in events], matched=matched)


if __name__ == "__main__":
    main()
