#!/usr/bin/env bash
# ansible-test needs the collection at .../ansible_collections/<ns>/<name>; it resolves symlinks,
# so run it on a copy of the tracked and new files. Its per-test venvs are cached in ~/.ansible/test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/ackops/serverless
mkdir -p "$dest"
cd "$root"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  mkdir -p "$dest/$(dirname "$f")"; cp -p "$f" "$dest/$f"
done
cd "$dest"
git init -q . && git add -A >/dev/null
"$root/.venv/bin/ansible-test" sanity --venv --python 3.11 --color no "$@"
