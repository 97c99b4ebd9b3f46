#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""sandboxctl: start, repair, inspect and stop the local sandbox.

    .venv/bin/python sandbox/sandboxctl.py up | down [--purge] | status

See sandbox/README.md for what runs where.
"""

import sys

from ackops_sandbox.cli import main  # Python puts this script's directory (sandbox/) first on sys.path

if __name__ == "__main__":
    sys.exit(main())
