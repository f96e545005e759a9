"""Referral intake (vastaanotto): open a case for each referral, once.

A county's intake service receives referrals (a notification, an application, a
request for an assessment) from its own case-management system. For each one it opens a
family social-work case in perhetyo:

- **idempotently**: the referral's id becomes the opening's ``request_id``, so a referral
  received twice (a retry, a redelivered message) opens one case, and the second receipt
  answers with the same case id (``FamilyCases.case_id_for_request`` names it up front);
- **one open case per child**: a referral for a child who already has an open case is
  refused with :class:`ChildHasOpenCaseError` (the child's and the case's ids, nothing
  personal), so that the worker adds the new matter to the open case instead.

Which children have an open case is asked with :meth:`FamilyCases.find_cases` (the stored
projections, caught up first so that a case opened a moment ago counts; each case found
is logged in the access log, with the intake's purpose).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from perhetyo import (
    Actor,
    CaseNotFoundError,
    CaseStatus,
    FamilyCases,
    Initiation,
    LegalBasis,
    NamedWorker,
    PersonRef,
)

__all__ = ["ChildHasOpenCaseError", "Intake", "Referral"]


@dataclass(frozen=True)
class Referral:
    """A referral (vireilletulo) as the county's own system hands it over."""

    referral_id: str
    """The county system's id for the referral (opaque; the same on a redelivery)."""
    children: tuple[PersonRef, ...]
    guardians: tuple[PersonRef, ...]
    received_on: date
    initiated_by: Initiation = Initiation.APPLICATION
    legal_basis: LegalBasis = LegalBasis.SOCIAL_WELFARE_ACT


class ChildHasOpenCaseError(ValueError):
    """A child of the referral already has an open case (lapsella on jo avoin asiakkuus)."""

    code = "intake.child_has_open_case"

    def __init__(self, child_id: str, case_id: UUID) -> None:
        super().__init__(f"child {child_id} already has an open case: {case_id}")
        self.child_id = child_id
        self.case_id = case_id


class Intake:
    """Referral intake (vastaanotto): opens a case per referral, at most one open per child.

    ``worker`` is the named worker the intake assigns to each new case; ``actor`` is who the
    intake acts as (recorded on every event and every read).
    """

    def __init__(self, cases: FamilyCases, *, worker: NamedWorker, actor: Actor) -> None:
        self.cases = cases
        self.worker = worker
        self.actor = actor

    def receive(self, referral: Referral) -> UUID:
        """Open the referral's case, or answer with the one it opened before."""
        request_id = f"intake:{referral.referral_id}"
        if not self._opened(self.cases.case_id_for_request(request_id)):
            for child in referral.children:
                case_id = self.open_case_of(child.id)
                if case_id is not None:
                    raise ChildHasOpenCaseError(child.id, case_id)
        # A repeat of an opened referral: perhetyo answers with the same case (and refuses,
        # with RequestConflictError, a "repeat" whose content differs).
        return self.cases.open_case(
            children=referral.children,
            guardians=referral.guardians,
            legal_basis=referral.legal_basis,
            named_worker=self.worker,
            opened_on=referral.received_on,
            pending_on=referral.received_on,
            initiated_by=referral.initiated_by,
            actor=self.actor,
            request_id=request_id,
        )

    def open_case_of(self, child_id: str) -> UUID | None:
        """The open case the child is in now, if any (a lookup: a read of that case)."""
        found = self.cases.find_cases(
            actor=self.actor,
            purpose="intake: an open case?",
            child_id=child_id,
            status=CaseStatus.OPEN,
        )
        return found[0].case_id if found else None

    def _opened(self, case_id: UUID) -> bool:
        try:
            self.cases.current_plan(case_id, actor=self.actor, purpose="intake: a repeat?")
        except CaseNotFoundError:
            return False
        return True
