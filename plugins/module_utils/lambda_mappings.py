# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Lambda event source mappings, listed: shared by lambda_event_source_mapping_info and ack_aws_state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


@AWSRetry.jittered_backoff()
def list_mappings(client, **params):
    """Every mapping ListEventSourceMappings returns for params (EventSourceArn, FunctionName), all pages."""
    paginator = client.get_paginator("list_event_source_mappings")
    return paginator.paginate(**params).build_full_result()["EventSourceMappings"]
