#!/usr/bin/env bash
# Regenerate the ACK controllers' deepcopy code and the charts' CRDs from the API types.
#   sandbox/ack/controller/generate.sh [OUT_DIR]
# CRDs go to sandbox/ack/charts/<svc>-chart/crds/ (or OUT_DIR/<svc>-chart/crds/, which
# tests/sandbox_ack use to check that the committed ones are current). controller-gen is run
# with `go run` at the pinned version, from the sandbox's Go caches.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=sandbox/versions.env
. "$here/../../versions.env"
cache=${ACKOPS_SANDBOX_CACHE:-$HOME/.cache/ackops-sandbox}
export GOMODCACHE=$cache/go/mod GOCACHE=$cache/go/build GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
out=${1:-$here/../charts}
gen=(go run "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION")
cd "$here"
if [ $# -eq 0 ]; then
  "${gen[@]}" object:headerFile=hack/boilerplate.go.txt paths=./apis/...
fi
for svc in sqs dynamodb lambda; do
  mkdir -p "$out/$svc-chart/crds"
  "${gen[@]}" crd:crdVersions=v1 paths="./apis/$svc/..." output:crd:dir="$out/$svc-chart/crds"
done
