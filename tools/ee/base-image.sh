#!/usr/bin/env bash
# Local base image for `make ee` where no container registry can be reached: Debian bookworm with
# python3 and pip, made with mmdebstrap and imported into podman. Prints the image name.
# The name carries a hash of this recipe and of the host's extra CA certificates, so an unchanged
# recipe reuses the image. The image trusts the CAs this host trusts (/usr/local/share/ca-certificates:
# these machines reach PyPI through a TLS-intercepting egress proxy), so it is for local builds only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
packages=python3,python3-pip,ca-certificates
ca_dir=/usr/local/share/ca-certificates

ca_hash=$(find "$ca_dir" -type f -name '*.crt' -print0 2>/dev/null | sort -z | xargs -0r cat | sha256sum | cut -c1-16)
recipe_hash=$( { cat "$here/base-image.sh"; echo "$ca_hash"; } | sha256sum | cut -c1-12)
image=localhost/ackops-ee-base:$suite-$recipe_hash
if podman image exists "$image"; then echo "$image"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "base image: building $image with mmdebstrap ($suite: $packages)" >&2
mmdebstrap --quiet --variant=essential --include="$packages" \
  --customize-hook="mkdir -p \"\$1$ca_dir\"" \
  --customize-hook="[ ! -d $ca_dir ] || find $ca_dir -name '*.crt' -exec cp {} \"\$1$ca_dir/\" \\;" \
  --customize-hook='chroot "$1" update-ca-certificates >/dev/null' \
  "$suite" "$work/rootfs.tar" >&2
# ansible-builder's stages run pip as root against the system Python (PEP 668 is Debian's guard).
podman import --quiet --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' --change 'CMD ["/bin/bash"]' \
  "$work/rootfs.tar" "$image" >/dev/null
echo "$image"
