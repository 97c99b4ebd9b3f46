# Copyright: (c) 2026, ackops founding engineers
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The log shipper's rules, with an in-memory CloudWatch Logs double (no servers)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from botocore.exceptions import ClientError

import function_logs


class FakeLogs:
    def __init__(self):
        self.groups, self.streams, self.events = set(), set(), []

    def create_log_group(self, logGroupName):  # noqa: N803 (boto3 names)
        if logGroupName in self.groups:
            raise ClientError({"Error": {"Code": "ResourceAlreadyExistsException"}}, "CreateLogGroup")
        self.groups.add(logGroupName)

    def create_log_stream(self, logGroupName, logStreamName):  # noqa: N803
        self.streams.add((logGroupName, logStreamName))

    def put_log_events(self, logGroupName, logStreamName, logEvents):  # noqa: N803
        assert (logGroupName, logStreamName) in self.streams
        assert [e["timestamp"] for e in logEvents] == sorted(e["timestamp"] for e in logEvents)
        self.events.extend(e["message"] for e in logEvents)


def test_function_lines_are_shipped_and_the_emulators_are_not():
    logs = FakeLogs()
    shipper = function_logs.LogShipper(logs)
    group, stream = function_logs.log_group_name("fn"), function_logs.log_stream_name()
    for line in ["START RequestId: 1 Version: $LATEST\n",
                 "01 Dec 2026 04:31:36,423 [INFO] (rapid) INVOKE START(requestId: 1)\n",
                 "[ERROR] ValueError: boom\rTraceback (most recent call last):\r  File \"app.py\"\n",
                 "Traceback (most recent call last):\n",
                 "  File \"x.py\", line 1, in <module>\n",
                 "\n",
                 "END RequestId: 1\n"]:
        shipper.add(group, stream, line)
    shipper.flush()
    assert group == "/aws/lambda/fn"
    assert re.match(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", stream)
    assert logs.events == [
        "START RequestId: 1 Version: $LATEST",
        "[ERROR] ValueError: boom\rTraceback (most recent call last):\r  File \"app.py\""
        "\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>",
        "END RequestId: 1",
    ]
    shipper.add(group, stream, "second flush\n")
    shipper.flush()  # the group and stream exist already: no error
    assert logs.events[-1] == "second flush" and shipper.errors == 0 and shipper.sent == 4


def test_a_failed_send_is_counted_and_dropped():
    class Broken(FakeLogs):
        def put_log_events(self, **kwargs):
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "PutLogEvents")

    shipper = function_logs.LogShipper(Broken())
    shipper.add("/aws/lambda/fn", "s", "hello\n")
    shipper.flush()
    assert shipper.errors == 1 and "down" in shipper.last_error
    shipper.flush()  # nothing left to send
    assert shipper.errors == 1
