"""Tables of the statutory steps (lakisääteisten vaiheiden taulut): decisions, each child's
membership, the client plan's content and cancelled meetings.

Four tables beside the case row, all part of the ``CurrentPlan`` projection, ``case_id``
on every row and first in every primary key:

- ``perhetyo_decisions``: one row per service decision (palvelupäätös);
- ``perhetyo_child_memberships``: one row per child's period in the case (joined, left,
  the child's view of leaving, the child's own named worker), in order of joining;
- ``perhetyo_plan_contents``: the latest client plan's content (Kanta's LPS), one row per
  case whose latest plan has any content;
- ``perhetyo_cancelled_meetings``: one row per cancelled meeting.

Columns of personal data or free text carry ``info={"personal": True}`` (conventions
section 1) and are nullable, so that a writer may leave them empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["STATUTORY_INDEXES", "STATUTORY_TABLE_NAMES", "statutory_tables"]

STATUTORY_TABLE_NAMES: Final = (
    "perhetyo_decisions",
    "perhetyo_child_memberships",
    "perhetyo_plan_contents",
    "perhetyo_cancelled_meetings",
)

STATUTORY_INDEXES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "perhetyo_decisions": (("kind", "outcome"), ("decided_on",)),
    "perhetyo_child_memberships": (("child_id",), ("joined_on",), ("worker_id",)),
    "perhetyo_plan_contents": (),
    "perhetyo_cancelled_meetings": (("planned_on",),),
}
"""Reporting indexes: decisions by kind and outcome, memberships by child and worker."""

_JSON = JSON().with_variant(JSONB(), "postgresql")
_ID = String(36)
_ENUM = String(40)
_PERSONAL: Final = {"personal": True}


def statutory_tables(metadata: MetaData, name: Callable[[str], str]) -> tuple[Table, ...]:
    """Define the four tables in ``metadata``, named by ``name(base name)``."""

    def personal(column_name: str, kind: Any) -> Column[Any]:
        return Column(column_name, kind, info=_PERSONAL)

    decisions = Table(
        name("perhetyo_decisions"),
        metadata,
        Column("case_id", _ID, primary_key=True),
        Column("decision_id", _ID, primary_key=True),
        Column("position", Integer, nullable=False),
        Column("kind", _ENUM, nullable=False),
        Column("outcome", _ENUM, nullable=False),
        Column("decided_on", Date, nullable=False),
        Column("legal_sections", _JSON, nullable=False),
        personal("reasoning", Text),
        Column("decision_maker_id", String(64), nullable=False),
        personal("decision_maker_name", String(200)),
        Column("decision_maker_profession", _ENUM, nullable=False),
        Column("valid_from", Date),
        Column("valid_until", Date),
        Column("hours_per_month", Integer),
    )
    memberships = Table(
        name("perhetyo_child_memberships"),
        metadata,
        Column("case_id", _ID, primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("child_id", String(64), nullable=False),
        personal("display_name", String(200)),
        personal("birth_date", Date),
        Column("joined_on", Date, nullable=False),
        Column("left_on", Date),
        Column("left_reason", _ENUM),
        personal("view", Text),
        personal("not_heard_reason", Text),
        Column("worker_id", String(64)),
        personal("worker_name", String(200)),
        Column("worker_profession", _ENUM),
    )
    contents = Table(
        name("perhetyo_plan_contents"),
        metadata,
        Column("case_id", _ID, primary_key=True),
        Column("plan_version", Integer, nullable=False),
        personal("situation", Text),
        personal("client_assessment", Text),
        personal("professional_assessment", Text),
        personal("strengths", Text),
        personal("planned_services", _JSON),
        Column("rights_explained", Boolean, nullable=False),
        personal("follow_up", Text),
        personal("estimated_duration", String(200)),
        personal("place", String(200)),
        personal("participants", _JSON),
        personal("delivered_to", _JSON),
    )
    cancelled = Table(
        name("perhetyo_cancelled_meetings"),
        metadata,
        Column("case_id", _ID, primary_key=True),
        Column("meeting_id", _ID, primary_key=True),
        Column("position", Integer, nullable=False),
        Column("kind", _ENUM, nullable=False),
        Column("planned_on", Date, nullable=False),
        Column("cancelled_on", Date, nullable=False),
        personal("reason", Text),
    )
    return decisions, memberships, contents, cancelled
