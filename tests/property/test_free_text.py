"""Free text a command accepts can be stored by every store and every stored projection.

PostgreSQL refuses the NUL character in ``text`` and ``jsonb`` values, so a command that
accepts it records an event that the stored projections can never write: the runner
fails on it, and on every event after it, for good. The shape check must refuse it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perhetyo import InvalidCommandError, MeetingKind
from perhetyo import commands as c
from perhetyo.testing import a_worker, an_actor, texts

ON = date(2020, 9, 1)

# One free-text field of each kind (ShortText, Text, LongText, list items, map values).
COMMANDS: dict[str, Callable[[str], Any]] = {
    "a child's name": lambda text: c.OpenCase(
        children=[{"id": "child-1", "display_name": text}],  # validated by the command
        legal_basis="social_welfare_act",
        named_worker=a_worker(),
        opened_on=ON,
        actor=an_actor(),
    ),
    "a goal's description": lambda text: c.SetGoal(
        case_id=uuid4(), description=text, set_on=ON, actor=an_actor()
    ),
    "a meeting's summary": lambda text: c.RecordMeeting(
        case_id=uuid4(), kind=MeetingKind.NETWORK, held_on=ON, summary=text, actor=an_actor()
    ),
    "a meeting's participant": lambda text: c.RecordMeeting(
        case_id=uuid4(),
        kind=MeetingKind.NETWORK,
        held_on=ON,
        participants=[text],
        summary="Palaveri",
        actor=an_actor(),
    ),
    "an agreement": lambda text: c.AgreePlan(
        case_id=uuid4(), agreed_on=ON, agreements=[text], actor=an_actor()
    ),
    "a child's view on closing": lambda text: c.CloseCase(
        case_id=uuid4(),
        closed_on=ON,
        reason="no_longer_needed",
        child_views={"child-1": text},
        actor=an_actor(),
    ),
}


@given(
    field=st.sampled_from(sorted(COMMANDS)),
    before=texts(20),
    after=texts(20),
)
def test_free_text_with_a_nul_character_is_refused_by_the_shape(
    field: str, before: str, after: str
) -> None:
    with pytest.raises(InvalidCommandError):
        COMMANDS[field](f"{before}\x00{after}")


@given(field=st.sampled_from(sorted(COMMANDS)), text=texts(200))
def test_the_same_commands_keep_ordinary_text(field: str, text: str) -> None:
    assert text in strings(COMMANDS[field](text).model_dump())


def strings(value: object) -> list[str]:
    """Every string in a dumped model, at any depth (keys too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*strings(key), *strings(item))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return []
