# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""python -m controllers <sqs|dynamodb|lambda> [ACK controller flags...] (PYTHONPATH=sandbox/ack)."""

import importlib
import sys

MODULES = {"sqs": "sqs", "dynamodb": "dynamodb", "lambda": "awslambda"}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in MODULES:
        sys.stderr.write("usage: python -m controllers {%s} [flags]\n" % "|".join(sorted(MODULES)))
        return 2
    module = importlib.import_module("controllers.%s" % MODULES[sys.argv[1]])
    return module.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
