# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Stop moto from delivering SQS messages to Lambda itself.

moto 5.2.5 ``moto/sqs/models.py`` ``Queue.add_message`` ends with a loop over
``self.lambda_event_source_mappings``: for every enabled mapping it calls
``receive_message`` on the queue (which counts as a receive and starts a visibility
timeout), hands the messages to the Lambda backend's ``send_sqs_batch`` and, when that
reports success, deletes them. With ``use_docker: false`` the backend is
``awslambda_simple``, whose ``invoke`` never runs code and always "succeeds", so every
message sent to a mapped queue would be silently deleted before our poller
(sandbox/lambda_runtime/poller.py) could see it. With Docker enabled it would try to pull
images and run containers, which this machine cannot do.

The queue's dict is written in exactly one place, ``LambdaBackend.create_event_source_mapping``,
and read in exactly one place, ``add_message``. The mapping record itself lives in the Lambda
backend (``_event_source_mappings``), which is what the Lambda API (list/get/update/delete
event source mapping) serves. So we turn the per-queue dict into a property that always reads
empty and drops writes: the Lambda API is unchanged, moto never consumes a message, and the
sandbox poller is the only consumer of mapped queues, as the Lambda service is on AWS.

DynamoDB streams and Kinesis mappings are left as moto has them: the project does not use them.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

_MARK = "_ackops_esm_delivery_disabled"


def _always_empty(self):
    return {}


def _drop(self, value):
    return None


def apply():
    """Patch moto's SQS Queue class; safe to call more than once."""
    from moto.sqs import models as sqs_models

    queue_cls = sqs_models.Queue
    if getattr(queue_cls, _MARK, False):
        return
    queue_cls.lambda_event_source_mappings = property(
        _always_empty,
        _drop,
        doc="Disabled by the ackops sandbox: the sandbox Lambda runtime polls mapped queues.",
    )
    setattr(queue_cls, _MARK, True)
