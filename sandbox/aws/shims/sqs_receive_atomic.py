# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Make moto's ReceiveMessage atomic per queue, so competing consumers each get different messages.

On SQS a message received by one consumer is invisible to every other one until its visibility
timeout ends; two event source mappings on one queue (legal on AWS) therefore share the messages,
each going to one of them. moto 5.2.5 serves requests on threads (``moto.server.main`` runs
werkzeug with ``threaded=True``) and ``SQSBackend.receive_message`` (``moto/sqs/models.py``)
checks ``message.visible`` and only later calls ``message.mark_received`` without a lock, so two
concurrent receives can both return the same message. Measured in-process with six threads
receiving 20 x 50 messages: 30 messages handed out twice, and one receive failing with
``RuntimeError: Set changed size during iteration`` (``Queue.pending_message_groups`` iterating
the pending set while another receive adds to it). ``Queue.delete_message`` rebuilds
``Queue._messages`` and assigns it back, so a SendMessage appending in between is lost.

This shim serialises, per queue, the parts that read and change the queue's message list:
the selection inside ReceiveMessage (moto's own code, called with WaitTimeSeconds 0), DeleteMessage,
ChangeMessageVisibility and the append of SendMessage. The lock is the queue's own
``_messages_lock`` (a ``threading.Condition`` over an RLock, which moto already takes to append a
message and to wait for one). The long-poll wait happens outside the lock, in steps of at most a
second, as moto's own loop does, so a waiting receive never blocks a send or another receive.
Answers are unchanged; only their interleaving is. The DLQ redrive inside ReceiveMessage takes
the dead-letter queue's lock while holding the source queue's; a redrive cycle (a queue that is its
own DLQ's DLQ) could deadlock, which SQS itself refuses to configure in practice and the sandbox
never does.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import time

_MARK = "_ackops_sqs_receive_atomic"


def _locked_queue_method(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._messages_lock:
            return method(self, *args, **kwargs)
    return wrapper


def _locked_backend_method(method):
    """For SQSBackend methods whose first argument is the queue name."""
    @functools.wraps(method)
    def wrapper(self, queue_name, *args, **kwargs):
        queue = self.get_queue(queue_name)
        with queue._messages_lock:
            return method(self, queue_name, *args, **kwargs)
    return wrapper


def _atomic_receive(original):
    @functools.wraps(original)
    def receive_message(self, queue_name, count, wait_seconds_timeout, visibility_timeout,
                        message_attribute_names=None):
        queue = self.get_queue(queue_name)
        deadline = time.time() + int(wait_seconds_timeout or 0)
        while True:
            with queue._messages_lock:
                result = original(self, queue_name, count, 0, visibility_timeout, message_attribute_names)
            remaining = deadline - time.time()
            if result or remaining <= 0:
                return result
            # Returns at once while visible messages exist that this receive could not take (a FIFO
            # group in flight): the short sleep keeps that case from spinning.
            queue.wait_for_messages(min(1.0, remaining))
            time.sleep(min(0.05, max(0.0, deadline - time.time())))
    return receive_message


def apply():
    """Patch moto.sqs.models; safe to call more than once."""
    from moto.sqs import models as sqs_models

    if getattr(sqs_models, _MARK, False):
        return
    backend = sqs_models.SQSBackend
    backend.receive_message = _atomic_receive(backend.receive_message)
    backend.change_message_visibility = _locked_backend_method(backend.change_message_visibility)
    sqs_models.Queue.delete_message = _locked_queue_method(sqs_models.Queue.delete_message)
    sqs_models.Queue.add_message = _locked_queue_method(sqs_models.Queue.add_message)
    setattr(sqs_models, _MARK, True)
