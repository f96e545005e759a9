"""Case events (asiakkuuden tapahtumat): the relationship opens, gets a worker, closes."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import (
    BusinessDate,
    ClosureReason,
    Initiation,
    LegalBasis,
    NamedWorker,
    PersonRef,
    ServiceTask,
    Successor,
)
from perhetyo.values import (
    finnish_label as fi,
)

__all__ = ["CaseClosed", "CaseOpened", "NamedWorkerAssigned"]


class CaseOpened(CaseEvent):
    """Client relationship began (asiakkuus alkoi), and with it the case's first matter.

    Version 2 added the matter: ``pending_on`` (vireilletulopäivä, on or before
    ``opened_on``), ``initiated_by``, ``special_support`` and ``urgent``. A version 1 event
    reads as pending on its opening date, the rest at their defaults.
    """

    TOPIC = "perhetyo.CaseOpened.v1"
    LABEL_FI = "Asiakkuus alkoi"
    LABEL_EN = "Case opened"
    LABEL_SV = "Klientrelationen inleddes"
    DATE_FIELD = "opened_on"
    class_version = 2

    children: tuple[PersonRef, ...]
    guardians: tuple[PersonRef, ...]
    legal_basis: LegalBasis
    service_task: ServiceTask
    opened_on: BusinessDate
    named_worker: NamedWorker
    previous_case_id: UUID | None = None
    pending_on: BusinessDate
    initiated_by: Initiation | None = None
    special_support: bool = False
    urgent: bool = False

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Release 0.1's opening: pending on its opening date, the rest at the defaults."""
        state["pending_on"] = state["opened_on"]

    def describe(self) -> Summary:
        """Legal basis, service task, how many children and guardians, the worker's id."""
        return Summary(
            f"{fi(self.legal_basis)}, {fi(self.service_task)}; lapsia {len(self.children)}, "
            f"huoltajia {len(self.guardians)}; omatyöntekijä {self.named_worker.id}",
            f"{self.legal_basis.value}, {self.service_task.value}; {len(self.children)} "
            f"children, {len(self.guardians)} guardians; named worker {self.named_worker.id}",
        )

    def result(self) -> UUID:
        """``open_case`` returns the new case id."""
        return self.originator_id



class NamedWorkerAssigned(CaseEvent):
    """Named worker assigned (omatyöntekijä nimetty): the case's, or one child's own.

    Version 2 added ``child_id``: set, the worker is that child's own named worker.
    """

    TOPIC = "perhetyo.NamedWorkerAssigned.v1"
    LABEL_FI = "Omatyöntekijä nimetty"
    LABEL_EN = "Named worker assigned"
    LABEL_SV = "Egen kontaktperson utsedd"
    DATE_FIELD = "assigned_on"
    class_version: ClassVar[int] = 2

    worker: NamedWorker
    assigned_on: BusinessDate
    reason: str
    child_id: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Version 1 named the case's worker only."""
        state.setdefault("child_id", None)

    def describe(self) -> Summary:
        """The new worker's id and profession, and whose worker (a child's id, if one)."""
        whose_fi = "" if self.child_id is None else f", lapsen {self.child_id}"
        whose_en = "" if self.child_id is None else f", of child {self.child_id}"
        return Summary(
            f"omatyöntekijä {self.worker.id} ({fi(self.worker.profession)}){whose_fi}",
            f"named worker {self.worker.id} ({self.worker.profession.value}){whose_en}",
        )



class CaseClosed(CaseEvent):
    """Client relationship ended (asiakkuus päättyi), with each child's view of the ending."""

    TOPIC = "perhetyo.CaseClosed.v1"
    LABEL_FI = "Asiakkuus päättyi"
    LABEL_EN = "Case closed"
    LABEL_SV = "Klientrelationen avslutades"
    DATE_FIELD = "closed_on"

    closed_on: BusinessDate
    reason: ClosureReason
    child_views: dict[str, str]
    not_heard_reasons: dict[str, str]
    successor: Successor | None = None

    def describe(self) -> Summary:
        """The reason, how many children were heard, and what continues."""
        heard, not_heard = len(self.child_views), len(self.not_heard_reasons)
        after_fi = f"; jatkuu: {fi(self.successor.kind)}" if self.successor else ""
        after_en = f"; continues: {self.successor.kind.value}" if self.successor else ""
        return Summary(
            f"{fi(self.reason)}; lasten näkemyksiä {heard}, kuulematta {not_heard}{after_fi}",
            f"{self.reason.value}; {heard} children's views, {not_heard} not heard{after_en}",
        )

