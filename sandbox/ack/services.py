# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The facts every part of the sandbox ACK set-up shares: services, chart versions, kinds, ports."""

import os

# sandboxctl passes its port offset to the processes it starts (see ackops_sandbox/config.py).
_PORT_BASE = 18000 + int(os.environ.get("ACKOPS_SANDBOX_PORT_OFFSET") or 0)

SERVICES = {
    "sqs": {
        "version": "1.6.1",
        "health_port": _PORT_BASE + 1,
        "metrics_port": _PORT_BASE + 4,
        "kinds": {"Queue": "queues"},
    },
    "dynamodb": {
        "version": "1.9.2",
        "health_port": _PORT_BASE + 2,
        "metrics_port": _PORT_BASE + 5,
        "kinds": {"Table": "tables"},
    },
    "lambda": {
        "version": "1.14.1",
        "health_port": _PORT_BASE + 3,
        "metrics_port": _PORT_BASE + 6,
        "kinds": {"Function": "functions", "EventSourceMapping": "eventsourcemappings"},
    },
}

API_VERSION = "v1alpha1"
OCI_REPOSITORY = "aws-controllers-k8s"
ACK_SYSTEM_NAMESPACE = "ack-system"


def group(service):
    return "%s.services.k8s.aws" % service


def chart_name(service):
    return "%s-chart" % service


def finalizer(service, kind):
    return "finalizers.%s.services.k8s.aws/%s" % (service, kind)
