"""The shared vocabularies are declared once (aiinfra_cli.vocabulary) and every map keyed by one
covers it: a value added to a vocabulary fails here until each label or style map has it."""

from __future__ import annotations

from typing import get_args

from aiinfra_cli import config, providers, vocabulary
from aiinfra_cli.commands.init import _LABELS, _WHY
from aiinfra_cli.health._dashboard import _STYLE
from aiinfra_cli.report._document import BudgetStatus
from aiinfra_cli.report._terminal import _STATUS_STYLE
from aiinfra_cli.scaffold._plan import WRITES


def test_the_packages_re_export_the_one_definition() -> None:
    assert config.ERROR_CLASSES is vocabulary.ERROR_CLASSES
    assert config.PROVIDER_KINDS is vocabulary.PROVIDER_KINDS
    assert config.TIERS is vocabulary.TIERS
    assert providers.HEALTH_ERROR_CLASSES is vocabulary.HEALTH_ERROR_CLASSES
    assert providers.STATUSES is vocabulary.HEALTH_STATUSES


def test_a_probe_meets_every_error_class_but_those_of_a_callers_own_request() -> None:
    request_only = get_args(vocabulary.RequestErrorClass)
    assert (*vocabulary.HEALTH_ERROR_CLASSES, *request_only) == vocabulary.ERROR_CLASSES
    assert len(set(vocabulary.ERROR_CLASSES)) == len(vocabulary.ERROR_CLASSES)


def test_label_and_style_maps_cover_their_vocabulary() -> None:
    assert set(_LABELS) == set(vocabulary.PLAN_ACTIONS) - {"unchanged"}
    assert set(_WHY) <= set(vocabulary.PLAN_ACTIONS)
    assert set(_STYLE) == set(vocabulary.HEALTH_STATUSES)
    assert set(_STATUS_STYLE) == set(get_args(BudgetStatus))
    assert set(WRITES) == set(vocabulary.WRITING_ACTIONS)
