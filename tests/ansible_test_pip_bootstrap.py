"""Pip bootstrap for ansible-test's sanity venvs, for machines that reach PyPI but not ansible's CI file host.

ansible-test creates each sanity venv without pip and runs a cached "get-pip" script in it with pip's
install arguments. This stand-in installs the pip wheel bundled with CPython (ensurepip), then runs pip
install with the same arguments, so the requested pip/setuptools versions still come from PyPI.
tests/sanity.sh copies it to the cache path ansible-test looks for.
"""
import subprocess
import sys

# get-pip.py takes pip-install arguments plus its own --no-setuptools/--no-wheel switches.
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
# In a child process: ensurepip switches pip's configuration off (PIP_CONFIG_FILE=devnull) in the
# environment of the process that calls it, and we need the site's pip.conf (proxy CA) for PyPI.
subprocess.check_call([sys.executable, "-m", "ensurepip"])
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
