"""Retention (säilytysaika): how long a closed case's records are kept, per legal basis.

Defaults (laki 703/2023 from 2024, as the National Archives' definition of social-welfare
retention periods gives them; docs/retention.md):

- family services under the Social Welfare Act (sosiaalihuoltolaki 1301/2014; the service
  task *lapsiperheiden palvelut*): kept 30 years after the matter closed. perhetyo takes
  the case's closing date as the date the matter closed;
- child welfare (lastensuojelulaki 417/2007): kept until 2 years after the client's death.
  perhetyo does not know when a client dies, so such a case is never due automatically.

Statutory retention overrides an erasure request (GDPR art. 17(3)(b)); records are erased
when retention ends. A case closed on ``closed_on`` with a retention of N years is due on
the same day N years later (29 February: 1 March), and on every day after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final
from uuid import UUID

from perhetyo.errors import ConfigurationError
from perhetyo.values import Actor, BusinessDate, LegalBasis, ValueModel

__all__ = [
    "DEFAULT_RETENTION_YEARS",
    "RetentionDue",
    "RetentionPolicy",
    "RetentionQuery",
    "add_years",
]

DEFAULT_RETENTION_YEARS: Final[Mapping[LegalBasis, int | None]] = MappingProxyType(
    {
        LegalBasis.SOCIAL_WELFARE_ACT: 30,  # 30 years after the matter closed (703/2023)
        LegalBasis.CHILD_WELFARE_ACT: None,  # 2 years after the client's death (703/2023)
    }
)
"""Years after the closing date, per legal basis; ``None``: never due automatically."""


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, and the target year is not a leap year
        return date(day.year + years, 3, 1)


@dataclass(frozen=True)
class RetentionPolicy:
    """Retention policy (säilytysaikapolitiikka): years kept after closing, per legal basis.

    ``years_after_closing`` maps a legal basis to whole years, or ``None`` when its
    records are never due automatically; a legal basis it does not name is never due.
    The defaults are :data:`DEFAULT_RETENTION_YEARS`.
    """

    years_after_closing: Mapping[LegalBasis, int | None] = field(
        default_factory=lambda: dict(DEFAULT_RETENTION_YEARS)
    )

    def __post_init__(self) -> None:
        for basis, years in self.years_after_closing.items():
            if not isinstance(basis, LegalBasis):
                raise ConfigurationError("a retention policy's keys must be LegalBasis members")
            if years is not None and (type(years) is not int or years < 0):
                raise ConfigurationError(
                    f"the retention of {basis.value} must be whole years (0 or more) or None"
                )
        object.__setattr__(
            self, "years_after_closing", MappingProxyType(dict(self.years_after_closing))
        )

    def due_on(self, legal_basis: LegalBasis, closed_on: date) -> date | None:
        """The first day a case closed on ``closed_on`` is due for erasure (None: never)."""
        years = self.years_after_closing.get(legal_basis)
        return None if years is None else add_years(closed_on, years)


@dataclass(frozen=True)
class RetentionDue:
    """A case due for erasure (säilytysaika päättynyt): ids, legal basis and dates only."""

    case_id: UUID
    legal_basis: LegalBasis
    closed_on: date
    due_on: date


class RetentionQuery(ValueModel):
    """Who asks which cases are due (säilytysajan tarkistus), and on which day."""

    actor: Actor
    on: BusinessDate
