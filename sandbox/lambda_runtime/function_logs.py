# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""A function's output in CloudWatch Logs (moto), as the Lambda service writes it.

On AWS every execution environment writes to its own stream of the log group
``/aws/lambda/<function>``: START/END/REPORT lines and whatever the function prints (an unhandled
exception is one event: ``[ERROR] <type>: <message>`` followed by the traceback). The sandbox's
function processes print the same lines to their stdout; FunctionProcess reads them, appends them
to ``.sandbox/logs/lambda-<function>.log`` and hands them to the LogShipper here, which sends them
to moto with CreateLogGroup / CreateLogStream / PutLogEvents. RIE's own diagnostics
(``... [INFO] (rapid) ...``) stay in the file only: they are the emulator's, not the function's.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import logging
import re
import threading
import time
import uuid

from botocore.exceptions import BotoCoreError, ClientError

LOG = logging.getLogger("lambda-runtime")

# "01 Dec 2026 04:35:00,123 [INFO] (rapid) ..." : the emulator talking about itself.
RIE_INTERNAL = re.compile(r"^\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2},\d{3} \[[A-Z]+\] \(rapid\)")
# Lines that continue the previous event: traceback frames and source lines (indented), the
# traceback header and chained-exception separators.
CONTINUATION = re.compile(r"^(\s|Traceback \(most recent call last\):|During handling of the above|"
                          r"The above exception was the direct cause)")
MAX_BATCH = 1000          # events per PutLogEvents (AWS allows 10,000 and 1 MB)
MAX_EVENT_CHARS = 250000  # AWS truncates events at 256 KB


def log_group_name(function_name):
    return "/aws/lambda/%s" % function_name


def log_stream_name(now=None):
    """AWS's shape: 2026/12/01/[$LATEST]<32 hex>, one stream per execution environment."""
    return time.strftime("%Y/%m/%d/", time.gmtime(now)) + "[$LATEST]" + uuid.uuid4().hex


def is_function_line(line):
    return bool(line.strip()) and not RIE_INTERNAL.match(line)


class LogShipper(threading.Thread):
    """Batches log lines per stream and sends them every `interval` seconds; never blocks a caller.

    A failed send is logged and its events dropped: the log file keeps every line anyway.
    """

    def __init__(self, client, interval=0.5):
        threading.Thread.__init__(self, name="cloudwatch-logs", daemon=True)
        self.client = client
        self.interval = interval
        self._lock = threading.Lock()
        self._pending = {}   # (group, stream) -> [{"timestamp": ms, "message": str}, ...]
        self._created = set()
        self._stopping = threading.Event()
        self.sent = 0
        self.errors = 0
        self.last_error = None

    def add(self, group, stream, line, timestamp_ms=None):
        """One line of output; a continuation line joins the previous event still waiting to be sent."""
        line = line.rstrip("\r\n")
        if not is_function_line(line):
            return
        with self._lock:
            events = self._pending.setdefault((group, stream), [])
            if events and CONTINUATION.match(line):
                events[-1]["message"] = (events[-1]["message"] + "\n" + line)[:MAX_EVENT_CHARS]
                return
            events.append({"timestamp": int(timestamp_ms if timestamp_ms is not None else time.time() * 1000),
                           "message": line[:MAX_EVENT_CHARS]})

    def run(self):
        while not self._stopping.wait(self.interval):
            self.flush()
        self.flush()

    def stop(self, timeout=2.0):
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

    def flush(self):
        with self._lock:
            pending, self._pending = self._pending, {}
        for (group, stream), events in sorted(pending.items()):
            try:
                self._ensure(group, stream)
                events.sort(key=lambda e: e["timestamp"])
                for start in range(0, len(events), MAX_BATCH):
                    self.client.put_log_events(logGroupName=group, logStreamName=stream,
                                               logEvents=events[start:start + MAX_BATCH])
                self.sent += len(events)
            except (BotoCoreError, ClientError) as exc:
                self.errors += 1
                self.last_error = "%s %s: %s" % (group, stream, exc)
                self._created.discard((group, stream))
                LOG.warning("could not send %d log event(s) to %s %s: %s", len(events), group, stream, exc)

    def _ensure(self, group, stream):
        if (group, stream) in self._created:
            return
        for call, kwargs in ((self.client.create_log_group, {"logGroupName": group}),
                             (self.client.create_log_stream, {"logGroupName": group, "logStreamName": stream})):
            try:
                call(**kwargs)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                    raise
        self._created.add((group, stream))
