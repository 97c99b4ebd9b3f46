# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Lambda event source mappings, listed and described: shared by the lambda_event_source_mapping_info module, the
lambda_mappings lookup and ack_aws_state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

RESPONSE_ONLY = ("ResponseMetadata",)


@AWSRetry.jittered_backoff()
def list_mappings(client, **params):
    """Every mapping ListEventSourceMappings returns for params (EventSourceArn, FunctionName), all pages."""
    paginator = client.get_paginator("list_event_source_mappings")
    return paginator.paginate(**params).build_full_result()["EventSourceMappings"]


def describe(mapping):
    """A mapping as Lambda returns it, in snake_case, with its uuid and function_name."""
    mapping = dict((k, v) for k, v in mapping.items() if k not in RESPONSE_ONLY)
    if isinstance(mapping.get("LastModified"), datetime.datetime):
        mapping["LastModified"] = mapping["LastModified"].isoformat()
    # FilterCriteria patterns are JSON written by users: keep their keys as they are.
    filters = mapping.pop("FilterCriteria", None)
    result = camel_dict_to_snake_dict(mapping)
    if filters is not None:
        result["filter_criteria"] = filters
    result["uuid"] = mapping.get("UUID")
    arn = mapping.get("FunctionArn") or ""
    parts = arn.split(":")
    result["function_name"] = parts[6] if len(parts) > 6 else arn
    return result


def in_order(mappings):
    """The described mappings, oldest change first."""
    return sorted((describe(m) for m in mappings), key=lambda m: (str(m.get("last_modified") or ""), m["uuid"] or ""))
