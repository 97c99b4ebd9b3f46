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
3. ``Queue.delete_message`` walks the whole queue twice per receipt handle (once to check the handle
   exists, once to rebuild the list), building a list of handles for every message each time, and
   ``SQSBackend.delete_message_batch`` does that for each of its ten entries: twenty walks per batch,
   so deleting a backlog of n messages costs n^2 (measured with py-spy during a burst: the deletes
   were a sixth of moto's time with 3,000 messages). Both now walk the queue once: the batch looks up
   all its handles in that one walk. Answers are unchanged: a handle already deleted succeeds again,
   an unknown one fails with moto's own ReceiptHandleIsInvalid entry, and a message is deleted by
   any receipt handle it ever had.
4. ``SQSBackend.send_message`` reads ``queue.attributes`` for every message sent (to look for
   ContentBasedDeduplication), and that builds the three approximate counts, each a walk over the
   queue asking every message ``visible``/``delayed`` (a property reading the clock each time):
   with a backlog of a few thousand messages, this was two thirds of moto's busy time while a burst
   was sent (py-spy). The counts and ``Queue.messages`` (what ReceiveMessage picks from) now read
   the clock once per walk and compare the messages' ``visible_at``/``delayed_until`` directly, by
   the same rules as moto's properties (visible after ``visible_at``, delayed before
   ``delayed_until``).
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


def _visible_messages(self):
    now = time.time() * 1000.0
    return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]


def _number_visible(self):
    return len(_visible_messages(self))


def _number_delayed(self):
    now = time.time() * 1000.0
    return sum(1 for m in self._messages if now < m.delayed_until)


def _number_not_visible(self):
    now = time.time() * 1000.0
    return sum(1 for m in self._messages if not now > m.visible_at)


def _delete_by_handles(queue, handles):
    """Delete, in one walk, every message of the queue that ever had one of these receipt handles.
    The caller holds the queue's lock where it must (sqs_receive_atomic.py)."""
    wanted = set(handles) - queue.deleted_messages
    if not wanted:
        return
    kept = []
    for message in queue._messages:
        mine = message.all_receipt_handles
        if wanted.isdisjoint(mine):
            kept.append(message)
            continue
        queue.pending_messages.discard(message)
        queue.deleted_messages.update(mine)
    if len(kept) != len(queue._messages):
        queue._messages = kept


def _queue_delete_message(self, receipt_handle):
    _delete_by_handles(self, [receipt_handle])
    if receipt_handle not in self.deleted_messages:
        raise _ORIGINAL["invalid"]()


def _delete_message_batch(self, queue_name, receipts):
    queue = self.get_queue(queue_name)
    with queue._messages_lock:  # the same lock sqs_receive_atomic.py takes for a single delete
        _delete_by_handles(queue, [entry["ReceiptHandle"] for entry in receipts])
    unknown = [entry for entry in receipts if entry["ReceiptHandle"] not in queue.deleted_messages]
    success = [entry["Id"] for entry in receipts if entry not in unknown]
    # moto's own method words the failures: for unknown handles it deletes nothing and fails each one.
    # (One deleted by another request in between comes back as a success.)
    late, errors = _ORIGINAL["delete_message_batch"](self, queue_name, unknown) if unknown else ([], [])
    return success + late, errors


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
    _ORIGINAL["invalid"] = sqs_models.ReceiptHandleIsInvalid
    _ORIGINAL["delete_message_batch"] = sqs_models.SQSBackend.delete_message_batch
    sqs_models.Queue.delete_message = _queue_delete_message
    sqs_models.SQSBackend.delete_message_batch = _delete_message_batch
    sqs_models.Queue.messages = property(_visible_messages)
    sqs_models.Queue.approximate_number_of_messages = property(_number_visible)
    sqs_models.Queue.approximate_number_of_messages_delayed = property(_number_delayed)
    sqs_models.Queue.approximate_number_of_messages_not_visible = property(_number_not_visible)
    setattr(sqs_models, _MARK, True)
