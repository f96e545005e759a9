"""The state machine's own model of a case, and the rules written out once more as a spec.

Each ``refusals_*`` function takes what the model knows and a command's arguments and
returns the errors the rules allow for them: empty when the command must be accepted. It
is written from design.md section 4, not from the aggregate, so that a rule the aggregate
forgets, adds or orders differently shows up as a disagreement. When several rules are
broken at once any of their errors may be raised, except that a closed case always answers
``CaseClosedError`` and a shape error always comes first (:func:`refusals_before_rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from perhetyo import (
    AssessmentLifecycleError,
    CaseClosedError,
    CaseNotFoundError,
    ChildAlreadyInCaseError,
    ChildWelfareConflictError,
    ClosureIncompleteError,
    DateOutOfRangeError,
    DecisionNotApplicableError,
    DecisionNotFoundError,
    DecisionOutcome,
    DisclosureBannedError,
    EntryNotFoundError,
    GoalAlreadyFinalError,
    GoalNotFoundError,
    GoalStatus,
    InvalidCommandError,
    LastChildError,
    LegalBasis,
    MatterNotFoundError,
    NamedWorker,
    OutOfOrderError,
    PerhetyoError,
    Profession,
    ServiceKind,
    ServiceLifecycleError,
    ServiceNotFoundError,
    ServiceStatus,
    UnknownChildError,
    WorkerNotQualifiedError,
)
from perhetyo.events import opening_matter_id

Error = type[PerhetyoError]

QUALIFIED = {
    LegalBasis.SOCIAL_WELFARE_ACT: {Profession.SOCIAL_WORKER, Profession.SPECIAL_SOCIAL_COUNSELLOR},
    LegalBasis.CHILD_WELFARE_ACT: {Profession.SOCIAL_WORKER},
}
"""Who may be the named worker, by the case's legal basis."""

FINAL = {GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.DROPPED}
RUNNING = {ServiceStatus.ORDERED, ServiceStatus.ACTIVE}


@dataclass
class GoalModel:
    last_on: date
    set_on: date = date.min
    status: GoalStatus = GoalStatus.NOT_STARTED
    progress: int = 0
    last_updated_on: date | None = None
    updates: int = 0


@dataclass
class ServiceModel:
    ordered_on: date
    status: ServiceStatus = ServiceStatus.ORDERED
    started_on: date | None = None
    ended_on: date | None = None


@dataclass
class DecisionModel:
    kind: ServiceKind
    outcome: DecisionOutcome
    decided_on: date
    valid_from: date | None
    valid_until: date | None


@dataclass
class MatterModel:
    """A matter: when pending, and its assessment's steps."""

    pending_on: date
    started_on: date | None = None
    completed_on: date | None = None
    declined_on: date | None = None


@dataclass
class CaseModel:
    """What the machine expects of one case."""

    case_id: UUID
    legal_basis: LegalBasis
    opened_on: date
    children: tuple[str, ...]
    named_worker: NamedWorker
    version: int = 1
    closed_on: date | None = None
    latest_on: date = date.min
    worker_on: date = date.min
    plan_version: int = 0
    plan_on: date | None = None
    goals: dict[UUID, GoalModel] = field(default_factory=dict)
    services: dict[UUID, ServiceModel] = field(default_factory=dict)
    meetings: list[UUID] = field(default_factory=list)
    child_views: dict[str, str] = field(default_factory=dict)
    bans: dict[str, date] = field(default_factory=dict)
    """Each person a minor's ban covers, from the earliest date a ban on them was decided."""
    child_since: dict[str, date] = field(default_factory=dict)
    """Each child's latest own step (joined, own worker, left): the floor of the next."""
    child_workers: dict[str, NamedWorker] = field(default_factory=dict)
    memberships: list[tuple[str, date, date | None]] = field(default_factory=list)
    decisions: dict[UUID, DecisionModel] = field(default_factory=dict)
    cancelled: list[UUID] = field(default_factory=list)
    matters: dict[UUID, MatterModel] = field(default_factory=dict)
    """The matters in the order they became pending (the opening's first)."""
    child_welfare_from: date | None = None

    @classmethod
    def opened(
        cls,
        case_id: UUID,
        legal_basis: LegalBasis,
        opened_on: date,
        children: tuple[str, ...],
        worker: NamedWorker,
        *,
        pending_on: date | None = None,
    ) -> CaseModel:
        return cls(
            case_id=case_id,
            legal_basis=legal_basis,
            opened_on=opened_on,
            children=children,
            named_worker=worker,
            latest_on=opened_on,
            worker_on=opened_on,
            child_since=dict.fromkeys(children, opened_on),
            memberships=[(child, opened_on, None) for child in children],
            matters={opening_matter_id(case_id): MatterModel(pending_on or opened_on)},
        )

    def matter(self, matter_id: UUID | None) -> tuple[UUID, MatterModel | None]:
        """The matter ``matter_id`` names (None: the latest), or None if it has no such."""
        if matter_id is None:
            matter_id = list(self.matters)[-1]
        return matter_id, self.matters.get(matter_id)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def recorded(self, on: date) -> None:
        """One more event, dated ``on``."""
        self.version += 1
        self.latest_on = max(self.latest_on, on)

    def recorded_about_the_record(self) -> None:
        """One more event about the record itself (a disclosure, a correction): its date
        does not count toward the closing date."""
        self.version += 1


# --- the rules --------------------------------------------------------------------------


def refusals_before_rules(
    model: CaseModel | None, *, bad_shape: bool, closed_takes_it: bool = False
) -> set[Error] | None:
    """What is decided before the case's own rules: shape, existence, closed; else None.

    A closed case still takes a disclosure and a correction (``closed_takes_it``)."""
    if bad_shape:
        return {InvalidCommandError}
    if model is None:
        return {CaseNotFoundError}
    if not model.is_open and not closed_takes_it:
        return {CaseClosedError}
    return None


def _happened(model: CaseModel, on: date, today: date) -> set[Error]:
    """Dates of things that happened: not before the case opened, not after today."""
    return {DateOutOfRangeError} if on < model.opened_on or on > today else set()


def _planned(planned: date | None, set_on: date) -> set[Error]:
    """Planned dates may be in the future, but not before the date they were set."""
    return {DateOutOfRangeError} if planned is not None and planned < set_on else set()


def _not_before(on: date, earlier: date | None) -> set[Error]:
    """Order within a thread: not before its previous step."""
    return {OutOfOrderError} if earlier is not None and on < earlier else set()


def _children(model: CaseModel, child_ids: Iterable[str]) -> set[Error]:
    return {UnknownChildError} if set(child_ids) - set(model.children) else set()


def refusals_to_open(
    worker: NamedWorker,
    legal_basis: LegalBasis,
    opened_on: date,
    today: date,
    pending_on: date | None = None,
) -> set[Error]:
    refusals: set[Error] = {DateOutOfRangeError} if opened_on > today else set()
    if pending_on is not None and pending_on > opened_on:
        refusals.add(DateOutOfRangeError)
    if worker.profession not in QUALIFIED[legal_basis]:
        refusals.add(WorkerNotQualifiedError)
    return refusals


def refusals_to_assign(
    model: CaseModel, worker: NamedWorker, on: date, today: date, child_id: str | None = None
) -> set[Error]:
    """The case's named worker, or with ``child_id`` that child's own."""
    refusals = _happened(model, on, today)
    if child_id is None:
        refusals |= _not_before(on, model.worker_on)
    elif child_id in model.children:
        refusals |= _not_before(on, model.child_since[child_id])
    else:
        refusals.add(UnknownChildError)
    if worker.profession not in QUALIFIED[model.legal_basis]:
        refusals.add(WorkerNotQualifiedError)
    return refusals


def refusals_to_record(
    model: CaseModel, on: date, today: date, child_id: str | None = None
) -> set[Error]:
    """A meeting, or a child's view when ``child_id`` is given."""
    return _happened(model, on, today) | _children(model, [child_id] if child_id else [])


def refusals_to_agree(
    model: CaseModel, on: date, review_due_on: date | None, today: date
) -> set[Error]:
    return (
        _happened(model, on, today) | _not_before(on, model.plan_on) | _planned(review_due_on, on)
    )


def refusals_to_set_goal(
    model: CaseModel, on: date, target_date: date | None, child_id: str | None, today: date
) -> set[Error]:
    return refusals_to_record(model, on, today, child_id) | _planned(target_date, on)


def refusals_to_update_goal(
    model: CaseModel, goal_id: UUID, status: GoalStatus, on: date, today: date
) -> set[Error]:
    refusals = _happened(model, on, today)
    goal = model.goals.get(goal_id)
    if goal is None:
        return refusals | {GoalNotFoundError}
    if goal.status in FINAL:
        refusals.add(GoalAlreadyFinalError)
    return refusals | _not_before(on, goal.last_on)


def refusals_to_order(
    model: CaseModel,
    on: date,
    goal_ids: Iterable[UUID],
    today: date,
    cited: tuple[UUID, ServiceKind] | None = None,
) -> set[Error]:
    """``cited``: the decision the order cites, and the kind of service ordered."""
    refusals = _happened(model, on, today) | _cites(model, on, cited)
    if any(goal_id not in model.goals for goal_id in goal_ids):
        refusals.add(GoalNotFoundError)
    if any(goal_id in model.goals and model.goals[goal_id].set_on > on for goal_id in goal_ids):
        refusals.add(OutOfOrderError)  # a service's goals exist on its order date
    return refusals


def _cites(model: CaseModel, on: date, cited: tuple[UUID, ServiceKind] | None) -> set[Error]:
    """A decision an order cites: this case's, granting the kind ordered, valid on ``on``."""
    if cited is None:
        return set()
    decision = model.decisions.get(cited[0])
    if decision is None:
        return {DecisionNotFoundError}
    refusals: set[Error] = {OutOfOrderError} if on < decision.decided_on else set()
    if (
        decision.outcome is DecisionOutcome.DENIED
        or decision.kind is not cited[1]
        or (decision.valid_from is not None and on < decision.valid_from)
        or (decision.valid_until is not None and on > decision.valid_until)
    ):
        refusals.add(DecisionNotApplicableError)
    return refusals


def refusals_to_decide(model: CaseModel, on: date, today: date) -> set[Error]:
    return _happened(model, on, today)


def refusals_to_add_child(model: CaseModel, child_id: str, on: date, today: date) -> set[Error]:
    refusals = _happened(model, on, today)
    if child_id in model.children:
        refusals.add(ChildAlreadyInCaseError)
    return refusals | _not_before(on, model.child_since.get(child_id))


def refusals_to_remove_child(
    model: CaseModel, child_id: str, on: date, today: date
) -> set[Error]:
    refusals = _happened(model, on, today)
    if child_id not in model.children:
        return refusals | {UnknownChildError}
    if len(model.children) == 1:
        refusals.add(LastChildError)
    return refusals | _not_before(on, model.child_since[child_id])


def refusals_to_cancel(
    model: CaseModel, planned_on: date, cancelled_on: date | None, today: date
) -> set[Error]:
    """A cancellation: planned not before the opening; cancelled by today, not after the
    planned date; a future meeting needs ``cancelled_on`` given."""
    refusals: set[Error] = set()
    if planned_on < model.opened_on or (cancelled_on is None and planned_on > today):
        refusals.add(DateOutOfRangeError)
    on = planned_on if cancelled_on is None else cancelled_on
    refusals |= _happened(model, on, today)
    if on > planned_on:
        refusals.add(OutOfOrderError)
    return refusals


def refusals_to_start(model: CaseModel, service_id: UUID, on: date, today: date) -> set[Error]:
    refusals = _happened(model, on, today)
    service = model.services.get(service_id)
    if service is None:
        return refusals | {ServiceNotFoundError}
    if service.status is not ServiceStatus.ORDERED:
        refusals.add(ServiceLifecycleError)
    return refusals | _not_before(on, service.ordered_on)


def refusals_to_end(model: CaseModel, service_id: UUID, on: date, today: date) -> set[Error]:
    refusals = _happened(model, on, today)
    service = model.services.get(service_id)
    if service is None:
        return refusals | {ServiceNotFoundError}
    if service.status not in RUNNING:
        refusals.add(ServiceLifecycleError)
    return refusals | _not_before(on, service.started_on or service.ordered_on)


def refusals_to_close(model: CaseModel, on: date, answered: set[str], today: date) -> set[Error]:
    """``answered``: the children given a view or a not-heard reason in the command."""
    refusals = _happened(model, on, today) | _not_before(on, model.latest_on)
    refusals |= _children(model, answered)
    running = any(service.status in RUNNING for service in model.services.values())
    if running or set(model.children) - answered:
        refusals.add(ClosureIncompleteError)
    return refusals


def refusals_to_disclose(
    model: CaseModel, on: date, today: date, person_id: str | None
) -> set[Error]:
    """A ban in force on the disclosure's date refuses its person, or a recipient with none."""
    refusals = _happened(model, on, today)
    in_force = {person for person, since in model.bans.items() if since <= on}
    if in_force and (person_id is None or person_id in in_force):
        refusals.add(DisclosureBannedError)
    return refusals


def refusals_to_ban(model: CaseModel, on: date, today: date, child_id: str) -> set[Error]:
    return refusals_to_record(model, on, today, child_id)


def refusals_to_correct(model: CaseModel, version: int) -> set[Error]:
    """A correction points at an event already in the case."""
    return set() if 1 <= version <= model.version else {EntryNotFoundError}
# --- the matter and its assessment ---------------------------------------------------------


def refusals_to_pend(model: CaseModel, on: date, today: date) -> set[Error]:
    """A later matter: a date that happened, not before the latest matter's."""
    latest = max(matter.pending_on for matter in model.matters.values())
    return _happened(model, on, today) | _not_before(on, latest)


def refusals_to_start_or_decline(
    model: CaseModel, matter_id: UUID | None, on: date, today: date
) -> set[Error]:
    """Start or decline: a known matter, neither started nor declined, not before pending."""
    refusals = _happened(model, on, today)
    _, matter = model.matter(matter_id)
    if matter is None:
        return refusals | {MatterNotFoundError}
    if matter.started_on is not None or matter.declined_on is not None:
        refusals.add(AssessmentLifecycleError)
    return refusals | _not_before(on, matter.pending_on)


def refusals_to_complete(
    model: CaseModel,
    matter_id: UUID | None,
    on: date,
    *,
    answered: set[str],
    child_welfare_begins: bool,
    today: date,
) -> set[Error]:
    """Completion: a started, uncompleted assessment, not before its start, the children
    the case's; child welfare may begin only under SHL and with a social worker named."""
    refusals = _happened(model, on, today)
    _, matter = model.matter(matter_id)
    if matter is None:
        return refusals | {MatterNotFoundError}
    if matter.started_on is None or matter.completed_on is not None:
        refusals.add(AssessmentLifecycleError)
    refusals |= _not_before(on, matter.started_on) | _children(model, answered)
    if child_welfare_begins:
        if model.legal_basis is LegalBasis.CHILD_WELFARE_ACT:
            refusals.add(ChildWelfareConflictError)
        if model.named_worker.profession is not Profession.SOCIAL_WORKER:
            refusals.add(WorkerNotQualifiedError)
        if any(
            worker.profession is not Profession.SOCIAL_WORKER
            for child_id, worker in model.child_workers.items()
            if child_id in model.children
        ):
            refusals.add(WorkerNotQualifiedError)
    return refusals
