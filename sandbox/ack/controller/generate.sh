#!/usr/bin/env bash
# Regenerate the ACK controllers' deepcopy code (apis/*/v1alpha1/zz_generated.deepcopy.go) and the
# charts' CRDs (sandbox/ack/charts/<svc>-chart/crds/) from the API types.
#   sandbox/ack/controller/generate.sh           rewrite them in place
#   sandbox/ack/controller/generate.sh --check   generate into a temporary copy; exit 1, with the
#                                                differences, when the committed files are stale
# controller-gen runs with `go run` at the pinned version, from the sandbox's Go caches.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=sandbox/versions.env
. "$here/../../versions.env"
cache=${ACKOPS_SANDBOX_CACHE:-$HOME/.cache/ackops-sandbox}
export GOMODCACHE=$cache/go/mod GOCACHE=$cache/go/build GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
gen=(go run "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION")

generate() {  # generate <module dir> <charts dir>
  (cd "$1" && "${gen[@]}" object:headerFile=hack/boilerplate.go.txt paths=./apis/...)
  for svc in sqs dynamodb lambda; do
    rm -rf "$2/$svc-chart/crds"; mkdir -p "$2/$svc-chart/crds"
    (cd "$1" && "${gen[@]}" crd:crdVersions=v1 paths="./apis/$svc/..." output:crd:dir="$2/$svc-chart/crds")
  done
}

if [ "${1:-}" != --check ]; then
  generate "$here" "$(cd "$here/.." && pwd)/charts"
  exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/module"
cp -r "$here/go.mod" "$here/go.sum" "$here/hack" "$here/apis" "$tmp/module/"
generate "$tmp/module" "$tmp/charts"
stale=0
diff -r "$here/apis" "$tmp/module/apis" || stale=1
for svc in sqs dynamodb lambda; do
  diff -r "$here/../charts/$svc-chart/crds" "$tmp/charts/$svc-chart/crds" || stale=1
done
if [ "$stale" -ne 0 ]; then
  echo "generated files are stale: run sandbox/ack/controller/generate.sh and commit the result" >&2
fi
exit "$stale"
