#!/usr/bin/env bash
# Build one sandbox binary from its Go module into the shared cache, unless it is there already.
#   sandbox/build.sh <component>     component: etcd kube-apiserver kube-controller-manager helm crane rie
#                                               ack-controller
#   sandbox/build.sh --version ack-controller   prints the source hash that names that binary
# Prints the path of the binary on stdout; progress and errors go to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=sandbox/versions.env
. "$here/versions.env"
cache=${ACKOPS_SANDBOX_CACHE:-$HOME/.cache/ackops-sandbox}
export GOMODCACHE=$cache/go/mod GOCACHE=$cache/go/build CGO_ENABLED=0 GOFLAGS=-mod=mod
export GOTOOLCHAIN=local

die() { printf 'sandbox build: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "Go is not installed. Install Go >= $GO_MIN_VERSION (Debian: golang-go from backports, or go.dev) and re-run."
gov=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "$gov" | sort -V | head -n1)" != "$GO_MIN_VERSION" ]; then
  die "Go $gov is too old: the sandbox needs Go >= $GO_MIN_VERSION."
fi

# The sandbox's own ACK controllers are named by a hash of their sources (go.mod, go.sum, *.go but
# tests), so an edit builds a new binary and unchanged sources reuse the cached one. The same hash
# is computed by sandbox/ackops_sandbox/config.py (ack_controller_version).
ack_controller_dir=$here/ack/controller
ack_controller_version() {
  (cd "$ack_controller_dir" &&
    find . -type f \( \( -name '*.go' ! -name '*_test.go' \) -o -name go.mod -o -name go.sum \) |
    LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12 | sed 's/^/src-/')
}
if [ "${1:-}" = --version ]; then
  [ "${2:-}" = ack-controller ] || die "--version only applies to ack-controller"
  ack_controller_version; exit 0
fi

component=${1:?usage: build.sh <component>}
case $component in
  etcd) version=$ETCD_VERSION ;;
  kube-apiserver|kube-controller-manager) version=$KUBERNETES_VERSION ;;
  helm) version=$HELM_VERSION ;;
  crane) version=$CRANE_VERSION ;;
  rie) version=$RIE_VERSION ;;
  ack-controller) version=$(ack_controller_version) ;;
  *) die "unknown component '$component'" ;;
esac
out=$cache/bin/$component-$version
if [ -x "$out" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache/bin" "$cache/logs" "$cache/src" "$cache/locks"
# One build per component at a time: a second caller (another `sandboxctl up`) waits, then finds the binary.
exec 9>"$cache/locks/$component.lock"
if ! flock -n 9; then
  printf 'sandbox build: another build of %s is running; waiting for it\n' "$component" >&2
  flock 9
fi
if [ -x "$out" ]; then echo "$out"; exit 0; fi
log=$cache/logs/build-$component-$version.log
work=$cache/src/$component-$version
rm -rf "$work"; mkdir -p "$work"; cd "$work"
srcdir=$work

# Write a wrapper module for kubernetes: its go.mod points its staging modules at local folders,
# so we replace each with the published k8s.io/<name> v0.<minor>.<patch>.
k8s_wrapper() {
  local info gomod staging v0
  info=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION")
  gomod=$(printf '%s' "$info" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  v0=v0.${KUBERNETES_VERSION#v1.}
  staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod")
  [ -n "$staging" ] || die "no staging replaces found in $gomod"
  {
    echo "module ackops.local/kubernetes-wrapper"
    echo "go 1.24"
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    for m in $staging; do echo "replace $m => $m $v0"; done
  } > go.mod
}

ldflags="-s -w"
case $component in
  etcd)
    printf 'module ackops.local/etcd-wrapper\ngo 1.24\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > go.mod
    pkg=go.etcd.io/etcd/server/v3 ;;
  kube-apiserver|kube-controller-manager)
    k8s_wrapper
    minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
    ldflags="$ldflags -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
    pkg=k8s.io/kubernetes/cmd/$component ;;
  helm)
    printf 'module ackops.local/helm-wrapper\ngo 1.24\nrequire helm.sh/helm/v3 %s\n' "$HELM_VERSION" > go.mod
    ldflags="$ldflags -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    pkg=helm.sh/helm/v3/cmd/helm ;;
  crane)
    printf 'module ackops.local/crane-wrapper\ngo 1.24\nrequire github.com/google/go-containerregistry %s\n' "$CRANE_VERSION" > go.mod
    pkg=github.com/google/go-containerregistry/cmd/crane ;;
  rie)
    printf 'module ackops.local/rie-wrapper\ngo 1.24\nrequire github.com/aws/aws-lambda-runtime-interface-emulator %s\n' "$RIE_VERSION" > go.mod
    pkg=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie ;;
  ack-controller)
    # Our own module, built where it is; go.mod and go.sum are pinned, never rewritten here.
    srcdir=$ack_controller_dir
    export GOFLAGS="-mod=readonly -buildvcs=false"
    pkg=. ;;
esac

start=$(date +%s)
printf 'sandbox build: %s %s (log: %s)\n' "$component" "$version" "$log" >&2
( cd "$srcdir" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg" >"$log" 2>&1 ) &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  sleep 5
  el=$(( $(date +%s) - start ))
  if [ $((el % 30)) -lt 5 ] && kill -0 "$pid" 2>/dev/null; then
    printf 'sandbox build: %s still building, %ss so far\n' "$component" "$el" >&2
  fi
done
if ! wait "$pid"; then
  tail -n 20 "$log" >&2
  die "building $component failed after $(( $(date +%s) - start ))s; full log: $log"
fi
mv "$out.tmp" "$out"
# The duration is kept for benchmarks/sandbox_bench.py.
echo "$(( $(date +%s) - start ))" > "$cache/logs/build-$component-$version.seconds"
printf 'sandbox build: %s built in %ss\n' "$component" "$(( $(date +%s) - start ))" >&2
echo "$out"
