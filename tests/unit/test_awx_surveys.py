# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""A survey cannot pass what a role rejects.

For every job template and the workflow of the awx_config role, each survey variable must reach an
option of a role the job's playbook runs: the option itself (the survey sets it as an extra var), or
an option whose value the playbooks or the role's defaults take from that variable (the ackops_*
inventory contract). Where the option takes the variable as it is, the survey's type, choices and
default must be ones the option accepts, and a literal role default must be the survey's default.
Pure file reading: no Ansible run.
"""

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "awx_config"
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
# Which argument spec types a survey answer of each type can satisfy.
COMPATIBLE = {
    "text": {"str", "raw", "path"},
    "textarea": {"str", "raw", "path"},
    "password": {"str", "raw"},
    "integer": {"int", "raw", "float"},
    "float": {"float", "raw"},
    "multiplechoice": {"str", "raw", "bool", "int"},
    "multiselect": {"list"},
}
BOOLEAN_STRINGS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


def load(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


DEFAULTS = load(ROLE / "defaults" / "main.yml")


def playbook_path(ref, base):
    if ref.startswith("ackops.serverless."):
        return REPO / "playbooks" / (ref.split(".", 2)[2] + ".yml")
    return (base / ref).resolve()


def plays(path):
    """The plays of a playbook, following import_playbook, each with the folder it was read from."""
    found = []
    for entry in load(path) or []:
        imported = entry.get("ansible.builtin.import_playbook") or entry.get("import_playbook")
        if imported:
            found += plays(playbook_path(imported, path.parent))
        else:
            found.append((entry, path.parent))
    return found


def role_spec(name):
    spec = load(REPO / "roles" / name / "meta" / "argument_specs.yml")
    return spec["argument_specs"]["main"].get("options") or {}


def role_defaults(name):
    path = REPO / "roles" / name / "defaults" / "main.yml"
    return (load(path) or {}) if path.exists() else {}


def roles_of(play, base):
    """(role name, {option: where its value comes from}) for each role the play runs."""
    sources = {}
    for vars_file in play.get("vars_files") or []:
        if "{{" not in str(vars_file):
            sources.update(load(base / vars_file) or {})
    sources.update(play.get("vars") or {})
    for entry in play.get("roles") or []:
        entry = {"role": entry} if isinstance(entry, str) else entry
        name = (entry.get("role") or entry.get("name")).split(".")[-1]
        yield name, {**role_defaults(name), **sources, **(entry.get("vars") or {})}
    # Roles a task includes or imports (playbooks/smoke_test.yml), with the task's own vars.
    for task in play.get("tasks") or []:
        for action in ("ansible.builtin.include_role", "ansible.builtin.import_role"):
            if action in task:
                name = task[action]["name"].split(".")[-1]
                yield name, {**role_defaults(name), **sources, **(task.get("vars") or {})}


def mentions(expression, variable):
    return any(re.search(rf"\b{re.escape(variable)}\b", inner)
               for inner in re.findall(r"\{\{(.*?)\}\}", str(expression), flags=re.S))


def passes_through(expression, variable):
    """The option takes the variable as it is (maybe with a default): `{{ var | default('') }}`."""
    return re.fullmatch(rf"\s*\{{\{{\s*{re.escape(variable)}\s*(\|\s*default\([^()]*\)\s*)?(\|\s*(bool|int|string)\s*)?\}}\}}\s*",
                        str(expression)) is not None


def targets(variable, playbook):
    """[(role, option, spec, how)] the survey variable reaches in the playbook; how is direct, passthrough
    or computed."""
    found = []
    for play, base in plays(REPO / playbook):
        for role, values in roles_of(play, base):
            spec = role_spec(role)
            if variable in spec:
                found.append((role, variable, spec[variable], "direct"))
            for option, option_spec in spec.items():
                expression = values.get(option, option_spec.get("default"))
                if option != variable and mentions(expression, variable):
                    how = "passthrough" if passes_through(expression, variable) else "computed"
                    found.append((role, option, option_spec, how))
    return found


def literal(value):
    return value is not None and not (isinstance(value, str) and "{{" in value)


def problems(question, target):
    """What makes the question's answers unacceptable to the target option (empty: compatible)."""
    role, option, spec, how = target
    if how == "computed":
        return []
    where = f"{role}:{option}"
    found = []
    arg_type = spec.get("type", "str")
    if arg_type not in COMPATIBLE[question["type"]]:
        return [f"{where} is {arg_type}, the survey asks {question['type']}"]
    choices = [str(c) for c in question.get("choices") or []]
    if arg_type == "bool" and not set(c.lower() for c in choices) <= BOOLEAN_STRINGS:
        found.append(f"{where} is bool, the survey offers {choices}")
    if arg_type == "int" and question["type"] == "multiplechoice" and not all(c.lstrip("-").isdigit() for c in choices):
        found.append(f"{where} is int, the survey offers {choices}")
    if spec.get("choices"):
        allowed = {str(c) for c in spec["choices"]}
        if question["type"] not in ("multiplechoice", "multiselect"):
            found.append(f"{where} takes only {sorted(allowed)}, the survey asks free {question['type']}")
        elif not set(choices) <= allowed:
            found.append(f"{where} takes {sorted(allowed)}, the survey offers {choices}")
    if spec.get("required") and not question.get("required"):
        found.append(f"{where} is required, the survey question is optional")
    default = question.get("default")
    role_default = spec.get("default")
    if how == "direct" and literal(role_default) and default not in ("", None):
        if str(default).lower() != str(role_default).lower():
            found.append(f"{where} defaults to {role_default!r}, the survey to {default!r}")
    return found


def question_errors(question):
    errors = [f"{key} missing" for key in ("question_name", "variable", "type", "required") if key not in question]
    if question.get("type") not in SURVEY_TYPES:
        errors.append(f"type {question.get('type')!r} is not an AWX survey type")
    default = question.get("default")
    if question.get("type") in ("integer", "float"):
        if not isinstance(default, (int, float)) or not question["min"] <= default <= question["max"]:
            errors.append(f"default {default!r} is not a number within min {question.get('min')} and max {question.get('max')}")
    if question.get("type") == "multiplechoice":
        if not question.get("choices") or str(default) not in [str(c) for c in question["choices"]]:
            errors.append(f"default {default!r} is not one of the choices {question.get('choices')}")
    if question.get("type") in ("text", "textarea") and default and not question.get("min", 0) <= len(default) <= question.get("max", 1024):
        errors.append("default outside min/max length")
    return errors


TEMPLATES = DEFAULTS["awx_config_job_templates"]
BY_NAME = {t["name"]: t for t in TEMPLATES}
WORKFLOW = DEFAULTS["awx_config_workflow"]


def test_the_four_job_templates_of_issue_13_and_the_workflow():
    assert [t["name"] for t in TEMPLATES] == ["ackops deploy platform", "ackops deploy pipeline", "ackops smoke test",
                                              "ackops cleanup"]
    assert WORKFLOW["nodes"] == ["ackops deploy platform", "ackops deploy pipeline", "ackops smoke test"]
    for template in TEMPLATES:
        assert (REPO / template["playbook"]).is_file(), template["playbook"]
        assert template["playbook"].startswith("playbooks/"), "the collection's playbooks, as a project sync has them"
        assert set(template["credentials"]) <= set(DEFAULTS["awx_config_credentials"]), template["credentials"]
        assert template["survey"], f"{template['name']} has no survey"


def cases():
    for template in TEMPLATES:
        for question in template["survey"]:
            yield pytest.param(question, [template["playbook"]], id=f"{template['name']}:{question['variable']}")
    for question in WORKFLOW["survey"]:
        yield pytest.param(question, [BY_NAME[n]["playbook"] for n in WORKFLOW["nodes"]],
                           id=f"workflow:{question['variable']}")


@pytest.mark.parametrize("question, playbooks", list(cases()))
def test_survey_variable_is_a_role_option_it_can_satisfy(question, playbooks):
    assert not question_errors(question), question_errors(question)
    reached = [t for playbook in playbooks for t in targets(question["variable"], playbook)]
    assert reached, (f"{question['variable']} is no option of a role {playbooks} run, and no option takes its value: "
                     "a survey may only ask what a role's argument spec declares")
    errors = [p for target in reached for p in problems(question, target)]
    assert not errors, errors


def test_survey_variables_are_unique_per_survey():
    for survey in [t["survey"] for t in TEMPLATES] + [WORKFLOW["survey"]]:
        names = [q["variable"] for q in survey]
        assert len(names) == len(set(names)), names


def test_the_checker_catches_what_a_role_would_reject():
    """The rules above, on questions a role would refuse."""
    builder = targets("lambda_image_builder", "playbooks/pipeline.yml")
    assert builder and builder[0][3] == "direct"
    bad_choice = {"question_name": "q", "variable": "lambda_image_builder", "type": "multiplechoice",
                  "choices": ["crane", "kaniko"], "default": "crane", "required": True}
    assert any("kaniko" in p for t in builder for p in problems(bad_choice, t))
    free_text = dict(bad_choice, type="text", choices=None)
    assert any("free text" in p for t in builder for p in problems(free_text, t))
    memory = targets("resources_function_memory_size", "playbooks/pipeline.yml")
    as_text = {"question_name": "q", "variable": "resources_function_memory_size", "type": "text", "default": "256",
               "required": True}
    assert any("is int" in p for t in memory for p in problems(as_text, t))
    other_default = {"question_name": "q", "variable": "resources_function_memory_size", "type": "integer",
                     "default": 512, "min": 128, "max": 10240, "required": True}
    assert any("defaults to 256" in p for t in memory for p in problems(other_default, t))
    assert not targets("site_smoke_test", "playbooks/site.yml"), "a playbook-only variable is no role option"
    assert question_errors({"question_name": "q", "variable": "x", "type": "integer", "default": 0, "min": 1,
                            "max": 2, "required": True})
