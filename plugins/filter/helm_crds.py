# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""helm_crds: the CRDs of a chart's crds/ folder, from what `helm template --include-crds` prints."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import yaml
from ansible.errors import AnsibleFilterError

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    _Loader = yaml.SafeLoader

_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
_SOURCE = re.compile(r"^# Source: (\S+)[ \t]*$", re.MULTILINE)


def helm_crds(rendered):
    """The CustomResourceDefinitions that come from a crds/ folder of the chart (or of a subchart), in order.

    Helm prints a `# Source: <chart>/<path>` comment before each file's documents; a CRD file that starts with
    its own `---` has the comment alone in the document before. Documents from templates/ are left out: Helm
    installs those itself, with its ownership labels.
    """
    if not isinstance(rendered, str):
        raise AnsibleFilterError("helm_crds expects the text kubernetes.core.helm_template returns (its stdout), "
                                 "got %s" % type(rendered).__name__)
    crds, source = [], ""
    for text in _SEPARATOR.split(rendered):
        named = _SOURCE.search(text)
        if named:
            source = named.group(1)
        try:
            document = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as error:
            raise AnsibleFilterError("helm_crds could not read a document of %s: %s" % (source or "the output", error))
        if isinstance(document, dict) and document.get("kind") == "CustomResourceDefinition" \
                and "/crds/" in "/" + source:
            crds.append(document)
    return crds


class FilterModule:
    """ackops.serverless filters."""

    def filters(self):
        return {"helm_crds": helm_crds}
