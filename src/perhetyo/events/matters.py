"""Matter events (asian tapahtumat): a matter becomes pending, and its needs assessment.

A case's first matter is its opening: ``CaseOpened`` carries its pending date
(vireilletulopäivä), how it became pending and whether a child needs special support. Its
matter id is not stored but derived from the case id (:func:`opening_matter_id`), so that
cases recorded before matters existed have one too. A later matter in the same open
relationship (a new notification, say) is a :class:`MatterPending` with an id of its own.

Each matter has at most one service-needs assessment (palvelutarpeen arviointi, SHL 36 §,
LsL 26 §): started (:class:`AssessmentStarted`) and completed
(:class:`AssessmentCompleted`), or declined (:class:`AssessmentDeclined`) when the matter
evidently needs no measures (LsL 26 §). The fields follow THL's Kanta structures VT
(1.2.246.537.6.1506.19001) and PTA (1.2.246.537.6.1506.1005).
"""

from __future__ import annotations

from typing import Final
from uuid import UUID, uuid5

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import BusinessDate, Initiation
from perhetyo.values import finnish_label as fi

__all__ = [
    "AssessmentCompleted",
    "AssessmentDeclined",
    "AssessmentStarted",
    "MatterPending",
    "opening_matter_id",
]

_OPENING_MATTER: Final = "perhetyo.matter.opening"


def opening_matter_id(case_id: UUID) -> UUID:
    """The matter id of a case's opening (its first matter): ``uuid5(case_id, ...)``.

    Derived, never stored, so that it is the same for every reader and for cases recorded
    before matters had ids; it reveals nothing but the case id it is made from.
    """
    return uuid5(case_id, _OPENING_MATTER)


def _yes_fi(flag: bool) -> str:
    return "kyllä" if flag else "ei"


def _yes_en(flag: bool) -> str:
    return "yes" if flag else "no"


class MatterPending(CaseEvent):
    """A new matter became pending (asia tuli vireille) in an open relationship."""

    TOPIC = "perhetyo.MatterPending.v1"
    LABEL_FI = "Asia tuli vireille"
    LABEL_EN = "Matter pending"
    LABEL_SV = "Ärendet inleddes"
    DATE_FIELD = "pending_on"

    matter_id: UUID
    pending_on: BusinessDate
    initiated_by: Initiation
    special_support: bool = False
    urgent: bool = False

    def describe(self) -> Summary:
        """The matter id, how it became pending, special support and urgency."""
        return Summary(
            f"asia {self.matter_id}: {fi(self.initiated_by)}; erityinen tuki "
            f"{_yes_fi(self.special_support)}; kiireellinen {_yes_fi(self.urgent)}",
            f"matter {self.matter_id}: {self.initiated_by.value}; special support "
            f"{_yes_en(self.special_support)}; urgent {_yes_en(self.urgent)}",
        )

    def result(self) -> UUID:
        """``record_pending`` returns the new matter id."""
        return self.matter_id


class AssessmentStarted(CaseEvent):
    """Service-needs assessment started (palvelutarpeen arviointi aloitettu)."""

    TOPIC = "perhetyo.AssessmentStarted.v1"
    LABEL_FI = "Palvelutarpeen arviointi aloitettu"
    LABEL_EN = "Assessment started"
    LABEL_SV = "Servicebehovsbedömningen inleddes"
    DATE_FIELD = "started_on"

    matter_id: UUID
    started_on: BusinessDate
    special_support: bool | None = None
    """Whether a child needs special support, as known at the start (None: not restated)."""
    child_welfare_need_assessed: bool = False
    """The assessment also assesses the need for child welfare (lastensuojelun tarve)."""

    def describe(self) -> Summary:
        """The matter id, and whether the need for child welfare is assessed too."""
        return Summary(
            f"asia {self.matter_id}; lastensuojelun tarve selvitetään "
            f"{_yes_fi(self.child_welfare_need_assessed)}",
            f"matter {self.matter_id}; child welfare need assessed "
            f"{_yes_en(self.child_welfare_need_assessed)}",
        )


class AssessmentCompleted(CaseEvent):
    """Service-needs assessment completed (palvelutarpeen arviointi valmistui)."""

    TOPIC = "perhetyo.AssessmentCompleted.v1"
    LABEL_FI = "Palvelutarpeen arviointi valmistui"
    LABEL_EN = "Assessment completed"
    LABEL_SV = "Servicebehovsbedömningen slutfördes"
    DATE_FIELD = "completed_on"

    matter_id: UUID
    completed_on: BusinessDate
    conclusions: str
    relationship_continues: bool
    special_support: bool
    child_welfare_begins: bool
    needs_named_worker: bool
    plan_needed: bool
    child_views: dict[str, str]
    not_heard_reasons: dict[str, str]

    def describe(self) -> Summary:
        """The matter id, the conclusions' flags and how many children were heard."""
        heard, not_heard = len(self.child_views), len(self.not_heard_reasons)
        child_welfare_fi = "; lastensuojeluasiakkuus alkaa" if self.child_welfare_begins else ""
        child_welfare_en = "; child welfare begins" if self.child_welfare_begins else ""
        return Summary(
            f"asia {self.matter_id}; asiakkuus jatkuu {_yes_fi(self.relationship_continues)}"
            f"; erityinen tuki {_yes_fi(self.special_support)}{child_welfare_fi}"
            f"; lasten näkemyksiä {heard}, kuulematta {not_heard}",
            f"matter {self.matter_id}; relationship continues "
            f"{_yes_en(self.relationship_continues)}; special support "
            f"{_yes_en(self.special_support)}{child_welfare_en}; {heard} children's views, "
            f"{not_heard} not heard",
        )


class AssessmentDeclined(CaseEvent):
    """No assessment is made (palvelutarvetta ei arvioida): evidently unnecessary, LsL 26 §."""

    TOPIC = "perhetyo.AssessmentDeclined.v1"
    LABEL_FI = "Palvelutarpeen arvioinnista luovuttu"
    LABEL_EN = "Assessment declined"
    LABEL_SV = "Servicebehovsbedömning görs inte"
    DATE_FIELD = "decided_on"

    matter_id: UUID
    decided_on: BusinessDate
    reason: str

    def describe(self) -> Summary:
        """The matter id only (the reason is free text)."""
        return Summary(f"asia {self.matter_id}", f"matter {self.matter_id}")
