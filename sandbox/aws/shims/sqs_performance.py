# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Make moto's SQS usable with a thousand messages in a queue (same answers, less work).

Measured on moto 5.2.5 (benchmarks/pipeline_bench.py, cProfile): with ~1,000 messages queued a
ReceiveMessage of 10 took ~2 s and SendMessageBatch ~0.3 s, so the sandbox drained ~8 msg/s.
Two causes, both in ``moto/sqs/models.py``:

1. ``SQSBackend.is_message_valid_based_on_retention_period`` runs for every message returned by
   ReceiveMessage and calls ``get_queue_attributes``, which builds *every* attribute, including
   three counts that each walk the whole queue. We read ``MessageRetentionPeriod`` from the queue
   directly; the rule (drop a message older than the retention period) is unchanged.
2. Every visibility/delay check calls ``moto.core.utils.unix_time_millis``, which builds two
   datetimes per call (one for "now", one for the epoch). Within sqs/models we bind the module
   names ``unix_time`` / ``unix_time_millis`` to ``time.time()`` based functions returning the same
   number (seconds, resp. milliseconds, since the epoch). Only this module's names are rebound.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

_MARK = "_ackops_sqs_performance"


def _unix_time(dt=None):
    if dt is not None:
        return _ORIGINAL["unix_time"](dt)
    return time.time()


def _unix_time_millis(dt=None):
    if dt is not None:
        return _ORIGINAL["unix_time_millis"](dt)
    return time.time() * 1000.0


_ORIGINAL = {}


def _is_message_valid_based_on_retention_period(self, queue_name, message):
    queue = self.get_queue(queue_name)
    retain_until = int(queue.message_retention_period) + message.sent_timestamp / 1000
    return retain_until > time.time()


def apply():
    """Patch moto.sqs.models; safe to call more than once."""
    from moto.sqs import models as sqs_models

    if getattr(sqs_models, _MARK, False):
        return
    _ORIGINAL["unix_time"] = sqs_models.unix_time
    _ORIGINAL["unix_time_millis"] = sqs_models.unix_time_millis
    sqs_models.unix_time = _unix_time
    sqs_models.unix_time_millis = _unix_time_millis
    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = _is_message_valid_based_on_retention_period
    setattr(sqs_models, _MARK, True)
