#!/usr/bin/env python3
# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""`make ee`: build execution-environment/execution-environment.yml with ansible-builder and podman,
offline, and reuse the image while its inputs are unchanged.

Offline means: no Galaxy and no container registry. So the build gets
  * the base image from EE_BASE_IMAGE, or else a local Debian one (tools/ee/base-image.sh);
  * this collection as the tarball `ansible-galaxy collection build` makes of the checkout, and its
    collection dependencies as the copies the pinned `ansible` package installed in .venv, all
    installed with `ansible-galaxy collection install --offline`;
  * helm and crane from the sandbox's build cache (sandbox/build.sh builds them when missing).
Everything else (base image, Python requirements from each collection, the binaries' install step)
is the user-facing definition as written. The image is tagged with a hash of every input:
localhost/ackops-serverless-ee:<hash>, plus :latest; .cache/ee/image names the current one.

Podman runs with runc (crun fails on hybrid cgroups), explicit ulimits and the host network, from a
generated containers.conf (CONTAINERS_CONF), so `podman run` in the tests gets the same settings.
"""

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEFINITION = REPO / "execution-environment" / "execution-environment.yml"
WORK = REPO / ".cache" / "ee"
IMAGE_FILE = WORK / "image"
CONTAINERS_CONF = WORK / "containers.conf"
IMAGE_REPO = "localhost/ackops-serverless-ee"
VENV_BIN = Path(sys.executable).parent
SANDBOX_CACHE = Path(os.environ.get("ACKOPS_SANDBOX_CACHE", Path.home() / ".cache" / "ackops-sandbox"))
# runc refused RLIMIT_NPROC above ~32768 here even below the hard limit; jobs need few processes.
NPROC = 4096


def log(msg):
    print(f"make ee: {msg}", file=sys.stderr, flush=True)


def run(argv, **kwargs):
    return subprocess.run([str(a) for a in argv], check=True, text=True, **kwargs)


def write_containers_conf():
    """Podman settings this host needs, for builds and for runs."""
    nofile = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 65536)
    nproc_hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    nproc = NPROC if nproc_hard == resource.RLIM_INFINITY else min(NPROC, nproc_hard)
    text = (
        "# Written by tools/ee/build.py: podman on these machines needs runc (crun fails on hybrid\n"
        "# cgroups) and ulimits no higher than the hard limits; jobs reach the sandbox on 127.0.0.1.\n"
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
        'netns = "host"\n'
        "[engine]\n"
        'runtime = "runc"\n'
    )
    WORK.mkdir(parents=True, exist_ok=True)
    if not CONTAINERS_CONF.exists() or CONTAINERS_CONF.read_text() != text:
        CONTAINERS_CONF.write_text(text)
    os.environ["CONTAINERS_CONF"] = str(CONTAINERS_CONF)


def base_image():
    image = os.environ.get("EE_BASE_IMAGE", "")
    if image:
        return image
    out = run([REPO / "tools" / "ee" / "base-image.sh"], stdout=subprocess.PIPE)
    return out.stdout.strip().splitlines()[-1]


def build_tarball(dest):
    dest.mkdir(parents=True)
    run([VENV_BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", dest], cwd=REPO,
        stdout=subprocess.DEVNULL)
    (tarball,) = dest.glob("ackops-serverless-*.tar.gz")
    return tarball


def tarball_fingerprint(tarball):
    """Content of the tarball without its timestamps: MANIFEST.json and FILES.json carry every checksum."""
    with tarfile.open(tarball) as tar:
        return b"".join(tar.extractfile(name).read() for name in ("MANIFEST.json", "FILES.json"))


def dependency_dirs():
    """The installed copies of galaxy.yml's dependencies (the pinned `ansible` package in .venv)."""
    import ansible_collections  # the venv's, bundled by the `ansible` package

    roots = [Path(p) for p in ansible_collections.__path__]
    deps = yaml.safe_load((REPO / "galaxy.yml").read_text())["dependencies"]
    found = {}
    for fqcn in deps:
        namespace, name = fqcn.split(".")
        for root in roots:
            if (root / namespace / name / "MANIFEST.json").exists():
                found[fqcn] = root / namespace / name
                break
        else:
            raise SystemExit(f"make ee: collection {fqcn} (a dependency in galaxy.yml) is not installed in .venv")
    return found


def tool_binary(component):
    """helm or crane from the sandbox's cache, built by sandbox/build.sh when missing."""
    out = run(["bash", REPO / "sandbox" / "build.sh", component], stdout=subprocess.PIPE)
    return Path(out.stdout.strip().splitlines()[-1])


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def image_exists(image):
    return subprocess.run(["podman", "image", "exists", image], check=False).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when an image of these inputs exists")
    args = parser.parse_args()
    started = time.monotonic()

    run(["bash", REPO / "tools" / "ee" / "host-packages.sh"])
    write_containers_conf()
    base = base_image()
    base_id = run(["podman", "image", "inspect", "--format", "{{.Id}}", base], stdout=subprocess.PIPE).stdout.strip()

    stage = WORK / "inputs"
    shutil.rmtree(stage, ignore_errors=True)
    tarball = build_tarball(stage / "collections")
    deps = dependency_dirs()
    bin_dir = stage / "bin"
    bin_dir.mkdir()
    for tool, component in (("helm", "helm"), ("crane", "crane")):
        shutil.copy2(tool_binary(component), bin_dir / tool)

    definition = yaml.safe_load(DEFINITION.read_text())
    definition["images"]["base_image"]["name"] = base
    requirements = {"collections": [{"name": f"collections/{tarball.name}", "type": "file"}]
                    + [{"name": f"collections/{fqcn}", "type": "dir"} for fqcn in sorted(deps)]}
    (stage / "requirements.yml").write_text(yaml.safe_dump(requirements, sort_keys=False))
    definition["dependencies"]["galaxy"] = str(stage / "requirements.yml")
    definition["additional_build_files"] = (
        [{"src": str(bin_dir), "dest": "bin"}, {"src": str(tarball), "dest": "collections"}]
        + [{"src": str(path), "dest": f"collections/{fqcn}"} for fqcn, path in sorted(deps.items())])
    definition.setdefault("build_arg_defaults", {})["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"] = "--offline"
    if not os.environ.get("EE_BASE_IMAGE"):
        # The local Debian base has pip from Debian (which disables the ensurepip ansible-builder runs
        # otherwise) and no dnf, whose cache ansible-builder cleans unless told to keep it. Nothing
        # needs a system package: the collections' bindep files list none for Debian.
        definition.setdefault("options", {})["skip_pip_install"] = True
        definition["build_arg_defaults"]["PKGMGR_PRESERVE_CACHE"] = "always"
    derived = WORK / "execution-environment.yml"
    derived_text = yaml.safe_dump(definition, sort_keys=False)
    derived.write_text(derived_text)

    from importlib.metadata import version

    builder_version = version("ansible-builder")
    digest = hashlib.sha256()
    for part in (derived_text, requirements, base_id, builder_version, Path(__file__).read_text(),
                 tarball_fingerprint(tarball).hex(),
                 *[(deps[f] / "MANIFEST.json").read_text() + (deps[f] / "FILES.json").read_text() for f in sorted(deps)],
                 sha256_file(bin_dir / "helm"), sha256_file(bin_dir / "crane")):
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    image = f"{IMAGE_REPO}:{digest.hexdigest()[:12]}"

    if image_exists(image) and not args.force:
        log(f"{image} is up to date (inputs unchanged), {time.monotonic() - started:.0f}s")
    else:
        log(f"building {image} on {base}")
        context = WORK / "context"
        shutil.rmtree(context, ignore_errors=True)
        run([VENV_BIN / "ansible-builder", "build", "--file", derived, "--context", context, "--tag", image,
             "--container-runtime", "podman", "--verbosity", "2"])
        log(f"built {image} in {time.monotonic() - started:.0f}s")
    run(["podman", "tag", image, f"{IMAGE_REPO}:latest"])
    IMAGE_FILE.write_text(image + "\n")
    remove_stale_images(image)
    print(image)


def remove_stale_images(current):
    """Untag the images of earlier inputs (their layers stay as build cache until `podman image prune`)."""
    listing = run(["podman", "images", "--format", "{{.Repository}}:{{.Tag}}", IMAGE_REPO], stdout=subprocess.PIPE)
    stale = [name for name in listing.stdout.split() if name not in (current, f"{IMAGE_REPO}:latest")]
    if stale:
        subprocess.run(["podman", "untag", *stale], check=False, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
