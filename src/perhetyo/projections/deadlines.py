"""Statutory deadlines (lakisääteiset määräajat): a pure function of a case's events.

Each matter whose assessment has day counts gets two deadlines, and each client plan
version with a review date one (see :class:`DeadlinePolicy` for which matters, and the
legal basis of each rule):

- ``ASSESSMENT_START``: the 7th working day after the matter became pending (day 1 is the
  working day after it); met by the assessment's start, or by a decision that no
  assessment is needed (which also voids the completion deadline);
- ``ASSESSMENT_COMPLETION``: 3 months after pending (:func:`perhetyo.month_deadline`: the
  same day number, or the month's last day; a day off moves it to the next working day);
  met by the completion;
- ``PLAN_REVIEW``: a plan version's ``review_due_on``; met by the next plan version.

Closing the case voids the deadlines not yet due and not met (``due_on`` on or after the
closing date); a deadline already missed stays ``OVERDUE``, so supervision still sees it.

The facts (due, met and void dates) come from :class:`~perhetyo.projections.CurrentPlan`,
itself a fold of the events; the status depends on the day asked about (``on``) and is
computed when read, never stored: :func:`deadline_facts` is what the stored table holds,
:func:`deadlines_on` what a reader gets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Final
from uuid import UUID

from pydantic import Field

from perhetyo.events import CaseEvent
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.current_plan import apply as apply_to_plan
from perhetyo.projections.matter_views import MatterView
from perhetyo.values import DeadlineKind, DeadlineStatus, Initiation, ValueModel
from perhetyo.working_days import month_deadline, working_day_deadline

__all__ = [
    "DEFAULT_POLICY",
    "Deadline",
    "DeadlinePolicy",
    "deadline_facts",
    "deadlines_for_events",
    "deadlines_on",
    "status_on",
]

_Count = Annotated[int, Field(ge=1, le=1_000, strict=True)]


class DeadlinePolicy(ValueModel):
    """Deadline policy (määräaikasäännöt): which matters have day counts, and how many.

    Each rule with its source; (v) verified from an authority's page that cites the
    section, (?) not verified, so configurable and documented as such (docs/deadlines.md):

    - ``start_working_days`` = 7: SHL 36 § 2 mom., LsL 26 § 3 mom. (v)
    - ``completion_months`` = 3: SHL 36 § 3 mom., LsL 26 § 3 mom. (v)
    - ``child_welfare_act``: a matter of a case under the Child Welfare Act when it became
      pending has day counts: LsL 26-27 § (v, thl.fi lastensuojelun aikarajat)
    - ``child_welfare_notification``: a matter initiated by a child-welfare notification
      is a child-welfare matter: LsL 26 § (v, the day counts); that the notification
      (LsL 25 §) makes it one is issue 8's rule (?: not checked against an authority)
    - ``special_support``: a child who needs special support (erityistä tukea tarvitseva
      lapsi), as known at pending or at the assessment's start: SHL 36 § (v, suomi.fi)
    - ``child_welfare_need_assessed``: an assessment that also assesses the need for
      child welfare is made under LsL 26 §, with its day counts (?: an inference from
      LsL 26 § 3 mom. and SHL 36 §, not checked against an authority's page)
    - ``plan_review``: the workers' own ``review_due_on`` of each plan version is
      followed. The statute's "at least once a year" (LsL 30 §) is (?) and is not added.

    Everyone else is assessed "without delay", which has no day count: no deadline.
    """

    start_working_days: _Count = 7
    completion_months: _Count = 3
    child_welfare_act: bool = True
    child_welfare_notification: bool = True
    special_support: bool = True
    child_welfare_need_assessed: bool = True
    plan_review: bool = True

    def has_day_counts(self, matter: MatterView) -> bool:
        """Whether ``matter``'s assessment has the two deadlines (never added later than
        its start: what was known at pending or at the start decides)."""
        assessment = matter.assessment
        return (
            (self.child_welfare_act and matter.under_child_welfare)
            or (
                self.child_welfare_notification
                and matter.initiated_by is Initiation.CHILD_WELFARE_NOTIFICATION
            )
            or (
                self.special_support
                and (
                    matter.special_support
                    or (assessment is not None and assessment.special_support is True)
                )
            )
            or (
                self.child_welfare_need_assessed
                and assessment is not None
                and assessment.child_welfare_need_assessed
            )
        )


DEFAULT_POLICY: Final = DeadlinePolicy()
"""The statute as verified (domain.md): 7 working days and 3 months."""


class Deadline(ValueModel):
    """A statutory deadline (määräaika) and where it stands on a day.

    ``matter_id`` is None for a plan review, whose ``plan_version`` says which plan;
    ``voided_on`` is when it became void (the closing, or a declined assessment).
    """

    case_id: UUID
    matter_id: UUID | None
    kind: DeadlineKind
    due_on: date
    met_on: date | None
    status: DeadlineStatus
    plan_version: int | None = None
    voided_on: date | None = None


def status_on(
    due_on: date, met_on: date | None, voided_on: date | None, on: date
) -> DeadlineStatus:
    """Where a deadline stands on ``on``: met (in time or late), void, overdue or open."""
    if met_on is not None and met_on <= on:
        return DeadlineStatus.MET if met_on <= due_on else DeadlineStatus.MET_LATE
    if voided_on is not None and voided_on <= on:
        return DeadlineStatus.VOID
    return DeadlineStatus.OVERDUE if on > due_on else DeadlineStatus.OPEN


def _fact(
    plan: CurrentPlan,
    kind: DeadlineKind,
    due_on: date,
    met_on: date | None,
    voided_on: date | None = None,
    *,
    matter_id: UUID | None = None,
    plan_version: int | None = None,
) -> Deadline:
    closed_on = plan.closed_on
    if met_on is None and voided_on is None and closed_on is not None and due_on >= closed_on:
        voided_on = closed_on  # the closing voids only what was not yet due
    return Deadline.trusted(
        case_id=plan.case_id,
        matter_id=matter_id,
        kind=kind,
        due_on=due_on,
        met_on=met_on,
        status=DeadlineStatus.OPEN,  # a placeholder: the status is computed when read
        plan_version=plan_version,
        voided_on=voided_on,
    )


def deadline_facts(plan: CurrentPlan, policy: DeadlinePolicy = DEFAULT_POLICY) -> list[Deadline]:
    """The case's deadlines with their due, met and void dates (status not yet set).

    Per matter in pending order (start, then completion), then the plan reviews by version.
    """
    facts: list[Deadline] = []
    for matter in plan.matters:
        if not policy.has_day_counts(matter):
            continue
        assessment = matter.assessment
        started = declined = completed = None
        if assessment is not None:
            started, declined = assessment.started_on, assessment.declined_on
            completed = assessment.completed_on
        facts.append(
            _fact(
                plan,
                DeadlineKind.ASSESSMENT_START,
                working_day_deadline(matter.pending_on, policy.start_working_days),
                started or declined,
                matter_id=matter.matter_id,
            )
        )
        facts.append(
            _fact(
                plan,
                DeadlineKind.ASSESSMENT_COMPLETION,
                month_deadline(matter.pending_on, policy.completion_months),
                completed,
                declined,
                matter_id=matter.matter_id,
            )
        )
    if policy.plan_review:
        versions = plan.plan_versions
        for index, version in enumerate(versions):
            if version.review_due_on is None:
                continue
            later = versions[index + 1].agreed_on if index + 1 < len(versions) else None
            facts.append(
                _fact(
                    plan,
                    DeadlineKind.PLAN_REVIEW,
                    version.review_due_on,
                    later,
                    plan_version=version.version,
                )
            )
    return facts


def deadlines_on(facts: Iterable[Deadline], on: date) -> list[Deadline]:
    """The deadlines with their status on ``on``."""
    return [
        fact.evolve(status=status_on(fact.due_on, fact.met_on, fact.voided_on, on))
        for fact in facts
    ]


def deadlines_for_events(
    events: Iterable[CaseEvent], *, on: date, policy: DeadlinePolicy = DEFAULT_POLICY
) -> list[Deadline]:
    """A case's deadlines on ``on``, from its events alone (the live read)."""
    plan = None
    for event in events:
        plan = apply_to_plan(plan, event)
    if plan is None:
        return []
    return deadlines_on(deadline_facts(plan, policy), on)
