"""Asia ja palvelutarpeen arviointi (the matter and its needs assessment): the rules.

A case's first matter is its opening; :meth:`MatterRules.record_pending` adds a later one.
Each matter has at most one assessment: started, then completed; or declined instead of
started. When a completed assessment begins a child-welfare relationship, the case is under
the Child Welfare Act from that date (its legal basis, and so who may be its workers).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from perhetyo.aggregates.state import CaseState, Matter, applies, decides
from perhetyo.commands import CompleteAssessment, DeclineAssessment, RecordPending, StartAssessment
from perhetyo.errors import (
    AssessmentLifecycleError,
    ChildWelfareConflictError,
    MatterNotFoundError,
    OutOfOrderError,
    WorkerNotQualifiedError,
)
from perhetyo.events import (
    AssessmentCompleted,
    AssessmentDeclined,
    AssessmentStarted,
    MatterPending,
)
from perhetyo.values import LegalBasis, named_worker_professions

__all__ = ["MatterRules"]


class MatterRules(CaseState):
    """Asia ja palvelutarpeen arviointi (the matter and its needs assessment): the rules."""

    __slots__ = ()

    # --- a later matter ----------------------------------------------------------------------

    @decides(RecordPending)
    def record_pending(self, command: RecordPending, now: datetime) -> UUID:
        """Record a new matter pending (asia vireille); returns its matter id."""
        self._check_open()
        self._check_happened("pending_on", command.pending_on, now)
        latest = self.matters[self._latest_matter_id()]
        if command.pending_on < latest.pending_on:
            raise OutOfOrderError("pending_on is before the latest matter became pending")
        event = self._record(
            MatterPending,
            command,
            now,
            matter_id=self.new_id(),
            pending_on=command.pending_on,
            initiated_by=command.initiated_by,
            special_support=command.special_support,
            urgent=command.urgent,
        )
        return event.matter_id

    @applies(MatterPending)
    def _matter_pending(self, event: MatterPending) -> None:
        self.matters[event.matter_id] = Matter(event.pending_on)

    # --- the assessment ----------------------------------------------------------------------

    @decides(StartAssessment)
    def start_assessment(self, command: StartAssessment, now: datetime) -> None:
        """Start a matter's service-needs assessment (aloita palvelutarpeen arviointi)."""
        self._check_open()
        matter_id, matter = self._matter(command.matter_id)
        self._check_happened("started_on", command.started_on, now)
        if matter.started_on is not None or matter.declined:
            raise AssessmentLifecycleError(
                f"the assessment of matter {matter_id} was already started or declined"
            )
        if command.started_on < matter.pending_on:
            raise OutOfOrderError(f"started_on is before matter {matter_id} became pending")
        self._record(
            AssessmentStarted,
            command,
            now,
            matter_id=matter_id,
            started_on=command.started_on,
            special_support=command.special_support,
            child_welfare_need_assessed=command.child_welfare_need_assessed,
        )

    @applies(AssessmentStarted)
    def _assessment_started(self, event: AssessmentStarted) -> None:
        matter = self.matters[event.matter_id]
        self.matters[event.matter_id] = Matter(
            matter.pending_on, event.started_on, matter.completed, matter.declined
        )

    @decides(CompleteAssessment)
    def complete_assessment(self, command: CompleteAssessment, now: datetime) -> None:
        """Complete a matter's assessment (palvelutarpeen arviointi valmis), hearing children."""
        self._check_open()
        matter_id, matter = self._matter(command.matter_id)
        self._check_happened("completed_on", command.completed_on, now)
        if matter.started_on is None:
            raise AssessmentLifecycleError(f"the assessment of matter {matter_id} never started")
        if matter.completed:
            raise AssessmentLifecycleError(
                f"the assessment of matter {matter_id} is already completed"
            )
        if command.completed_on < matter.started_on:
            raise OutOfOrderError(f"completed_on is before the assessment of {matter_id} started")
        for child_id in sorted(set(command.child_views) | set(command.not_heard_reasons)):
            self._check_child(child_id)
        if command.child_welfare_begins:
            if self.legal_basis is LegalBasis.CHILD_WELFARE_ACT:
                raise ChildWelfareConflictError(
                    f"case {self.id} is already under the child welfare act"
                )
            self._check_workers_for_child_welfare()
        self._record(
            AssessmentCompleted,
            command,
            now,
            matter_id=matter_id,
            completed_on=command.completed_on,
            conclusions=command.conclusions,
            relationship_continues=command.relationship_continues,
            special_support=command.special_support,
            child_welfare_begins=command.child_welfare_begins,
            needs_named_worker=command.needs_named_worker,
            plan_needed=command.plan_needed,
            child_views=command.child_views,
            not_heard_reasons=command.not_heard_reasons,
        )

    @applies(AssessmentCompleted)
    def _assessment_completed(self, event: AssessmentCompleted) -> None:
        matter = self.matters[event.matter_id]
        self.matters[event.matter_id] = Matter(
            matter.pending_on, matter.started_on, True, matter.declined
        )
        if event.child_welfare_begins:
            self.legal_basis = LegalBasis.CHILD_WELFARE_ACT

    @decides(DeclineAssessment)
    def decline_assessment(self, command: DeclineAssessment, now: datetime) -> None:
        """Decide that a matter needs no assessment (arviointia ei tehdä), LsL 26 §."""
        self._check_open()
        matter_id, matter = self._matter(command.matter_id)
        self._check_happened("decided_on", command.decided_on, now)
        if matter.started_on is not None or matter.declined:
            raise AssessmentLifecycleError(
                f"the assessment of matter {matter_id} was already started or declined"
            )
        if command.decided_on < matter.pending_on:
            raise OutOfOrderError(f"decided_on is before matter {matter_id} became pending")
        self._record(
            AssessmentDeclined,
            command,
            now,
            matter_id=matter_id,
            decided_on=command.decided_on,
            reason=command.reason,
        )

    @applies(AssessmentDeclined)
    def _assessment_declined(self, event: AssessmentDeclined) -> None:
        matter = self.matters[event.matter_id]
        self.matters[event.matter_id] = Matter(
            matter.pending_on, matter.started_on, matter.completed, True
        )

    # --- rule helpers ----------------------------------------------------------------------

    def _latest_matter_id(self) -> UUID:
        return next(reversed(self.matters))

    def _matter(self, matter_id: UUID | None) -> tuple[UUID, Matter]:
        """The matter ``matter_id`` names, or the latest one for None."""
        if matter_id is None:
            matter_id = self._latest_matter_id()
        try:
            return matter_id, self.matters[matter_id]
        except KeyError:
            raise MatterNotFoundError(
                f"matter {matter_id} is not a matter of case {self.id}"
            ) from None

    def unqualified_for_child_welfare(self) -> tuple[bool, list[str]]:
        """Who could not stay on if child welfare began (LsL 13 b §): whether the named
        worker is not a social worker, and the children whose own worker is not."""
        qualified = named_worker_professions(LegalBasis.CHILD_WELFARE_ACT)
        children = sorted(
            child_id
            for child_id, worker in self.child_workers.items()
            if child_id in self.children and worker.profession not in qualified
        )
        return self.worker_profession not in qualified, children

    def _check_workers_for_child_welfare(self) -> None:
        """Before child welfare begins: the case's workers are qualified under LsL.

        The named worker and every child's own worker must be social workers (LsL 13 b §).
        """
        named_worker_unqualified, unqualified = self.unqualified_for_child_welfare()
        if named_worker_unqualified:
            raise WorkerNotQualifiedError(
                "child welfare needs a social worker as the named worker: assign one first"
            )
        if unqualified:
            raise WorkerNotQualifiedError(
                "child welfare needs a social worker as each child's own worker: assign one "
                f"first for children: {', '.join(unqualified)}"
            )
