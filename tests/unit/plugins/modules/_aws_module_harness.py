# Shared harness for the unit tests of our AnsibleAWSModule modules: runs a module's main() with
# arguments, in-process, against moto's mock_aws, and returns its JSON result. The aws_env fixture
# is in conftest.py beside it.
from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args


def run_module(main, args, capsys, check_mode=False):
    """Run main() with args; return (rc, result dict)."""
    args = dict(args)
    args.setdefault("region", "us-east-1")
    if check_mode:
        args["_ansible_check_mode"] = True
    capsys.readouterr()
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            main()
    out = capsys.readouterr().out
    return exited.value.code, json.loads(out)
