"""Commands on services (palvelujen komennot)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from perhetyo.commands.base import MAX_LIST_ITEMS, CaseCommand
from perhetyo.values import BusinessDate, ServiceKind, ShortText, Text

__all__ = ["EndService", "OrderService", "StartService"]


class OrderService(CaseCommand[UUID]):
    """Order a service (tilaa palvelu) from a producer, citing the decision granting it."""

    FIELDS_SINCE_0_1 = frozenset({"decision_id"})

    kind: ServiceKind
    provider: ShortText
    ordered_on: BusinessDate
    goal_ids: Annotated[tuple[UUID, ...], Field(max_length=MAX_LIST_ITEMS)] = ()
    decision_id: UUID | None = None

    @model_validator(mode="after")
    def _goals_are_unique(self) -> Self:
        if len(set(self.goal_ids)) != len(self.goal_ids):
            raise ValueError("goal_ids must be unique")
        return self


class StartService(CaseCommand[None]):
    """Record that an ordered service started (palvelu alkoi)."""

    service_id: UUID
    started_on: BusinessDate


class EndService(CaseCommand[None]):
    """End a service (päätä palvelu); one that never started is cancelled."""

    service_id: UUID
    ended_on: BusinessDate
    reason: Text
