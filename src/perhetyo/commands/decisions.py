"""Commands on service decisions (palvelupäätösten komennot)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from perhetyo.commands.base import MAX_LIST_ITEMS, CaseCommand
from perhetyo.record_values import DecisionOutcome
from perhetyo.values import BusinessDate, LongText, NamedWorker, ServiceKind, ShortText

__all__ = ["MAX_HOURS_PER_MONTH", "DecideService"]

MAX_HOURS_PER_MONTH = 744
"""The hours of a 31-day month: a decision grants at most every hour of it."""


class DecideService(CaseCommand[UUID]):
    """Decide on a service (tee palvelupäätös): grant it, in part, or deny it.

    ``legal_sections`` are the sections of law the decision rests on ("SHL 18 §"), at
    least one; ``valid_from`` and ``valid_until`` bound its validity (either may be open),
    ``hours_per_month`` how much of the service it grants.
    """

    kind: ServiceKind
    outcome: DecisionOutcome
    decided_on: BusinessDate
    legal_sections: Annotated[
        tuple[ShortText, ...], Field(min_length=1, max_length=MAX_LIST_ITEMS)
    ]
    reasoning: LongText
    decision_maker: NamedWorker
    valid_from: BusinessDate | None = None
    valid_until: BusinessDate | None = None
    hours_per_month: Annotated[int, Field(ge=1, le=MAX_HOURS_PER_MONTH, strict=True)] | None = None

    @model_validator(mode="after")
    def _valid_period(self) -> Self:
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise ValueError("valid_until must not be before valid_from")
        return self
