# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Ansible's collection loader, installed before any test module imports ansible_collections (as ansible-test's
pytest plugin does), so plugin loaders resolve this collection's plugins and their documentation fragments
(tests/unit/plugins/lookup loads lookups by name, as a playbook would)."""

from pathlib import Path

from ansible.plugins.loader import init_plugin_loader

init_plugin_loader([str(Path(__file__).resolve().parents[2] / ".ansible" / "collections")])
