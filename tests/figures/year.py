"""A generated year of cases (tuotettu vuosi): many realistic lives, made fast.

Hypothesis draws few, small histories; the figures of a whole county's year want many,
so :func:`generate_year` plays ``n_cases`` lives with a seeded ``random.Random`` through
the facade (every command checked by the rules, as a host's would be): openings across
the year before and the year itself, matters and their assessments (some late, some
declined, some beginning child welfare), service decisions, services ordered, started,
ended and cancelled, children joining and leaving with their own workers, and closings
with every reason. Names and free text carry ``marker``, for the privacy tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from perhetyo import (
    Actor,
    ClosureReason,
    DecisionOutcome,
    FamilyCases,
    Initiation,
    LegalBasis,
    NamedWorker,
    PersonRef,
    Profession,
    ServiceKind,
)
from perhetyo.testing import FakeClock

WORKERS = 40


def clock_after(year: int) -> FakeClock:
    """A clock on 15 January of the next year: every date of ``year`` is in the past."""
    return FakeClock(datetime(year + 1, 1, 15, 10, tzinfo=UTC))


def _worker(number: int, marker: str, *, social_worker: bool = True) -> NamedWorker:
    profession = (
        Profession.SOCIAL_WORKER if social_worker else Profession.SPECIAL_SOCIAL_COUNSELLOR
    )
    return NamedWorker(id=f"sw-{number:02d}", name=f"Työntekijä {marker}", profession=profession)


@dataclass
class _Life:
    """One case's life as it is played: its id, its cursor date, what runs in it."""

    cases: FamilyCases
    rng: random.Random
    actor: Actor
    marker: str
    today: date
    case_id: UUID = field(default_factory=lambda: UUID(int=0))
    on: date = date.min
    children: list[str] = field(default_factory=list)
    running: dict[UUID, bool] = field(default_factory=dict)  # service id -> started
    may_begin_welfare: bool = False  # under SHL, with a social worker as the named worker

    def step(self, most: int = 20) -> bool:
        """Move the cursor on 0 to ``most`` days; False when that passes today."""
        day = self.on + timedelta(days=self.rng.randint(0, most))
        if day > self.today:
            return False
        self.on = day
        return True


def _open(life: _Life, number: int, year: int, *, shared_children: list[str]) -> None:
    rng, marker = life.rng, life.marker
    welfare = rng.random() < 0.3
    opened_on = date(year - 1, 7, 1) + timedelta(days=rng.randint(0, 540))
    ids = [f"child-{number}-{k}" for k in range(rng.randint(1, 3))]
    if shared_children and rng.random() < 0.05:  # the same child in a second case
        ids[0] = rng.choice(shared_children)
    shared_children.append(ids[-1])
    social_worker = welfare or rng.random() < 0.8
    life.children = ids
    life.on = opened_on
    life.may_begin_welfare = social_worker and not welfare
    life.case_id = life.cases.open_case(
        children=[
            PersonRef(id=child, display_name=f"Lapsi {marker}", birth_date=date(2012, 5, 1))
            for child in ids
        ],
        guardians=[PersonRef(id=f"guardian-{number}", display_name=f"Huoltaja {marker}")],
        legal_basis=LegalBasis.CHILD_WELFARE_ACT if welfare else LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=_worker(rng.randint(1, WORKERS), marker, social_worker=social_worker),
        opened_on=opened_on,
        pending_on=opened_on - timedelta(days=rng.randint(0, 10)),
        initiated_by=rng.choice(list(Initiation)),
        special_support=rng.random() < 0.3,
        actor=life.actor,
    )


def _assess(life: _Life, matter_id: UUID | None, *, may_begin_welfare: bool) -> None:
    rng, cases, case_id = life.rng, life.cases, life.case_id
    if rng.random() < 0.05:
        if life.step(12):
            cases.decline_assessment(
                case_id, decided_on=life.on, reason=f"Ei tarvetta {life.marker}",
                matter_id=matter_id, actor=life.actor,
            )
        return
    if rng.random() < 0.1 or not life.step(14):
        return
    cases.start_assessment(case_id, started_on=life.on, matter_id=matter_id, actor=life.actor)
    if rng.random() < 0.2 or not life.step(110):
        return
    cases.complete_assessment(
        case_id,
        completed_on=life.on,
        conclusions=f"Johtopäätökset {life.marker}",
        relationship_continues=True,
        special_support=rng.random() < 0.3,
        child_welfare_begins=may_begin_welfare and rng.random() < 0.15,
        needs_named_worker=True,
        plan_needed=True,
        matter_id=matter_id,
        actor=life.actor,
    )


def _services(life: _Life) -> None:
    rng, cases, case_id, me = life.rng, life.cases, life.case_id, life.actor
    for _ in range(rng.randint(0, 3)):
        if not life.step(30):
            return
        kind = rng.choice(list(ServiceKind))
        if rng.random() < 0.5:
            cases.decide_service(
                case_id,
                kind=kind,
                outcome=rng.choice(list(DecisionOutcome)),
                decided_on=life.on,
                legal_sections=("SHL 1301/2014 19 §",),
                reasoning=f"Perustelut {life.marker}",
                decision_maker=_worker(1, life.marker),
                actor=me,
            )
        service_id = cases.order_service(
            case_id, kind=kind, provider=f"Tuottaja {life.marker}", ordered_on=life.on, actor=me
        )
        life.running[service_id] = False
        if rng.random() < 0.8 and life.step(20):
            cases.start_service(case_id, service_id, started_on=life.on, actor=me)
            life.running[service_id] = True


def _end_services(life: _Life, *, all_of_them: bool) -> bool:
    for service_id in list(life.running):
        if not all_of_them and life.rng.random() < 0.5:
            continue
        if not life.step(60):
            return False
        life.cases.end_service(
            life.case_id, service_id, ended_on=life.on, reason="Päättyi.", actor=life.actor
        )
        del life.running[service_id]
    return True


def _children(life: _Life, number: int) -> None:
    rng, cases, case_id, me = life.rng, life.cases, life.case_id, life.actor
    if rng.random() < 0.2 and life.step(30):
        child = rng.choice(life.children)
        cases.assign_named_worker(
            case_id, worker=_worker(rng.randint(1, WORKERS), life.marker),
            assigned_on=life.on, reason="Oma työntekijä.", child_id=child, actor=me,
        )
    if rng.random() < 0.1 and life.step(30):
        child = f"child-{number}-joined"
        cases.add_child(
            case_id, child=PersonRef(id=child, display_name=f"Vauva {life.marker}"),
            joined_on=life.on, actor=me,
        )
        life.children.append(child)
    if len(life.children) > 1 and rng.random() < 0.1 and life.step(30):
        child = life.children.pop(0)
        cases.remove_child(
            case_id, child_id=child, left_on=life.on, reason=rng.choice(list(ClosureReason)),
            view=f"Näkemys {life.marker}", actor=me,
        )


def _play(life: _Life, number: int, year: int, shared_children: list[str]) -> None:
    rng = life.rng
    _open(life, number, year, shared_children=shared_children)
    _assess(life, None, may_begin_welfare=life.may_begin_welfare)
    if rng.random() < 0.15 and life.step(60):
        matter_id = life.cases.record_pending(
            life.case_id, pending_on=life.on, initiated_by=rng.choice(list(Initiation)),
            special_support=rng.random() < 0.5, actor=life.actor,
        )
        _assess(life, matter_id, may_begin_welfare=False)
    _services(life)
    _children(life, number)
    if not _end_services(life, all_of_them=False) or rng.random() < 0.5:
        return
    if not _end_services(life, all_of_them=True) or not life.step(60):
        return
    life.cases.close_case(
        life.case_id,
        closed_on=life.on,
        reason=rng.choice(list(ClosureReason)),
        child_views=dict.fromkeys(life.children, f"Näkemys {life.marker}"),
        not_heard_reasons={},
        actor=life.actor,
    )


def generate_year(
    cases: FamilyCases, *, year: int, n_cases: int, seed: int = 1, marker: str = "M"
) -> list[UUID]:
    """Play ``n_cases`` lives that touch ``year`` (opened from 1 July of the year before).

    The store's clock must be on or after 1 January of the next year (:func:`clock_after`).
    Returns the case ids, in the order opened.
    """
    rng = random.Random(seed)
    actor = Actor(id="generator", name=f"Generaattori {marker}")
    today = min(cases.now().date(), date(year + 1, 1, 14))
    shared: list[str] = []
    ids = []
    for number in range(n_cases):
        life = _Life(cases=cases, rng=rng, actor=actor, marker=marker, today=today)
        _play(life, number, year, shared)
        ids.append(life.case_id)
    return ids
