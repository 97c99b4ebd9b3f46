# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The built tarball, installed with its dependencies into a fresh collections path (nothing links to
the checkout), deploys from an empty directory: `ansible-playbook ackops.serverless.site` converges
with the smoke test, `ackops.serverless.cleanup` removes everything.

No Galaxy server can be reached here, so the dependencies are installed offline from the copies the
pinned `ansible` package put into .venv, the way `ansible-galaxy collection install` installs any
collection directory.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from awxjob import REPO, sandbox_inventory

BIN = REPO / ".venv" / "bin"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(collections path, environment of a user's shell) with the tarball and its dependencies installed."""
    work = tmp_path_factory.mktemp("installed-copy")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(work)],
                   cwd=REPO, check=True, capture_output=True)
    (tarball,) = work.glob("ackops-serverless-*.tar.gz")
    import ansible_collections

    dependencies = yaml.safe_load((REPO / "galaxy.yml").read_text())["dependencies"]
    # The `ansible` package's installed copies (they have a MANIFEST.json), not the checkout's link.
    installed_dirs = [next(Path(root) / fqcn.replace(".", "/") for root in ansible_collections.__path__
                           if (Path(root) / fqcn.replace(".", "/") / "MANIFEST.json").exists())
                      for fqcn in dependencies]
    requirements = {"collections": [{"name": str(tarball), "type": "file"}] + [
        {"name": str(path), "type": "dir"} for path in installed_dirs]}
    (work / "requirements.yml").write_text(yaml.safe_dump(requirements))
    collections = work / "collections"
    # Only the fresh path counts: not the checkout, not the collections of the ansible package.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_ROLES_PATH=str(work / "no-roles"), HOME=str(work / "home"))
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r",
                    str(work / "requirements.yml"), "-p", str(collections)], check=True, capture_output=True, env=env)
    listing = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "--format", "yaml"], env=env,
                             check=True, capture_output=True, text=True).stdout
    paths = {path: found for path, found in yaml.safe_load(listing).items() if "/ansible/_internal/" not in path}
    assert list(paths) == [str(collections / "ansible_collections")], paths
    assert set(paths[str(collections / "ansible_collections")]) == {"ackops.serverless", *dependencies}
    return work, env


def playbook(installed, name, sandbox):
    work, env = installed
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    inventory = work / "inventory.yml"
    inventory.write_text(yaml.safe_dump(sandbox_inventory(sandbox)))
    started = time.monotonic()
    result = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), name], cwd=empty, env=env,
                            capture_output=True, text=True, check=False)
    print(f"\ninstalled copy: {name} took {time.monotonic() - started:.0f}s", file=sys.stderr)
    assert not list(empty.iterdir()), "the run left files in the empty directory"
    return result


def test_site_converges_from_an_empty_directory(installed, sandbox):
    result = playbook(installed, "ackops.serverless.site", sandbox)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 items found in customer" in result.stdout
    # The roles ran from the installed copy.
    assert str(REPO) not in result.stdout


def test_cleanup_from_an_empty_directory(installed, sandbox):
    result = playbook(installed, "ackops.serverless.cleanup", sandbox)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
