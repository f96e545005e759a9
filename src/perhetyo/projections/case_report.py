"""Case report (asiakasraportti): the client plan as a social worker prints it, as one fold.

One pass over a case's events feeds the three folds the report shows, side by side: the
current plan (:mod:`~perhetyo.projections.current_plan`), each goal's timeline
(:mod:`~perhetyo.projections.goal_progress`) and the audit trail
(:mod:`~perhetyo.projections.audit_trail`), and it collects who recorded (the actors, by
name, for the trail's legend) and every named worker the case has had. The statutory
deadlines are then read from the folded plan (:mod:`~perhetyo.projections.deadlines`),
with their status on the report's day.

A pure function of the events and the report's day: nothing is stamped when it is read, so
the same record and day always give an equal report. The HTML page is drawn from it by
:func:`perhetyo.reporting.render_case_report`; this module knows nothing of HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple
from uuid import UUID

from perhetyo.events import CaseEvent, CaseOpened, NamedWorkerAssigned
from perhetyo.projections import audit_trail, current_plan, goal_progress
from perhetyo.projections.audit_trail import AuditEntry
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.deadlines import (
    DEFAULT_POLICY,
    Deadline,
    DeadlinePolicy,
    deadline_facts,
    deadlines_on,
)
from perhetyo.projections.goal_progress import GoalProgress
from perhetyo.projections.plan_views import ServiceView
from perhetyo.values import Actor, NamedWorker, ValueModel

__all__ = ["CaseReport", "ReportFold", "apply", "case_report", "initial"]


class CaseReport(ValueModel):
    """Case report (asiakasraportti): the plan, goal timelines, services, deadlines, trail.

    ``on`` is the report's day: the deadlines' status is theirs on that day, and a report
    asked for a past day shows what had happened by then. ``actors`` are everyone who
    recorded something in the case (first appearance first), ``workers`` every named
    worker the case or one of its children has had, in the order named. The report holds
    the client's personal data by nature: names, views and notes; keep it as a client
    record.
    """

    case_id: UUID
    on: date
    plan: CurrentPlan
    goals: tuple[GoalProgress, ...]
    deadlines: tuple[Deadline, ...]
    audit_trail: tuple[AuditEntry, ...]
    actors: tuple[Actor, ...]
    workers: tuple[NamedWorker, ...]

    @property
    def services(self) -> tuple[ServiceView, ...]:
        """The plan's services, in the order ordered (the timeline's rows)."""
        return self.plan.services


class ReportFold(NamedTuple):
    """The fold's state (raportin kooste): the three folds' states and the people seen."""

    plan: CurrentPlan | None
    goals: tuple[GoalProgress, ...]
    trail: tuple[AuditEntry, ...]
    actors: tuple[Actor, ...]
    workers: tuple[NamedWorker, ...]


def initial() -> ReportFold:
    """Nothing before the opening event."""
    return ReportFold(
        current_plan.initial(), goal_progress.initial(), audit_trail.initial(), (), ()
    )


def _worker(event: CaseEvent) -> NamedWorker | None:
    if isinstance(event, CaseOpened):
        return event.named_worker
    if isinstance(event, NamedWorkerAssigned):
        return event.worker
    return None


def apply(state: ReportFold, event: CaseEvent) -> ReportFold:
    """The state after ``event``: each fold moved by it, its actor and worker noted."""
    actors = state.actors
    if all(actor.id != event.actor.id for actor in actors):
        actors = (*actors, event.actor)
    workers = state.workers
    worker = _worker(event)
    if worker is not None and worker not in workers:
        workers = (*workers, worker)
    return ReportFold(
        current_plan.apply(state.plan, event),
        goal_progress.apply(state.goals, event),
        audit_trail.apply(state.trail, event),
        actors,
        workers,
    )


def case_report(
    events: Iterable[CaseEvent], *, on: date, policy: DeadlinePolicy = DEFAULT_POLICY
) -> CaseReport | None:
    """The report of a case's events on ``on`` (None before its opening event)."""
    state = initial()
    for event in events:
        state = apply(state, event)
    plan = state.plan
    if plan is None:
        return None
    return CaseReport.trusted(
        case_id=plan.case_id,
        on=on,
        plan=plan,
        goals=state.goals,
        deadlines=tuple(deadlines_on(deadline_facts(plan, policy), on)),
        audit_trail=state.trail,
        actors=state.actors,
        workers=state.workers,
    )
