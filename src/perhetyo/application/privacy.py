"""Tietosuoja (privacy): erase a closed case, rotate the master key.

Erasing (crypto-shredding) records ``CaseErased`` with a summary of the case's
non-personal facts, then destroys the case's data key: every later read of the case
raises :class:`~perhetyo.errors.CaseErasedError`, and its stored projections keep only
the summary. See docs/privacy.md for what this means for backups and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar, cast
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.errors import CaseErasedError, CaseNotFoundError, ErasureRefusedError
from perhetyo.events import (
    CaseErased,
    ErasedGoal,
    ErasedMeeting,
    ErasedService,
    ErasureSummary,
)
from perhetyo.persistence import storage_errors
from perhetyo.persistence.keyring import parse_master_key
from perhetyo.projections import current_plan
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.values import Actor

__all__ = ["PrivacyCalls", "erasure_summary"]

R = TypeVar("R")


def erasure_summary(plan: CurrentPlan, events: int) -> ErasureSummary:
    """The non-personal facts of a closed case's plan (dates, statuses, kinds, ids)."""
    if plan.closed_on is None or plan.closure_reason is None:
        raise ErasureRefusedError(f"case {plan.case_id} is open: only a closed case is erased")
    successor = plan.successor
    return ErasureSummary(
        legal_basis=plan.legal_basis,
        service_task=plan.service_task,
        opened_on=plan.opened_on,
        closed_on=plan.closed_on,
        closure_reason=plan.closure_reason,
        successor_kind=None if successor is None else successor.kind,
        successor_case_id=None if successor is None else successor.case_id,
        previous_case_id=plan.previous_case_id,
        child_ids=tuple(child.id for child in plan.children),
        named_worker_id=plan.named_worker.id,
        named_worker_profession=plan.named_worker.profession,
        plan_version=plan.plan_version,
        plan_agreed_on=plan.plan_agreed_on,
        review_due_on=plan.review_due_on,
        goals=tuple(
            ErasedGoal(
                goal_id=goal.goal_id,
                child_id=goal.child_id,
                status=goal.status,
                progress=goal.progress,
                set_on=goal.set_on,
                target_date=goal.target_date,
                last_updated_on=goal.last_updated_on,
            )
            for goal in plan.goals
        ),
        services=tuple(
            ErasedService(
                service_id=service.service_id,
                kind=service.kind,
                status=service.status,
                ordered_on=service.ordered_on,
                started_on=service.started_on,
                ended_on=service.ended_on,
                goal_ids=service.goal_ids,
            )
            for service in plan.services
        ),
        meetings=tuple(
            ErasedMeeting(meeting_id=m.meeting_id, kind=m.kind, held_on=m.held_on)
            for m in plan.meetings
        ),
        events=events,
    )


class PrivacyCalls(CasesCore):
    """Tietosuoja (privacy): erase a closed case, rotate the master key."""

    def erase_case(
        self, case_id: UUID, *, reason: str, actor: Actor, request_id: str | None = None
    ) -> None:
        """Erase a closed case (hävitä asiakastiedot): record ``CaseErased``, then destroy
        the case's data key. Refused on an open case or a store without a master key
        (:class:`ErasureRefusedError`), and on an erased one (:class:`CaseErasedError`)."""
        command = c.EraseCase(case_id=case_id, reason=reason, actor=actor, request_id=request_id)
        self._erase(command)

    def execute(self, command: c.Command[R]) -> R:
        """Run any command model; an ``EraseCase`` erases (its data key is destroyed too)."""
        if isinstance(command, c.EraseCase):
            self._erase(command)
            return cast(R, None)  # R is None: EraseCase is a Command[None]
        return super().execute(command)

    def _erase(self, command: c.EraseCase) -> None:
        self._check_not_closed()
        if not self._keyring.encrypted:
            raise ErasureRefusedError(
                "this store has no master key: erasing needs encryption (see docs/privacy.md)"
            )

        def decide(case: FamilyCase, erase: c.EraseCase, now: datetime) -> None:
            events = self._commands.events(erase.case_id)
            plan = None
            for event in events:
                plan = current_plan.apply(plan, event)
            if plan is None:  # loaded a moment ago, under the case's lock
                raise CaseNotFoundError(erase.case_id)
            case.erase_case(erase, now, erasure_summary(plan, len(events)))

        try:
            self._decide(command, decide)
        except CaseErasedError:
            # Erased before; finish an erasure that stopped before its key was destroyed.
            self._keyring.destroy(command.case_id)
            raise
        self._keyring.destroy(command.case_id)

    def erasure(self, case_id: UUID, *, actor: Actor, purpose: str | None = None) -> CaseErased:
        """The record of a case's erasure (hävittämismerkintä): who, when, why, and the
        summary it kept. :class:`CaseNotFoundError` for a case that was never erased."""
        self._check_not_closed()
        read = c.ReadCase(case_id=case_id, actor=actor, purpose=purpose)
        with storage_errors():
            stored = self._store.recorder.select_events(read.case_id, desc=True, limit=1)
            last = self._store.mapper.to_domain_event(stored[0]) if stored else None
        if not isinstance(last, CaseErased):
            raise CaseNotFoundError(case_id)  # no such case, or one not erased
        return last

    def rotate_master_key(self, new_key: str) -> int:
        """Re-wrap every case's data key and the store's secrets under ``new_key`` in one
        transaction (pääavaimen vaihto); returns how many keys were re-wrapped. From then
        on only ``new_key`` opens the store. Stop the store's other processes first: one
        still holding the old key would wrap new cases' keys with it."""
        self._check_not_closed()
        new = parse_master_key(new_key)
        return self._keyring.rotate(new)

