# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The collection and the sandbox against the real ACK charts (reference data, see conftest.py):

* every field the `resources` role renders exists in the real CRD, with the same type;
* the sandbox's generated CRDs agree with the real ones on those fields (type, format,
  x-kubernetes-validations, required) and have no field the real CRD lacks;
* the values the `controllers` role passes to helm validate against the real values.schema.json,
  merged over the real values.yaml as helm merges them.
"""

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import CONTROLLER_INPUTS, OPTIONAL_SET, REPO, SERVICES

SANDBOX_CHARTS = REPO / "sandbox" / "ack" / "charts"
KINDS = {"Queue": ("sqs", "queues"), "Table": ("dynamodb", "tables"), "Function": ("lambda", "functions"),
         "EventSourceMapping": ("lambda", "eventsourcemappings")}
JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object"}
COMPARED = ("type", "format", "x-kubernetes-validations")


def crd_schema(path):
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def real_schema(reference, kind):
    service, plural = KINDS[kind]
    return crd_schema(reference / ("%s-controller-%s" % (service, SERVICES[service])) / "crds" /
                      ("%s.services.k8s.aws_%s.yaml" % (service, plural)))


def sandbox_schema(kind):
    service, plural = KINDS[kind]
    return crd_schema(SANDBOX_CHARTS / ("%s-chart" % service) / "crds" / ("%s.services.k8s.aws_%s.yaml" % (service, plural)))


def child(schema, key):
    """The sub-schema of an object property (key) or list item / map value ('[]' / '{}')."""
    if key == "[]":
        return schema.get("items")
    if key == "{}":
        extra = schema.get("additionalProperties")
        return extra if isinstance(extra, dict) else None
    return (schema.get("properties") or {}).get(key)


def rendered_paths(value, path=()):
    """(path, JSON type) of every node of a rendered document; map keys the schema does not
    name (tags, environment variables) are resolved against the schema by walk()."""
    yield path, JSON_TYPES[type(value)]
    if isinstance(value, dict):
        for key, item in value.items():
            yield from rendered_paths(item, path + (key,))
    elif isinstance(value, list):
        for item in value:
            yield from rendered_paths(item, path + ("[]",))


def walk(schema, path):
    """Follow path in schema; map keys fall back to additionalProperties. Returns (nodes, schema path)."""
    nodes, names = [schema], []
    for key in path:
        node = nodes[-1]
        sub = child(node, key)
        if sub is None and key != "[]" and child(node, "{}") is not None:
            key, sub = "{}", child(node, "{}")
        if sub is None:
            return nodes, names + [key], False
        nodes.append(sub)
        names.append(key)
    return nodes, names, True


def documents(role_output):
    for variant in ("defaults", "options"):
        for name, doc in role_output["eks"][variant].items():
            yield "%s/%s" % (variant, name), doc


def test_the_optional_inputs_cover_every_condition_of_the_templates():
    conditions = set()
    for template in (REPO / "roles" / "resources" / "templates").glob("*.yaml.j2"):
        conditions.update(re.findall(r"{%-?\s*if\s+(\w+)", template.read_text(encoding="utf-8")))
    assert conditions <= set(OPTIONAL_SET), "add to OPTIONAL_SET: %s" % sorted(conditions - set(OPTIONAL_SET))


def test_rendered_fields_exist_in_the_real_crds_with_the_same_type(ack_reference, role_output):
    problems = []
    for where, doc in documents(role_output):
        schema = real_schema(ack_reference, doc["kind"])
        for path, json_type in rendered_paths({"spec": doc["spec"]}):
            nodes, names, found = walk(schema, path)
            if not found:
                problems.append("%s %s: %s is not in the real CRD" % (where, doc["kind"], ".".join(names)))
            elif nodes[-1].get("type") != json_type:
                problems.append("%s %s: %s is %s in the real CRD, rendered as %s" % (
                    where, doc["kind"], ".".join(names), nodes[-1].get("type"), json_type))
    assert not problems, "\n".join(problems)


def test_sandbox_crds_agree_with_the_real_ones_on_the_rendered_fields(ack_reference, role_output):
    problems = []
    for where, doc in documents(role_output):
        real, ours = real_schema(ack_reference, doc["kind"]), sandbox_schema(doc["kind"])
        for path in {path for path, _type in rendered_paths({"spec": doc["spec"]})}:
            real_nodes, names = walk(real, path)[:2]
            our_nodes, found = walk(ours, path)[0::2]
            if not found:
                problems.append("%s %s: %s is missing from the sandbox CRD" % (where, doc["kind"], ".".join(names)))
                continue
            for depth, (r, o) in enumerate(zip(real_nodes, our_nodes)):
                here = ".".join(names[:depth]) or "<root>"
                for key in COMPARED:
                    if r.get(key) != o.get(key):
                        problems.append("%s %s: %s %s: real %r, sandbox %r" % (
                            where, doc["kind"], here, key, r.get(key), o.get(key)))
                if sorted(r.get("required", [])) != sorted(o.get("required", [])):
                    problems.append("%s %s: %s required: real %r, sandbox %r" % (
                        where, doc["kind"], here, r.get("required"), o.get("required")))
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sandbox_crds_are_a_subset_of_the_real_ones(ack_reference, kind):
    """Every field of a sandbox CRD is in the real CRD, with the same type, format, validations
    and required lists (immutability such as Table keySchema is a CEL rule of the real CRD)."""
    problems = []

    def compare(ours, real, names):
        for key in COMPARED:
            if ours.get(key) != real.get(key):
                problems.append("%s %s: real %r, sandbox %r" % (".".join(names) or "<root>", key, real.get(key), ours.get(key)))
        if names and names[0] in ("spec", "status") and sorted(ours.get("required", [])) != sorted(real.get("required", [])):
            problems.append("%s required: real %r, sandbox %r" % (".".join(names), real.get("required"), ours.get("required")))
        for key in list((ours.get("properties") or {})) + ["[]", "{}"]:
            sub = child(ours, key)
            if sub is None:
                continue
            if child(real, key) is None:
                problems.append("%s is not in the real CRD" % ".".join(names + [key]))
            else:
                compare(sub, child(real, key), names + [key])

    compare(sandbox_schema(kind), real_schema(ack_reference, kind), [])
    assert not problems, "\n".join(problems)


def merged(base, override):
    out = copy.deepcopy(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@pytest.mark.parametrize("inputs", sorted(CONTROLLER_INPUTS))
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_controller_values_validate_against_the_real_values_schema(ack_reference, role_output, inputs, service):
    folder = ack_reference / ("%s-controller-%s" % (service, SERVICES[service]))
    schema = json.loads((folder / "values.schema.json").read_text(encoding="utf-8"))
    chart_values = yaml.safe_load((folder / "values.yaml").read_text(encoding="utf-8"))
    passed = role_output[inputs]["values"][service]
    assert passed["aws"]["region"]
    validator = jsonschema.Draft7Validator(schema)  # its $schema: draft-07 (spelt https://)
    validator.validate(merged(chart_values, {}))  # the reference itself is consistent
    validator.validate(merged(chart_values, passed))


def test_helm_crds_finds_every_crd_of_the_real_lambda_chart(ack_reference):
    """The controllers role applies what helm_crds returns before Helm installs a chart: fed the real chart's crds/
    files the way helm template --include-crds prints them, it returns each CRD and nothing of templates/."""
    from ansible_collections.ackops.serverless.plugins.filter.helm_crds import helm_crds

    files = sorted((ack_reference / "lambda-controller-v1.14.1" / "crds").glob("*.yaml"))
    rendered = "".join(f"---\n# Source: lambda-chart/crds/{f.name}\n{f.read_text(encoding='utf-8')}\n" for f in files)
    rendered += "---\n# Source: lambda-chart/templates/deployment.yaml\nkind: Deployment\n"
    crds = helm_crds(rendered)
    assert len(crds) == len(files) > 0
    assert "functions.lambda.services.k8s.aws" in [crd["metadata"]["name"] for crd in crds]
    assert all(crd["kind"] == "CustomResourceDefinition" for crd in crds)
