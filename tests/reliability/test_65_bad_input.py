# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Case 6, bad input: every bad value is rejected before anything changes, with a message naming the
variable, the bad value and what is allowed.

The bad values are derived from the roles' meta/argument_specs.yml, so a new variable is covered the day
it is added: an unknown choice for every option with choices, a wrong type for every int, bool, list and
dict option (and for the int and bool keys of dict options; an unknown key for lists of dicts). String
options take any value in Ansible (a dict given for a str becomes its text), so for them, and for numbers
out of range, RULES lists what AWS or Kubernetes would refuse (names, ranges, formats); every string
option is either in RULES or in FREE_TEXT, which says why no value of it can be refused up front.

A value Ansible's argument-spec validation refuses (a wrong type, an unknown choice or key) is given in one
run with the other such values of its role, one value per variable: Ansible names every refused argument
in that run (its argument_errors), and each value must be named, with what is allowed, in an entry of its
own. That is what a user with several mistakes sees (110 such values take 18 runs). A value one of the
roles' own checks refuses (RULES) is given the same way, with the other values of its role that the role's
combined check names ('<variable> is <value>: allowed is <what>.' for each), and its part of that message must
say it all; a value the run did not name completely (another of the role's checks stopped the run first) is
given again alone. A RULES value another check refuses, and one that stops Ansible's validator itself
(ANSIBLE_CORE_GAP), runs alone: 192 values take 44 runs.

Each run uses the role's own playbook in playbooks/ (the role is that playbook's first; pipeline.yml
checks the inputs of lambda_image and resources before anything else: a bad value for the resources must
stop it before the job's permissions are checked or an image is built, which is asserted here; lambda_image
is given the deployed image all the same, so it would build nothing). Before and after all the runs, the resourceVersion of every custom resource of the
pipeline, the controllers' ServiceAccounts and Helm revisions, and the names of the account's AWS
resources are read: none may move. Also: an EKS inventory without the cluster name (site.yml), and a chart
version that does not exist (Helm's own error surfaces)."""

import concurrent.futures
import json
import re
import shutil

import pytest
import yaml
from rel_helpers import FUNCTION, REPO, record, run_playbook

PLAYBOOK_OF = {"preflight": "playbooks/preflight.yml", "irsa": "playbooks/irsa.yml",
               "controllers": "playbooks/controllers.yml", "lambda_image": "playbooks/pipeline.yml",
               "resources": "playbooks/pipeline.yml", "smoke_test": "playbooks/smoke_test.yml",
               "cluster": "playbooks/cluster.yml", "rbac": "playbooks/rbac.yml",
               "awx_config": "playbooks/awx_config.yml"}
# The first play of pipeline.yml that contacts anything.
PIPELINE_FIRST_CONTACT = "PLAY [Check the Kubernetes permissions of the pipeline job]"
# type -> (a value of another type, how Ansible's message shows it, the type it asks for)
WRONG_TYPE = {"int": ("ten", "ten", "int"), "bool": ("maybe", "maybe", "bool"),
              "list": ({"not": "a list"}, "of type dict", "list"), "dict": ("not-a-dict", "of type str", "dict")}
# ansible-core 2.19's validator iterates a dict option's sub-options before it checks the type, so a value
# that is neither a dict nor a string stops the run with "argument of type 'int' is not iterable",
# naming no variable: still rejected before any change, reported apart (message_by_ansible_core_only).
ANSIBLE_CORE_GAP = 42

# (role, variable, bad value, what the message must say is allowed): what AWS or Kubernetes refuses.
RULES = [
    ("resources", "resources_queue_name", "orders queue!", "1-80"),
    ("resources", "resources_queue_name", "q" * 81, "1-80"),
    ("resources", "resources_queue_name", "Orders", "Kubernetes name"),
    ("resources", "resources_dlq_name", "dlq#1", "1-80"),
    ("resources", "resources_table_name", "ab", "3-255"),
    ("resources", "resources_function_name", "f" * 65, "1-64"),
    ("resources", "resources_function_role_name", "role with spaces", "1-64"),
    ("resources", "resources_esm_name", "Mapping_1", "Kubernetes name"),
    ("resources", "resources_namespace", "Default", "namespace name"),
    ("resources", "resources_region", "us_east_1", "us-east-1"),
    ("resources", "resources_endpoint_url", "127.0.0.1:1", "http"),
    ("resources", "resources_table_hash_key", "", "1-255"),
    ("resources", "resources_function_image_uri", "demo-function", "sha256"),
    ("resources", "resources_function_description", "d" * 257, "256"),
    ("resources", "resources_function_timeout", 0, "1-900"),
    ("resources", "resources_function_timeout", 901, "1-900"),
    ("resources", "resources_function_memory_size", 64, "128-10240"),
    ("resources", "resources_queue_visibility_timeout", 43201, "0-43200"),
    ("resources", "resources_queue_message_retention", 59, "60-1209600"),
    ("resources", "resources_dlq_message_retention", 1209601, "60-1209600"),
    ("resources", "resources_dlq_max_receive_count", 0, "1-1000"),
    ("resources", "resources_esm_batch_size", 10001, "1-10000"),
    ("resources", "resources_esm_maximum_batching_window", 301, "0-300"),
    ("resources", "resources_wait_timeout", 0, "1 second or more"),
    ("resources", "resources_recoverable_timeout", -1, "or more seconds"),
    ("controllers", "controllers_namespace", "ACK_System", "namespace name"),
    ("controllers", "controllers_region", "us_east_1", "us-east-1"),
    ("controllers", "controllers_endpoint_url", "127.0.0.1:1", "http"),
    ("controllers", "controllers_chart_registry", "public.ecr.aws/aws-controllers-k8s", "oci://"),
    ("controllers", "controllers_wait_timeout", 0, "1 second or more"),
    ("controllers", "controllers_charts", [], "non-empty list"),
    ("irsa", "irsa_namespace", "ack system", "namespace name"),
    ("irsa", "irsa_cluster_name", "my cluster", "1-100"),
    ("irsa", "irsa_role_name_prefix", "p" * 60, "1-64"),
    ("irsa", "irsa_role_path", "ack", "starts and ends with '/'"),
    ("irsa", "irsa_region", "us_east_1", "us-east-1"),
    ("irsa", "irsa_endpoint_url", "127.0.0.1:1", "http"),
    ("irsa", "irsa_verify_timeout", 0, "1 second or more"),
    ("irsa", "irsa_controllers", [], "non-empty irsa_controllers"),
    ("lambda_image", "lambda_image_repository", "Demo_Function", "ECR repository name"),
    ("lambda_image", "lambda_image_workdir", "var/task", "absolute path"),
    ("lambda_image", "lambda_image_code_files", [], "at least one file"),
    ("lambda_image", "lambda_image_region", "us_east_1", "us-east-1"),
    ("lambda_image", "lambda_image_endpoint_url", "127.0.0.1:1", "http"),
    ("smoke_test", "smoke_test_queue_name", "bad queue", "1-80"),
    ("smoke_test", "smoke_test_table_name", "t", "3-255"),
    ("smoke_test", "smoke_test_hash_key", "", "1-255"),
    ("smoke_test", "smoke_test_messages", [{"name": "no address"}], "hash key field"),
    ("smoke_test", "smoke_test_marker_attribute", "AWS.run", "not starting with AWS."),
    ("smoke_test", "smoke_test_region", "us_east_1", "us-east-1"),
    ("smoke_test", "smoke_test_endpoint_url", "127.0.0.1:1", "http"),
    ("smoke_test", "smoke_test_wait_timeout", -1, "0 (automatic) or more"),
    ("smoke_test", "smoke_test_wait_margin", -1, "0 or more"),
    ("smoke_test", "smoke_test_wait_max", 0, "1 second or more"),
    ("smoke_test", "smoke_test_first_look", -1, "0 or more"),
    ("smoke_test", "smoke_test_dlq_sample", 101, "0-100"),
    ("preflight", "preflight_region", "us_east_1", "us-east-1"),
    ("preflight", "preflight_endpoint_url", "127.0.0.1:1", "http"),
    ("cluster", "cluster_name", "-bad", "1-100"),
    ("cluster", "cluster_nodegroup_name", "n" * 64, "63"),
    ("cluster", "cluster_fargate_profile_name", "bad profile", "1-100"),
    ("cluster", "cluster_role_name", "r" * 65, "64"),
    ("cluster", "cluster_node_role_name", "node role", "64"),
    ("cluster", "cluster_fargate_role_name", "fargate/role", "64"),
    ("cluster", "cluster_nodegroup_scaling", {"min_size": 3, "desired_size": 1, "max_size": 2}, "min <= desired <= max"),
    ("cluster", "cluster_fargate_selectors", [], "selectors"),
    ("cluster", "cluster_wait_timeout", 0, "1 second or more"),
    ("cluster", "cluster_nodegroup_disk_size", 0, "1-16384"),
    ("cluster", "cluster_version", "v1.34", "1.34"),
    ("cluster", "cluster_region", "us_east_1", "us-east-1"),
    ("cluster", "cluster_endpoint_url", "127.0.0.1:1", "http"),
    ("rbac", "rbac_namespace", "Ackops", "namespace name"),
    ("rbac", "rbac_controllers_namespace", "ack_system", "namespace name"),
    ("rbac", "rbac_pipeline_namespace", "-default", "namespace name"),
    ("rbac", "rbac_name_prefix", "Ackops_", "Kubernetes name"),
    ("rbac", "rbac_token_timeout", 0, "1 second or more"),
]

# String options no value of which can be refused before AWS or the registry is asked (free text, or a
# reference only the service can check). They still get a wrong type where their type allows one.
FREE_TEXT = {
    "controllers_helm_binary": "a path; preflight checks helm is on PATH",
    "lambda_image_uri": "any image reference; Lambda checks it exists",
    "lambda_image_registry": "any registry host",
    "lambda_image_crane_path": "a path or a name on PATH",
    "lambda_image_source_dir": "a directory; the role fails naming a missing code file",
    "lambda_image_base_image": "any image reference, or empty",
    "cluster_vpc_id": "checked by EC2 (DescribeVpcs) before anything is created",
    "cluster_role_path": "an IAM path; IAM checks it",
    "cluster_ca_cert_path": "a path the role writes",
    "rbac_token_dir": "a directory the role writes the tokens to, or empty",
    "awx_config_organization": "an AWX object name: free text",
    "awx_config_execution_environment_name": "an AWX object name: free text",
    "awx_config_execution_environment_image": "any image reference; AWX pulls it",
    "awx_config_project_name": "an AWX object name: free text",
    "awx_config_project_scm_url": "any URL git accepts; AWX checks it at project sync",
    "awx_config_project_scm_branch": "any git ref",
    "awx_config_project_scm_credential": "the name of an AWX credential; AWX checks it exists",
    "awx_config_inventory_name": "an AWX object name: free text",
}


def _options(role):
    spec = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    return spec["argument_specs"]["main"]["options"]


def derived_cases():
    """(role, variable, value, [what the message must contain]) from the argument specs."""
    cases = []
    for role in PLAYBOOK_OF:
        for name, option in _options(role).items():
            kind = option.get("type", "str")
            if option.get("choices"):
                cases.append((role, name, "no-such-choice", ["no-such-choice"] + [str(c) for c in option["choices"]]))
            if kind in WRONG_TYPE:
                value, shown, allowed = WRONG_TYPE[kind]
                cases.append((role, name, value, [shown, allowed]))
            if kind == "dict" and option.get("options"):
                cases.append((role, name, ANSIBLE_CORE_GAP, None))  # rejected; Ansible's message names nothing
            for sub, sub_option in (option.get("options") or {}).items():
                sub_kind = sub_option.get("type", "str")
                if kind == "dict" and sub_kind in ("int", "bool"):
                    value, shown, allowed = WRONG_TYPE[sub_kind]
                    cases.append((role, name, {sub: value}, [shown, sub, allowed]))
            if kind == "list" and option.get("options"):
                entry = {k: "x" for k, o in option["options"].items() if o.get("required")}
                entry["no_such_key"] = "x"
                cases.append((role, name, [entry], ["no_such_key", "Supported parameters include"]))
    return cases


def all_cases():
    cases = [(role, name, value, [value if isinstance(value, str) else json.dumps(value), allowed])
             for role, name, value, allowed in RULES]
    for role, name, value, allowed in RULES:
        if value == "":
            cases.remove((role, name, value, ["", allowed]))
            cases.append((role, name, value, ['is "":', allowed]))
    cases += [(role, name, value, wanted) for role, name, value, wanted in derived_cases()]
    return cases


def test_every_string_option_is_covered_or_free_text():
    """A new string option must get a rule (what AWS refuses) or an entry in FREE_TEXT saying why none."""
    ruled = {name for _, name, _, _ in RULES}
    missing = []
    for role in PLAYBOOK_OF:
        for name, option in _options(role).items():
            if option.get("type", "str") in ("str", "path") and not option.get("choices") \
                    and name not in ruled and name not in FREE_TEXT:
                missing.append(name)
    # Operations and sandbox switches have choices or are bool; connection options are in RULES.
    assert missing == [], f"string options with no bad value and no reason in FREE_TEXT: {missing}"


def _aws_names(aws):
    """Names of the account's resources the roles create (what a wrongly accepted value could add)."""
    names = {
        "queues": sorted(aws["sqs"].list_queues().get("QueueUrls", [])),
        "tables": sorted(aws["dynamodb"].list_tables()["TableNames"]),
        "functions": sorted(f["FunctionName"] for f in aws["lambda"].list_functions()["Functions"]),
        "roles": sorted(r["RoleName"] for r in aws["iam"].list_roles()["Roles"]),
        "repositories": sorted(r["repositoryName"] for r in aws["ecr"].describe_repositories()["repositories"]),
        "mappings": sorted(m["UUID"] for m in aws["lambda"].list_event_source_mappings()["EventSourceMappings"]),
    }
    import boto3  # the EKS client is not among the shared ones

    eks = boto3.client("eks", endpoint_url=aws["sqs"].meta.endpoint_url, region_name="us-east-1")
    names["clusters"] = sorted(eks.list_clusters()["clusters"])
    return names


def combined_check_names():
    """The variables the roles check in one assert that names every bad value at once (the `<role>__*_checks`
    lists of their vars/main.yml: '<variable> is <value>: allowed is <what>.' for each)."""
    names = set()
    for role in PLAYBOOK_OF:
        role_vars = yaml.safe_load((REPO / "roles" / role / "vars" / "main.yml").read_text(encoding="utf-8"))
        for key, checks in role_vars.items():
            if key.startswith(role + "__") and key.endswith("_checks"):
                names.update(check["name"] for check in checks)
    return names


def _key(case):
    """A case (or a RULES entry) as (role, variable, value as JSON)."""
    return case[0], case[1], json.dumps(case[2])


def planned_runs(cases, ruled, combined):
    """The runs: an ANSIBLE_CORE_GAP case alone, and a RULES case alone unless its variable is in a combined
    check; the other cases of a role together, one per variable in each run (a variable with a wrong type and
    an unknown choice gets two runs). Values the argument specs refuse and values the roles' combined checks
    refuse never share a run: the first stop the run before the second are checked."""
    runs, rounds = [], {}
    for case in cases:
        role, name, _value, wanted = case
        rule = _key(case) in ruled
        if wanted is None or (rule and name not in combined):
            runs.append([case])
            continue
        role_rounds = rounds.setdefault((role, rule), [])
        free = next((r for r in role_rounds if name not in {c[1] for c in r}), None)
        if free is None:
            free = []
            role_rounds.append(free)
        free.append(case)
    return runs + [r for role_rounds in rounds.values() for r in role_rounds]


def _run_cases(cases, image_uri, workdir):
    role = cases[0][0]
    extra = {name: value for _, name, value, _ in cases}
    if role == "resources":
        extra["lambda_image_uri"] = image_uri  # lambda_image (first in pipeline.yml) then builds nothing
    vars_file = workdir / f"{role}-{abs(hash(json.dumps(extra, sort_keys=True)))}.json"
    vars_file.write_text(json.dumps(extra), encoding="utf-8")
    run = run_playbook(PLAYBOOK_OF[role], "-e", f"@{vars_file}", quiet=True)
    return cases, run


def argument_errors(output):
    """The argument_errors of the failed validate_argument_spec task of a run's output."""
    for line in output.splitlines():
        if line.startswith("fatal: ") and " => {" in line:
            result = json.loads(line.split(" => ", 1)[1])
            if "argument_errors" in result:
                return result["argument_errors"]
    return []


def refused_parts(output, names):
    """variable -> the part of a failed task's message that begins with '<variable> is ' (how the roles' own
    checks name a bad value), up to where the next of `names` begins."""
    pattern = re.compile(r"\b(%s) is " % "|".join(map(re.escape, names)))
    parts = {}
    for line in output.splitlines():
        if not line.startswith(("fatal: ", "failed: ")) or " => {" not in line:
            continue
        try:
            message = json.loads(line.split(" => ", 1)[1]).get("msg")
        except ValueError:
            continue
        starts = list(pattern.finditer(message)) if isinstance(message, str) else []
        for i, found in enumerate(starts):
            parts.setdefault(found.group(1), message[found.start():starts[i + 1].start() if i + 1 < len(starts) else None])
    return parts


def _check(case, run, together, rule=False):
    """together: the other variables given in the same run. Then what names this one is only what is said about
    it: for a value the argument specs refuse, the entries of the run's argument_errors that name it; for a
    value a role's own check refuses (rule), the part of the message that begins with '<variable> is '."""
    role, name, value, wanted = case
    text = run.output
    if together and rule:
        text = refused_parts(run.output, [name] + together).get(name, "")
    elif together:
        text = "\n".join(e for e in argument_errors(run.output) if re.search(rf"\b{re.escape(name)}\b", e))
    if wanted is None:  # ANSIBLE_CORE_GAP: only the rejection is the collection's to assert
        wanted = [None]
    return {
        "role": role, "variable": name, "value": json.dumps(value)[:80], "rc": run.rc, "seconds": run.seconds,
        "run_with": len(together),
        "message": run.failure()[:400],
        "rejected": run.rc != 0 and run.recap is not None and run.recap["changed"] == 0,
        "message_by_ansible_core_only": wanted == [None],
        "names_variable": name in text, "names_value": wanted == [None] or str(wanted[0]) in text,
        "names_allowed": all(str(w) in text for w in wanted[1:]),
        # pipeline.yml: refused in its first play, before the permissions check, the ECR login or a build.
        "refused_before_contact": PLAYBOOK_OF[role] != "playbooks/pipeline.yml" or PIPELINE_FIRST_CONTACT not in run.output,
    }


def _complete(outcome):
    return outcome["names_variable"] and outcome["names_value"] and outcome["names_allowed"]


@pytest.fixture
def snapshot(kube, aws):
    return lambda: {"kubernetes": kube.state(), "aws": _aws_names(aws)}


def test_bad_inputs_rejected_before_any_change(converged, kube, aws, snapshot, tmp_path):
    image_uri = kube.get("Function", FUNCTION)["spec"]["code"]["imageURI"]
    before = snapshot()
    cases = all_cases()
    ruled = {_key(rule) for rule in RULES}
    runs = planned_runs(cases, ruled, combined_check_names())
    assert sorted(map(repr, cases)) == sorted(repr(c) for r in runs for c in r)  # every case, once
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda r: _run_cases(r, image_uri, tmp_path), runs))
        judged = [(case, _check(case, run, [c[1] for c in together if c is not case], _key(case) in ruled))
                  for together, run in done for case in together]
        # A value of a combined check that its run did not name completely (another check of the role stopped
        # the run first) is given again alone, and judged by that run.
        again = [[case] for case, outcome in judged if outcome["run_with"] and _key(case) in ruled and not _complete(outcome)]
        redone = list(pool.map(lambda r: _run_cases(r, image_uri, tmp_path), again))
    retried = {id(together[0]): dict(_check(together[0], run, []), alone_after_a_run_with_others=True)
               for together, run in redone}
    outcomes = [retried.get(id(case), outcome) for case, outcome in judged]
    done += redone
    after = snapshot()
    moved = {k: (before["kubernetes"].get(k), v) for k, v in after["kubernetes"].items() if before["kubernetes"].get(k) != v}
    aws_moved = {k: v for k, v in after["aws"].items() if before["aws"][k] != v}
    complete = [o for o in outcomes if _complete(o)]
    bad = [o for o in outcomes if not o["rejected"] or not o["refused_before_contact"]
           or (o not in complete and not o["message_by_ansible_core_only"])]
    variables = {(o["role"], o["variable"]) for o in outcomes}
    every = {(role, name) for role in PLAYBOOK_OF for name in _options(role)}
    record("bad_input", "values", {
        "cases": len(outcomes), "runs": len(done), "runs_again_alone": len(again), "rejected_before_any_change": sum(1 for o in outcomes if o["rejected"]) if not (moved or aws_moved) else 0,
        "message_complete": len(complete),
        "message_by_ansible_core_only": sorted(o["variable"] for o in outcomes if o not in complete),
        "variables_covered": len(variables), "variables_in_specs": len(every),
        "variables_without_bad_value": sorted(n for _, n in every - variables),
        "seconds_per_run": round(sum(run.seconds for _, run in done) / max(len(done), 1), 1),
        "resource_versions_moved": moved, "aws_changed": aws_moved, "failures": bad})
    record("bad_input", "outcomes", outcomes)
    assert not moved and not aws_moved, f"a rejected run changed something: {moved} {aws_moved}"
    assert bad == [], json.dumps(bad, indent=1)[:6000]
    assert variables >= {v for v in every if v[1] not in FREE_TEXT}, sorted(every - variables)


def test_eks_inventory_without_cluster_name(converged, snapshot, tmp_path):
    inventory = tmp_path / "eks-without-cluster-name"
    shutil.copytree(REPO / "inventories" / "eks", inventory)
    group_vars = inventory / "group_vars" / "all.yml"
    lines = group_vars.read_text(encoding="utf-8").splitlines(keepends=True)
    group_vars.write_text("".join(line for line in lines if not line.startswith("ackops_eks_cluster_name:")),
                          encoding="utf-8")
    before = snapshot()
    # The sandbox's .sandbox/env (KUBECONFIG, AWS_ENDPOINT_URL) lets the pre-flight checks pass, as a real
    # cluster and account would: the run gets as far as the first use of the missing variable.
    run = run_playbook("site.yml", "-i", str(inventory))
    after = snapshot()
    assert run.rc != 0, run.tail()
    message = run.failure()
    assert "ackops_eks_cluster_name is not set in the inventory" in message and "1-100" in message, message
    assert after == before
    assert run.recap["changed"] == 0, run.tail()
    record("bad_input", "eks_inventory_without_cluster_name", {
        "rc": run.rc, "message": message[:400], "rejected_before_any_change": True, "seconds": run.seconds})


def test_chart_version_that_does_not_exist(converged, snapshot):
    defaults = yaml.safe_load((REPO / "roles" / "controllers" / "defaults" / "main.yml").read_text(encoding="utf-8"))
    charts = defaults["controllers_charts"]
    charts[0] = dict(charts[0], version="99.99.99")
    before = snapshot()
    run = run_playbook("playbooks/controllers.yml", "-e", json.dumps({"controllers_charts": charts}))
    after = snapshot()
    assert run.rc != 0, run.tail()
    # Helm's own words (its stderr, in the failed loop item's result): the registry has no such tag.
    helm = [line for line in run.output.splitlines() if line.startswith("failed:") and "Helm" in line]
    assert helm, run.tail()
    message = json.loads(helm[0].split(" => ", 1)[1])["stderr"].strip()
    assert "99.99.99" in message and "not found" in message, message
    assert after == before, "a failed chart upgrade moved something"
    record("bad_input", "chart_version_that_does_not_exist", {
        "chart": f"{charts[0]['service']}-chart 99.99.99", "rc": run.rc, "helm_error": message[:400],
        "rejected_before_any_change": True, "seconds": run.seconds})
