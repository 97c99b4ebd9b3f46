# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The moto shims that only make the sandbox faster (sqs_performance.py, moto_backend_names.py) must not
change an answer: the same SQS scenario runs on moto as installed and on moto with every sandbox shim,
each in its own process, and both must print the same thing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

SHIMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sandbox", "aws", "shims")

SCENARIO = r'''
import json, sys
from moto.sqs import models
if sys.argv[1] == "shimmed":
    import moto_backend_names, sqs_performance, sqs_receive_atomic
    for shim in (moto_backend_names, sqs_performance, sqs_receive_atomic):
        shim.apply()
        shim.apply()
    assert models.SQSBackend.delete_message_batch.__module__ == "sqs_performance"
from moto import backends

backend = models.sqs_backends["123456789012"]["us-east-1"]
backend.create_queue("q", VisibilityTimeout="30")
queue = backend.get_queue("q")
out = {"moto_modules": list(backends.list_of_moto_modules())[:5] + [len(list(backends.list_of_moto_modules()))]}
for i in range(30):
    backend.send_message("q", "m%d" % i, delay_seconds=60 if i % 7 == 0 else None)


def counts():
    attrs = queue.attributes
    return [attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesDelayed"],
            attrs["ApproximateNumberOfMessagesNotVisible"], len(queue.messages), len(queue._messages)]


out["after_send"] = counts()
got = backend.receive_message("q", 10, 0, 30)
bodies = [m.body for m in got]
handle = {m.body: m.receipt_handle for m in got}
out["received"] = bodies
out["in_flight"] = counts()
first, second, third, fourth = bodies[:4]
out["batch"] = backend.delete_message_batch("q", [
    {"Id": "a", "ReceiptHandle": handle[first]}, {"Id": "b", "ReceiptHandle": handle[second]},
    {"Id": "c", "ReceiptHandle": handle[first]}, {"Id": "d", "ReceiptHandle": "no-such-handle"}])
out["batch_again"] = backend.delete_message_batch("q", [{"Id": "e", "ReceiptHandle": handle[second]}])
backend.delete_message("q", handle[third])
backend.delete_message("q", handle[third])  # deleting twice is no error
try:
    backend.delete_message("q", "no-such-handle")
    out["single_unknown"] = "accepted"
except Exception as err:
    out["single_unknown"] = type(err).__name__
# A message received again is deleted by the handle of its first receive too.
backend.change_message_visibility("q", handle[fourth], 0)
again = backend.receive_message("q", 10, 0, 30)
out["received_again"] = [m.body for m in again]
out["old_handle"] = backend.delete_message_batch("q", [{"Id": "f", "ReceiptHandle": handle[fourth]}])
out["left"] = sorted(m.body for m in queue._messages)
out["end"] = counts()
print(json.dumps(out, sort_keys=True))
'''


def _run(mode):
    done = subprocess.run([sys.executable, "-c", SCENARIO, mode], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=SHIMS))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_performance_shims_give_moto_answers():
    plain, shimmed = _run("plain"), _run("shimmed")
    assert shimmed == plain
    # The scenario covers what it claims: delayed, in-flight, deleted, unknown and re-received messages.
    assert plain["after_send"] == [25, 5, 0, 25, 30]
    assert plain["in_flight"] == [15, 5, 10, 15, 30]
    assert sorted(plain["batch"][0]) == ["a", "b", "c"] and [e["Id"] for e in plain["batch"][1]] == ["d"]
    assert plain["batch_again"] == [["e"], []]
    assert plain["single_unknown"] == "ReceiptHandleIsInvalid"
    assert plain["received"][3] in plain["received_again"] and plain["old_handle"] == [["f"], []]
    assert len(plain["left"]) == 26 and plain["end"][4] == 26
