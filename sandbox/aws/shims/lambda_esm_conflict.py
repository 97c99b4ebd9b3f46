# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Refuse a second event source mapping between one SQS queue and one function, as Lambda does.

Lambda answers CreateEventSourceMapping for an SQS queue and a function that already have a mapping
with HTTP 409 ResourceConflictException, naming the mapping that exists ("Please update or delete the
existing mapping with UUID ..."). moto 5.2.5 means to (``LambdaBackend.create_event_source_mapping``
checks the queue's ``lambda_event_source_mappings``), but looks the literal key "func.function_arn" up,
so it never refuses; and sqs_esm_delivery.py empties that dict anyway. So moto would accept any
number of mappings of a queue to a function, and the case that matters on AWS could not happen here:
a mapping that no ACK EventSourceMapping owns (made in the console, as the tutorial does, or by a
create whose answer was lost and which the SDK retried) makes the controller's create fail, again and
again. This shim checks moto's own mapping records (the ones the Lambda API lists) first.

Mappings of other event sources (DynamoDB and Kinesis streams) are left as moto has them.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

_MARK = "_ackops_esm_conflict"


def existing_mapping(backend, spec):
    """The mapping of moto's Lambda backend between spec's SQS queue and function, or None."""
    source = spec.get("EventSourceArn") or ""
    if ":sqs:" not in source or not spec.get("FunctionName"):
        return None
    function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
    for mapping in backend._event_source_mappings.values():
        if mapping.event_source_arn == source and mapping.function_arn == function.function_arn:
            return mapping
    return None


def apply():
    """Patch moto's LambdaBackend.create_event_source_mapping; safe to call more than once."""
    from moto.awslambda import models
    from moto.awslambda.exceptions import LambdaClientError

    class ResourceConflict(LambdaClientError):
        code = 409

    backend_cls = models.LambdaBackend
    if getattr(backend_cls, _MARK, False):
        return
    original = backend_cls.create_event_source_mapping

    def create_event_source_mapping(self, spec):
        found = existing_mapping(self, spec)
        if found is not None:
            raise ResourceConflict("ResourceConflictException",
                'An event source mapping with SQS arn (" {0} ") and function (" {1} ") already exists. Please update '
                "or delete the existing mapping with UUID {2}".format(
                    spec["EventSourceArn"], found.function_arn.split(":function:", 1)[-1], found.uuid))
        return original(self, spec)

    backend_cls.create_event_source_mapping = create_event_source_mapping
    setattr(backend_cls, _MARK, True)
