#!/usr/bin/env bash
# ansible-test sanity on exactly what ships: build the collection tarball, unpack it under
# .../ansible_collections/ackops/serverless (ansible-test resolves symlinks, so the checkout itself
# cannot be used), put the collections it depends on beside it, and run. The ignore file
# (tests/sanity/ignore-2.19.txt) holds only what cannot be fixed, each line with its reason: the
# collection is Apache-2.0, and validate-modules accepts only a GPLv3 license header.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ansible-test fetches its pip bootstrap script from a host this machine cannot reach; give it ours.
pip_version=$("$venv/bin/python" -c 'from ansible_test._internal.python_requirements import PIP_VERSION as v; print(v)' 2>/dev/null || echo 24.2)
bootstrap=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$bootstrap")"
cmp -s "$root/tests/ansible_test_pip_bootstrap.py" "$bootstrap" || cp "$root/tests/ansible_test_pip_bootstrap.py" "$bootstrap"

cd "$root"
"$venv/bin/ansible-galaxy" collection build --force --output-path "$work" >/dev/null
dest=$work/ansible_collections/ackops/serverless
mkdir -p "$dest"
tar -xzf "$work"/ackops-serverless-*.tar.gz -C "$dest"
# tests/ does not ship (build_ignore); sanity also covers the unit tests and needs the ignore file.
mkdir -p "$dest/tests"
cp -r "$root/tests/unit" "$root/tests/sanity" "$dest/tests/"
bundled=$("$venv/bin/python" -c 'import ansible_collections, os; print(os.path.dirname(ansible_collections.__file__) if hasattr(ansible_collections, "__file__") and ansible_collections.__file__ else list(ansible_collections.__path__)[0])')
for dep in kubernetes/core amazon/aws community/aws community/docker; do
  mkdir -p "$work/ansible_collections/${dep%/*}"
  ln -s "$bundled/$dep" "$work/ansible_collections/$dep"
done
cd "$dest"
git init -q . && git add -A >/dev/null
"$venv/bin/ansible-test" sanity --python 3.11 --requirements --color no "$@"
