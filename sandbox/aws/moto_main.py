#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Run moto's server with the sandbox shims applied first.

    .venv/bin/python sandbox/aws/moto_main.py --host 127.0.0.1 --port 15001

Each module in sandbox/aws/shims/*.py (sorted by file name) must define apply(); it is called once,
in this process, before the server starts, so it can patch moto where the sandbox has to answer
differently from moto (every shim is listed in sandbox/README.md, "Shims").
"""

import argparse
import importlib.util
import os
import sys
from pathlib import Path

SHIMS = Path(__file__).resolve().parent / "shims"


def apply_shims(directory=SHIMS):
    applied = []
    for path in sorted(directory.glob("*.py")) if directory.is_dir() else []:
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"ackops_moto_shims.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if not callable(getattr(module, "apply", None)):
            raise SystemExit(f"moto shim {path} has no apply() function: add one or move the file away")
        module.apply()
        applied.append(path.name)
    return applied


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=15001)
    args = parser.parse_args(argv)
    # A real account has the AWS managed policies (AmazonSQSFullAccess, ...) that the IRSA roles
    # attach; moto creates them only when asked to.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    applied = apply_shims()
    sys.stderr.write(f"moto_main: shims applied: {', '.join(applied) or 'none'}\n")
    sys.stderr.flush()
    from moto.server import main as moto_server_main

    moto_server_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
