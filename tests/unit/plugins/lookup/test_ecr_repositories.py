# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ackops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests for the ackops.serverless.ecr_repositories lookup against moto's in-process mock (no sandbox)."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.errors import AnsibleLookupError
from moto import mock_aws

LOOKUP = "ecr_repositories"  # the lookup fixture (conftest.py) loads ackops.serverless.ecr_repositories


@pytest.fixture
def ecr(aws_env):
    with mock_aws():
        yield boto3.client("ecr", region_name="us-east-1")


def test_repositories_in_the_order_given_and_an_empty_entry_for_a_missing_one(lookup, ecr):
    ecr.create_repository(repositoryName="fn", imageScanningConfiguration={"scanOnPush": True},
                          imageTagMutability="IMMUTABLE")
    ecr.create_repository(repositoryName="team/other")

    other, missing, fn = lookup.run(["team/other", "missing", "fn"], variables={}, region="us-east-1")

    assert missing == {}
    assert fn["repositoryName"] == "fn" and fn["imageTagMutability"] == "IMMUTABLE"
    assert fn["imageScanningConfiguration"] == {"scanOnPush": True}
    assert fn["repositoryUri"].endswith(".dkr.ecr.us-east-1.amazonaws.com/fn")
    assert other["repositoryName"] == "team/other" and other["imageTagMutability"] == "MUTABLE"


def test_same_repository_as_community_aws_ecs_ecr_returns(lookup, ecr, capsys):
    """The role reads repositoryUri and registryId from either, whichever ran: the keys must match."""
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.community.aws.plugins.modules import ecs_ecr

    with patch_module_args({"name": "fn", "scan_on_push": True, "image_tag_mutability": "mutable",
                            "state": "present", "region": "us-east-1"}):
        with pytest.raises(SystemExit):
            ecs_ecr.main()
    module_view = json.loads(capsys.readouterr().out)["repository"]
    (lookup_view,) = lookup.run(["fn"], variables={}, region="us-east-1")
    for key in ("repositoryName", "repositoryUri", "registryId", "repositoryArn", "imageTagMutability",
                "imageScanningConfiguration"):
        assert lookup_view[key] == module_view[key], key


def test_no_name_or_an_empty_one_is_refused(lookup, ecr):
    for terms in ([], ["fn", ""]):
        with pytest.raises(AnsibleLookupError, match="needs repository names"):
            lookup.run(terms, variables={}, region="us-east-1")


def test_an_unreachable_endpoint_names_the_repositories_and_the_permission(unreachable):
    message = unreachable(["fn"])
    assert "could not read the ECR repositories fn" in message and "127.0.0.1:9" in message
    assert "ecr:DescribeRepositories" in message
