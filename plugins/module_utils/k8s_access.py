# -*- coding: utf-8 -*-

# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""RBAC rules as the access checks they stand for, how to name a missing permission, and the review.

Shared by the ackops.serverless.k8s_access_info module and the ackops.serverless.k8s_access lookup: a
PolicyRule (apiGroups x resources x verbs x resourceNames) becomes one SelfSubjectAccessReview per
combination, in a stable order; review_access asks the API server those reviews.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures

# Access reviews in flight at once (each is a small request the API server answers from its authorizer).
REVIEWS_AT_ONCE = 8
CREDENTIALS_ADVICE = "(K8S_AUTH_HOST/K8S_AUTH_API_KEY, KUBECONFIG or the auth options)"


class AccessReviewError(Exception):
    """The API server could not be asked, or refused a review: the message says which and what to check."""


def _rule_list(rule, *keys):
    """The first of keys (snake_case or RBAC camelCase) the rule has, as a list."""
    for key in keys:
        value = rule.get(key)
        if value is not None:
            return [value] if isinstance(value, str) else list(value)
    return []


def expand_rules(rules, namespace=None):
    """One check (dict of SelfSubjectAccessReview resourceAttributes) per group, resource, verb and name.

    `resources` entries may name a subresource (`queues/status`); a rule without resource names
    checks the verb on every object. A rule's own `namespace` replaces the given one. Duplicates are
    dropped, order is kept.
    """
    checks = []
    seen = set()
    for rule in rules:
        groups = _rule_list(rule, "api_groups", "apiGroups") or [""]
        resources = _rule_list(rule, "resources")
        verbs = _rule_list(rule, "verbs")
        names = _rule_list(rule, "resource_names", "resourceNames") or [None]
        if not resources or not verbs:
            raise ValueError("each rule needs resources and verbs, got {0!r}".format(rule))
        for group in groups:
            for resource in resources:
                resource_name, _sep, subresource = resource.partition("/")
                for verb in verbs:
                    for name in names:
                        check = {"verb": verb, "group": group, "resource": resource_name}
                        if subresource:
                            check["subresource"] = subresource
                        if name:
                            check["name"] = name
                        if rule.get("namespace") or namespace:
                            check["namespace"] = rule.get("namespace") or namespace
                        key = tuple(sorted(check.items()))
                        if key not in seen:
                            seen.add(key)
                            checks.append(check)
    return checks


def _target(check):
    """What a check is about, without its verb: 'queues.sqs.services.k8s.aws in namespace default'."""
    resource = check["resource"] + ("." + check["group"] if check.get("group") else "")
    if check.get("subresource"):
        resource += "/" + check["subresource"]
    if check.get("name"):
        resource += " " + check["name"]
    scope = "in namespace {0}".format(check["namespace"]) if check.get("namespace") else "(cluster-wide)"
    return "{0} {1}".format(resource, scope)


def describe(check):
    """`kubectl auth can-i` style: 'create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)'."""
    return "{0} {1}".format(check["verb"], _target(check))


def summarize(checks):
    """The verbs of each target, in first-seen order: 'namespaces (cluster-wide): get, create'."""
    verbs = {}
    for check in checks:
        verbs.setdefault(_target(check), []).append(check["verb"])
    return ["{0}: {1}".format(target, ", ".join(names)) for target, names in verbs.items()]


def review_body(check):
    return {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": dict(check)},
    }


def api_error(exc):
    status = getattr(exc, "status", None)
    reason = getattr(exc, "reason", None) or str(exc)
    return "{0} {1}".format(status, reason).strip() if status else reason


def unreachable(exc):
    return ("Cannot reach the Kubernetes API server to review access: {0}. Check its address and the credentials "
            "(K8S_AUTH_HOST, K8S_AUTH_API_KEY, K8S_AUTH_SSL_CA_CERT, KUBECONFIG or the auth options).".format(
                api_error(exc)))


def who_am_i(client):
    """The user the credentials authenticate as, or {} when the server cannot say."""
    try:
        resource = client.resource("SelfSubjectReview", "authentication.k8s.io/v1")
        review = resource.create(body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    except Exception:  # older servers: the access checks still work
        return {}
    info = (review.to_dict().get("status") or {}).get("userInfo") or {}
    return {"username": info.get("username", ""), "groups": info.get("groups") or []}


def review_access(client, rules, namespace=None):
    """Ask the API server (a kubernetes.core K8SClient) whether the credentials hold every check of the rules.

    Returns user, checked, allowed, denied and denied_summary; raises AccessReviewError when the server
    cannot be asked or refuses a review, and ValueError for a rule without resources or verbs.
    """
    checks = expand_rules(rules, namespace)
    try:
        resource = client.resource("SelfSubjectAccessReview", "authorization.k8s.io/v1")
    except Exception as exc:  # discovery: refused credentials, a server without the API
        raise AccessReviewError(unreachable(exc))

    def ask(check):
        try:
            return resource.create(body=review_body(check)).to_dict(), None
        except Exception as exc:
            return None, exc

    # The reviews are independent requests: a few at a time, answers kept in the order of the checks.
    with concurrent.futures.ThreadPoolExecutor(max_workers=REVIEWS_AT_ONCE) as pool:
        answers = list(pool.map(ask, checks))
    allowed, denied = [], []
    for check, (review, error) in zip(checks, answers):
        if error is not None and getattr(error, "status", None) is None:  # no answer: connection refused, TLS
            raise AccessReviewError(unreachable(error))
        if error is not None:
            raise AccessReviewError(
                "The Kubernetes API server refused the access review for '{0}': {1}. Check the credentials "
                "{2}.".format(describe(check), api_error(error), CREDENTIALS_ADVICE))
        status = review.get("status") or {}
        if status.get("allowed"):
            allowed.append(describe(check))
        else:
            entry = dict(check, permission=describe(check))
            if status.get("reason"):
                entry["reason"] = status["reason"]
            denied.append(entry)
    return dict(user=who_am_i(client), checked=len(checks), allowed=allowed, denied=denied,
                denied_summary=summarize(denied))
