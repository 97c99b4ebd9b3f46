# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""What the collection tarball ships, and what a plain copy of the repository resolves.

The tarball is what Galaxy users get: only runtime content, no development files, no placeholder
URLs. A plain copy of the repository (what git tracks, as `git archive` or an AWX project sync
gives) must resolve `ackops.serverless.*` without `make setup`.
"""

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Everything the tarball may hold: a new top-level file or folder must be added here on purpose
# (and to galaxy.yml's build_ignore when it is development-only).
SHIPPED = re.compile(
    r"^(MANIFEST\.json|FILES\.json|README\.md|LICENSE"
    r"|changelogs/changelog\.yaml"
    r"|docs/.+|execution-environment/.+|files/lambda/.+|inventories/eks/.+|meta/.+"
    r"|playbooks/[^/]+\.yml|playbooks/vars/[^/]+\.yml|plugins/.+|roles/.+)$"
)
# Named in issue 13 as development files that leaked into the tarball.
DEVELOPMENT_FILES = [
    "Makefile", "ansible.cfg", "pytest.ini", ".ansible-lint", "constraints.txt", "requirements.txt",
    "requirements-test.txt", "molecule/", "inventories/sandbox/", "tests/", "changelogs/fragments/",
    "changelogs/config.yaml", "sandbox/", "benchmarks/", ".ci/", "tools/", "collections/",
    "playbooks/collections", "site.yml",
]


def clean_env(**extra):
    """The environment of a user's shell: no make exports, no checkout on the collections path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "K8S_AUTH_"))}
    env["PATH"] = f"{BIN}:{env.get('PATH', '/usr/bin:/bin')}"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out)],
                   cwd=REPO, check=True, capture_output=True, text=True, env=clean_env())
    (path,) = out.glob("ackops-serverless-*.tar.gz")
    return path


@pytest.fixture(scope="module")
def members(tarball):
    with tarfile.open(tarball) as tar:
        return {m.name: m for m in tar.getmembers()}


def test_tarball_ships_only_runtime_content(members):
    files = sorted(name for name, m in members.items() if not m.isdir())
    unexpected = [name for name in files if not SHIPPED.match(name)]
    assert not unexpected, f"development files (or new content not yet listed in SHIPPED) in the tarball: {unexpected}"
    for dev in DEVELOPMENT_FILES:
        assert not any(name == dev.rstrip("/") or name.startswith(dev) for name in members), dev
    assert not [name for name, m in members.items() if m.issym()], "links to the checkout must not ship"


def test_tarball_has_what_an_installed_copy_runs(members):
    for needed in ("playbooks/site.yml", "playbooks/cleanup.yml", "files/lambda/app.py",
                   "meta/runtime.yml", "meta/execution-environment.yml", "meta/ee-requirements.txt",
                   "roles/resources/meta/argument_specs.yml", "plugins/modules/ack_wait.py"):
        assert needed in members, needed


def test_metadata_has_no_placeholder_and_states_only_what_is_tested(tarball):
    with tarfile.open(tarball) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))
        runtime = yaml.safe_load(tar.extractfile("meta/runtime.yml"))
    info = manifest["collection_info"]
    for key in ("repository", "documentation", "homepage", "issues"):
        value = info.get(key) or ""
        assert "example" not in value and "invalid" not in value, f"{key}: {value}"
    from ansible.release import __version__ as core_version

    major_minor = ".".join(core_version.split(".")[:2])
    assert runtime["requires_ansible"] == f">={major_minor}.0", (
        f"requires_ansible {runtime['requires_ansible']!r}: only ansible-core {major_minor} is tested")


def test_readme_leads_with_install_and_eks_usage(tarball):
    with tarfile.open(tarball) as tar:
        readme = tar.extractfile("README.md").read().decode()
    sections = re.findall(r"^## (.+)$", readme, flags=re.M)
    assert sections[:2] == ["Install", "Use it against an EKS cluster"], sections
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    assert "ansible-galaxy collection install" in install
    assert "example.invalid" not in readme
    assert readme.index("make demo") > readme.index("ansible-playbook ackops.serverless.site")


def test_ee_requirements_are_ranges():
    lines = [line.split("#")[0].strip() for line in (REPO / "meta/ee-requirements.txt").read_text().splitlines()]
    for line in filter(None, lines):
        assert "==" not in line and ">=" in line, f"{line}: execution environments take ranges, not pins"


@pytest.fixture(scope="module")
def plain_copy(tmp_path_factory):
    """What git tracks (committed or staged, plus new files not ignored), as a fresh directory."""
    dest = tmp_path_factory.mktemp("plain-copy")
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=REPO, check=True, capture_output=True).stdout
    files = [f for f in listing.decode().split("\0") if f and os.path.lexists(REPO / f)]
    pack = subprocess.run(["tar", "--null", "-T", "-", "-cf", "-"], cwd=REPO, input="\0".join(files).encode(),
                          check=True, capture_output=True).stdout
    subprocess.run(["tar", "-xf", "-", "-C", str(dest)], input=pack, check=True)
    assert not (dest / ".ansible").exists()
    return dest


def test_plain_copy_resolves_the_collection(plain_copy, tmp_path):
    """Issue 13: `ansible-playbook -i inventories/eks site.yml --syntax-check` on a git archive failed
    with "the role 'ackops.serverless.preflight' was not found"; every playbook of the copy resolves now."""
    playbooks = ["site.yml"] + sorted(f"playbooks/{p.name}" for p in (plain_copy / "playbooks").glob("*.yml"))
    result = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "inventories/eks", "--syntax-check", *playbooks],
        cwd=plain_copy, capture_output=True, text=True, env=clean_env(HOME=str(tmp_path)), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
