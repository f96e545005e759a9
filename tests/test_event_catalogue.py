"""The event catalogue (tapahtumaluettelo): each event's meaning lives on its class.

Adding an event touches its own module, one decide/apply pair, its fold branches and
its docs, nothing else; these tests fail when one of those is forgotten.
"""

from __future__ import annotations

from typing import Any

import pytest

from perhetyo import commands
from perhetyo.aggregates.case import FamilyCase
from perhetyo.events import EVENT_CLASSES, CaseEvent, CaseOpened
from perhetyo.projections import current_plan

_EVENTS = list(EVENT_CLASSES.values())


@pytest.mark.parametrize("event_class", _EVENTS, ids=lambda cls: cls.__name__)
def test_every_event_describes_itself_and_names_its_date(event_class: type[CaseEvent]) -> None:
    assert event_class.describe is not CaseEvent.describe
    assert event_class.DATE_FIELD in event_class.model_fields


@pytest.mark.parametrize("event_class", _EVENTS, ids=lambda cls: cls.__name__)
def test_every_event_has_an_apply_handler_in_the_aggregate(event_class: type[CaseEvent]) -> None:
    assert FamilyCase.applier(event_class) is not None


@pytest.mark.parametrize(
    "event_class", [cls for cls in _EVENTS if cls is not CaseOpened], ids=lambda c: c.__name__
)
def test_every_event_has_a_branch_in_the_current_plan_fold(event_class: type[CaseEvent]) -> None:
    dispatch = current_plan._changes.dispatch
    assert dispatch(event_class) is not dispatch(CaseEvent)


def _case_command_classes() -> list[type[Any]]:
    return [
        value
        for value in vars(commands).values()
        if isinstance(value, type)
        and issubclass(value, commands.CaseCommand)
        and value.__module__.startswith(f"{commands.__name__}.")
        and value is not commands.CaseCommand
        and "[" not in value.__name__
    ]


@pytest.mark.parametrize("command_class", _case_command_classes(), ids=lambda c: c.__name__)
def test_every_case_command_has_a_decide_method(command_class: type[Any]) -> None:
    assert FamilyCase.decider(command_class) is not None
