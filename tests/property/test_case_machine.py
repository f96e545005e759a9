"""Random valid and invalid commands over several cases (a hypothesis state machine).

The machine is a :class:`perhetyo.testing.CaseStateMachine` (the testing kit users
subclass), with the kit's own rules turned off: the kit holds the library's invariants
(a refused command records nothing; replaying a case gives the case the command path
loads and the reads it serves; the stored projections equal the live folds), and this
machine adds what a spec of the rules can say. It keeps its own model of every case
(``case_model``): what is open, which goals are final, where each service stands, which
dates the rules allow. Each command is drawn valid or with one deliberate mistake (a bad
shape, an unknown id, a date out of range or out of order, an unqualified worker, a
forgotten child...), but the outcome is predicted from the arguments alone, by the rules
as the model states them. The library is held to it:

- a command is accepted exactly when the model finds no rule broken; a refused one raises
  an error the model predicts and (b) leaves the stream and the case version as they were;
- (a) folding the stored events gives the case the application loads and the reads it
  serves (current plan, goal progress, audit trail), and those reads agree with the model;
- (c) a read ``as_of`` a date folds the events dated up to it, and a read
  ``recorded_before`` an instant folds the events recorded before it;
- every event recorded round-trips through the codec unchanged;
- a request id repeated with the same arguments returns the first result and records
  nothing; with other arguments it is refused.

The fake clock moves before each command, by nothing at all, a little, or past midnight in
Helsinki (not UTC) and over a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from case_model import (
    FINAL,
    CaseModel,
    DecisionModel,
    Error,
    GoalModel,
    ServiceModel,
    refusals_before_rules,
    refusals_to_add_child,
    refusals_to_agree,
    refusals_to_assign,
    refusals_to_ban,
    refusals_to_cancel,
    refusals_to_close,
    refusals_to_correct,
    refusals_to_decide,
    refusals_to_disclose,
    refusals_to_end,
    refusals_to_open,
    refusals_to_order,
    refusals_to_record,
    refusals_to_remove_child,
    refusals_to_set_goal,
    refusals_to_start,
    refusals_to_update_goal,
)
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)
from matter_machine import MatterRules

from perhetyo import (
    Actor,
    CaseClosedError,
    CaseNotFoundError,
    CaseStatus,
    ClosureReason,
    ContactChannel,
    DecisionOutcome,
    GoalStatus,
    InvalidCommandError,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PerhetyoError,
    PersonRef,
    Profession,
    Recipient,
    RequestConflictError,
    ServiceKind,
    ServiceStatus,
    Successor,
    SuccessorKind,
)
from perhetyo.events import CaseEvent, CaseOpened
from perhetyo.persistence import OrjsonTranscoder, PydanticMapper
from perhetyo.projections import (
    AuditEntry,
    CurrentPlan,
    GoalProgress,
    audit_trail,
    current_plan,
    fold,
)
from perhetyo.projections import goal_progress as goal_progress_fold
from perhetyo.testing import CaseStateMachine, an_actor, named_workers

READER = an_actor("reader-1")
MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())

CHILD_POOL = ("child-1", "child-2", "child-3", "lapsi.4")
"""Children ids the cases draw from: a case has some of them, the rest are strangers to it."""
STRANGER_ID = "child-of-another-family"
"""A child of no case, when a case has all of the pool's children."""
GUARDIAN_POOL = ("guardian-1", "guardian-2")
ACTORS = (
    an_actor(),
    Actor(id="fw-2", name="Family worker", profession=Profession.FAMILY_WORKER),
    Actor(id="admin:3", name="Kirjaaja"),
)
OTHER_ACTOR = Actor(id="sw-99", name="Another worker", profession=Profession.SOCIAL_WORKER)

START_INSTANTS = (
    datetime(2020, 12, 31, 21, 55, tzinfo=UTC),  # 23:55 in Helsinki, new year's eve
    datetime(2021, 3, 27, 21, 50, tzinfo=UTC),  # 23:50, the night summer time starts
    datetime(2021, 10, 30, 20, 30, tzinfo=UTC),  # 23:30 EEST, the night it ends
    datetime(2020, 2, 28, 12, 0, tzinfo=UTC),  # the day before a leap day
)
CLOCK_STEPS = (
    timedelta(milliseconds=1),
    timedelta(0),  # two events recorded at the same instant
    timedelta(minutes=20),
    timedelta(hours=23),
    timedelta(days=2, hours=1),
)
GOAL_STATUSES = (GoalStatus.IN_PROGRESS, GoalStatus.IN_PROGRESS, GoalStatus.NOT_STARTED, *FINAL)
"""Statuses a goal update draws: a final one in half of the updates."""

# Deliberate mistakes. A command makes at most one; the outcome is still computed from its
# arguments by the model, never from the name of the mistake.
SHAPE = "bad shape"
UNKNOWN_CASE = "unknown case"
BEFORE_FLOOR = "date before the previous step"
BEFORE_OPENING = "date before the opening"
FUTURE = "date in the future"
ON_A_CASE = (SHAPE, UNKNOWN_CASE, BEFORE_OPENING, FUTURE)
IN_A_THREAD = (*ON_A_CASE, BEFORE_FLOOR, BEFORE_FLOOR)
"""Mistakes of commands that follow an earlier step (a worker, a plan, a goal, a service)."""
UNQUALIFIED = "unqualified worker"
STRANGER = "a child of no case or of another"
PLANNED_TOO_EARLY = "planned date before it was set"
UNKNOWN_ID = "unknown goal or service id"
OTHER_CASE = "goal or service of another case"
FORGOTTEN_CHILD = "a child not heard on closing"
BANNED = "a recipient a ban covers, or none while a ban is in force"
NO_SUCH_ENTRY = "a correction of no earlier entry"
PERSON_POOL = ("guardian-1", "guardian-2", "police-7")
"""The people a ban names and a disclosure goes to (ids of the host's registry)."""
ALREADY_THERE = "a child joining who is in the case"
BAD_VALIDITY = "valid_until before valid_from"

# Shape mistakes every command can make: InvalidCommandError before anything else.
BAD_CASE_IDS = ("not-a-uuid", 17)
BAD_ACTORS = ({"id": "", "name": "x"}, {"id": "131052-308T", "name": "Hetu as an id"})
BAD_DATES = (datetime(2020, 9, 1, 12, 0, tzinfo=UTC), "2020-09-01", None)
PHRASES = (
    "Säännöllinen päivärytmi",
    "Äiti ja isä sopivat viikonlopuista",
    "ö",
    "Lapsi toivoo harrastusta 😊",
    "e\u0301 yhdistetty merkki",
    "Rivi yksi\nrivi kaksi",
)
"""Free texts the machine sends (its concern is the rules; the codec's properties and the
tests of ``perhetyo.testing.texts()`` cover the rest of Unicode)."""


def bad_texts(max_length: int) -> list[str]:
    """Free texts a field of ``max_length`` refuses: empty, only whitespace, one too long."""
    return ["", " \t\n ", "x" * (max_length + 1)]


def folded_progress(events: list[CaseEvent]) -> list[GoalProgress]:
    """The goal progress that folding ``events`` gives."""
    progress: tuple[GoalProgress, ...] = fold(goal_progress_fold, events)
    return list(progress)


def folded_trail(events: list[CaseEvent]) -> list[AuditEntry]:
    """The audit trail that folding ``events`` gives."""
    trail: tuple[AuditEntry, ...] = fold(audit_trail, events)
    return list(trail)


@dataclass(frozen=True)
class Request:
    """An accepted command sent with a request id, to send again."""

    case_id: UUID
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    result: Any


@dataclass(frozen=True)
class Ref:
    """A goal or a service in the bundles: the case it was created in, and its id."""

    case_id: UUID
    id: UUID


@dataclass(frozen=True)
class Scene:
    """What the machine starts from (bundles' first values)."""

    case_ids: tuple[UUID, ...]
    goals: tuple[Ref, ...]
    services: tuple[Ref, ...]


class Refused:
    """The result of a command that was refused, as predicted."""


REFUSED = Refused()


class FamilyCasesMachine(MatterRules, CaseStateMachine):
    draws_commands = False  # this machine draws every command itself, against its model
    stored_check_every = 20  # at most twice a run: tests/projections holds it at length
    reader = READER
    case_ids = CaseStateMachine.case_ids
    goal_refs = Bundle("goal_refs")
    service_refs = Bundle("service_refs")

    def __init__(self) -> None:
        super().__init__()
        self.models: dict[UUID, CaseModel] = {}
        self.requests: list[Request] = []
        self.request_count = 0
        self.touched: set[UUID] = set()
        """The cases this step changed (the kit's own checks keep their own account)."""
        self._scene: Scene | None = None

    def touch(self, case_id: UUID) -> None:
        super().touch(case_id)
        self.touched.add(case_id)

    # --- drawing arguments -------------------------------------------------------------

    def begin(self, data: st.DataObject, *mistakes: str) -> str | None:
        """Every command starts here: the clock moves, and at most one mistake is chosen."""
        self.touched = set()
        self.clock.advance(data.draw(st.sampled_from(CLOCK_STEPS), label="clock advances"))
        if not mistakes or not self.sometimes(data, "with a mistake", one_in=3):
            return None
        mistake: str = data.draw(st.sampled_from(mistakes), label="mistake")
        return mistake

    @staticmethod
    def sometimes(data: st.DataObject, label: str, one_in: int) -> bool:
        """True about once in ``one_in`` draws; shrinks to False."""
        return data.draw(st.integers(0, one_in - 1), label=label) == one_in - 1

    @staticmethod
    def shape(
        data: st.DataObject,
        mistake: str | None,
        date_field: str,
        specific: list[dict[str, Any]],
        *,
        on_a_case: bool = True,
    ) -> dict[str, Any] | None:
        """For a shape mistake, arguments that break the command's shape (only its shape)."""
        if mistake != SHAPE:
            return None
        common: list[dict[str, Any]] = [
            *({"case_id": bad} for bad in (BAD_CASE_IDS if on_a_case else ())),
            *({"actor": bad} for bad in BAD_ACTORS),
            *({date_field: bad} for bad in BAD_DATES),
        ]
        shape: dict[str, Any] = data.draw(st.sampled_from(specific + common), label="shape")
        return shape

    def business_date(
        self, data: st.DataObject, model: CaseModel | None, floor: date | None, mistake: str | None
    ) -> date:
        """A date the rules allow (from ``floor`` to today), unless the mistake is a date."""
        today = self.today()
        opened_on = model.opened_on if model else today - timedelta(days=30)
        floor = max(floor or opened_on, opened_on)
        if mistake == BEFORE_FLOOR and floor > opened_on:
            return data.draw(st.dates(opened_on, floor - timedelta(days=1)), label="too early")
        if mistake in (BEFORE_FLOOR, BEFORE_OPENING):
            early = st.dates(opened_on - timedelta(days=400), opened_on - timedelta(days=1))
            return data.draw(early, label="before the opening")
        if mistake == FUTURE:
            late = st.dates(today + timedelta(days=1), today + timedelta(days=40))
            return data.draw(late, label="in the future")
        kind = data.draw(st.sampled_from(("window", "window", "floor", "today")), label="when")
        if kind == "floor":
            return floor
        if kind == "today" or floor > today:
            return today
        return data.draw(st.dates(floor, today), label="date")

    @staticmethod
    def planned_date(data: st.DataObject, set_on: date, mistake: str | None) -> date | None:
        """None or a date up to a year after ``set_on``; before it for that mistake."""
        if mistake == PLANNED_TOO_EARLY:
            return set_on - timedelta(days=data.draw(st.integers(1, 5), label="days too early"))
        offset = data.draw(st.none() | st.integers(0, 365), label="planned date offset")
        return None if offset is None else set_on + timedelta(days=offset)

    @staticmethod
    def text(data: st.DataObject, max_length: int = 2_000) -> tuple[str, str]:
        """Free text as sent, and as the library keeps it (stripped)."""
        phrases = (*PHRASES, "y" * max_length)  # the longest text the field takes
        kept: str = data.draw(st.sampled_from(phrases), label="text")
        padding = data.draw(st.sampled_from(("", " ", "\n\t ")), label="padding")
        return f"{padding}{kept}{padding}", kept

    def common(self, data: st.DataObject) -> dict[str, Any]:
        """The actor, and a fresh request id once in four commands."""
        request_id = None
        if self.sometimes(data, "with a request id", one_in=4):
            self.request_count += 1
            request_id = f"req-{self.request_count}"
        return {"actor": data.draw(st.sampled_from(ACTORS)), "request_id": request_id}

    def open_cases(self) -> list[UUID]:
        return [case_id for case_id, model in self.models.items() if model.is_open]

    def case_target(self, data: st.DataObject, case_id: UUID, mistake: str | None) -> UUID:
        """The case to send to: ``case_id``, mostly an open one instead of a closed one."""
        if mistake == UNKNOWN_CASE:
            return data.draw(st.uuids(), label="unknown case id")
        open_cases = self.open_cases()
        closed = not self.models[case_id].is_open
        if closed and open_cases and not self.sometimes(data, "stay on the closed case", 4):
            return data.draw(st.sampled_from(open_cases), label="an open case")
        return case_id

    def ref_target(
        self, data: st.DataObject, ref: Ref, mistake: str | None, kind: str
    ) -> tuple[UUID, UUID]:
        """(case id, goal or service id): ``ref``, or a mismatch for those mistakes."""
        if mistake == UNKNOWN_ID:
            return ref.case_id, data.draw(st.uuids(), label=f"unknown {kind} id")
        if mistake == OTHER_CASE:
            others = [case_id for case_id in self.open_cases() if case_id != ref.case_id]
            if others:
                return data.draw(st.sampled_from(others), label="another case"), ref.id
        case_id = self.case_target(data, ref.case_id, mistake)
        if case_id != ref.case_id and case_id in self.models:
            # Moved off a closed case: take a goal or service of the open case, if it has one.
            model = self.models[case_id]
            ids = list(model.goals if kind == "goal" else model.services)
            if ids:
                return case_id, data.draw(st.sampled_from(ids), label=f"its {kind}")
        return case_id, ref.id

    @staticmethod
    def child_id(data: st.DataObject, model: CaseModel | None, mistake: str | None) -> str:
        """One of the case's children, or for that mistake a child who is not."""
        own = list(model.children) if model else []
        # A case may hold the whole pool (children join): then a stranger comes from outside.
        strangers = [child for child in CHILD_POOL if child not in own] or [STRANGER_ID]
        pool = strangers if mistake == STRANGER or not own else own
        child: str = data.draw(st.sampled_from(pool), label="child id")
        return child

    # --- running a command ---------------------------------------------------------------

    def attempt(
        self,
        case_id: UUID,
        expected: set[Error],
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """Run a command: refused exactly when ``expected`` names errors, with one of them."""
        call: Callable[..., Any] = getattr(self.cases, method)
        model = self.models.get(case_id)
        before = model.version if model else None
        if expected:
            # The kit's recording() holds that the refusal left the log and the case as
            # they were (b).
            with pytest.raises(PerhetyoError) as info, self.recording(case_id):
                call(*args, **kwargs)
            assert isinstance(info.value, tuple(expected)), (
                f"{type(info.value).__name__} raised, expected one of "
                f"{sorted(e.__name__ for e in expected)}: {info.value}"
            )
            event(f"refused: {type(info.value).__name__}")
            assert self.version_of(case_id) == before
            return REFUSED
        with self.recording(case_id):
            result = call(*args, **kwargs)
        assert model is not None
        history = self.history(case_id)
        assert len(history) == model.version + 1
        new = history[-1]
        assert new.originator_version == model.version + 1
        assert new.timestamp == self.clock()
        assert new.actor == kwargs["actor"]
        assert MAPPER.to_domain_event(MAPPER.to_stored_event(new)) == new
        if kwargs.get("request_id") is not None:
            self.requests.append(Request(case_id, method, args, kwargs, result))
        event(f"accepted: {type(new).__name__}")
        return result

    def run(
        self,
        case_id: UUID,
        model: CaseModel | None,
        shape: dict[str, Any] | None,
        method: str,
        *,
        kwargs: dict[str, Any],
        rules: Callable[[CaseModel], set[Error]],
        targets: tuple[str, ...] = (),
        closed_takes_it: bool = False,
    ) -> Any:
        """Predict the outcome (shape and closed case first, then ``rules``), then attempt."""
        expected = refusals_before_rules(
            model, bad_shape=shape is not None, closed_takes_it=closed_takes_it
        )
        if expected is None:
            assert model is not None
            expected = rules(model)
        kwargs |= shape or {}
        args = self.split_target(kwargs, case_id, *targets)
        return self.attempt(case_id, expected, method, args, kwargs)

    def assert_unchanged(self, case_id: UUID, before: int | None) -> None:
        """A repeated request recorded nothing: same stream length, same loaded version."""
        assert self.version_of(case_id) == before
        if before is not None:
            assert self.loaded_case(case_id).version == before  # the state commands decide on

    @staticmethod
    def split_target(kwargs: dict[str, Any], case_id: UUID, *names: str) -> tuple[Any, ...]:
        """The positional arguments (case id, goal or service id): a shape may replace them."""
        return (kwargs.pop("case_id", case_id), *(kwargs.pop(name) for name in names))

    # --- opening ---------------------------------------------------------------------------

    # The three initial steps run in any order; whichever comes first sets the scene, so
    # that goals and services exist from the first rule on.

    @initialize(target=case_ids, data=st.data())
    def two_open_cases(self, data: st.DataObject) -> Any:
        return multiple(*self.scene(data).case_ids)

    @initialize(target=goal_refs, data=st.data())
    def a_goal(self, data: st.DataObject) -> Any:
        return multiple(*self.scene(data).goals)

    @initialize(target=service_refs, data=st.data())
    def two_services(self, data: st.DataObject) -> Any:
        return multiple(*self.scene(data).services)

    def scene(self, data: st.DataObject) -> Scene:
        """Once: the clock starts at an awkward instant and two valid cases open, the first
        with a goal, a service ordered and another started."""
        if self._scene is not None:
            return self._scene
        self.clock.set(data.draw(st.sampled_from(START_INSTANTS), label="clock starts"))
        today = self.today()
        worker = NamedWorker(id="sw-1", name="Aino", profession=Profession.SOCIAL_WORKER)
        case_ids = []
        for legal_basis, children, days_ago in (
            (LegalBasis.SOCIAL_WELFARE_ACT, ("child-1",), 90),
            (LegalBasis.CHILD_WELFARE_ACT, ("child-2", "lapsi.4"), 3),
        ):
            opened_on = today - timedelta(days=days_ago)
            case_id = self.cases.open_case(
                children=[PersonRef(id=child, display_name="Lapsi") for child in children],
                legal_basis=legal_basis,
                named_worker=worker,
                opened_on=opened_on,
                actor=ACTORS[0],
            )
            self.models[case_id] = CaseModel.opened(
                case_id, legal_basis, opened_on, children, worker
            )
            self.touch(case_id)
            case_ids.append(case_id)
        first = self.models[case_ids[0]]
        set_on, ordered_on, started_on = (today - timedelta(days=d) for d in (60, 50, 40))
        goal_id = self.cases.set_goal(
            first.case_id, description="Arki sujuu", set_on=set_on, actor=ACTORS[0]
        )
        first.goals[goal_id] = GoalModel(last_on=set_on, set_on=set_on)
        services = []
        for started in (False, True):
            service_id = self.cases.order_service(
                first.case_id,
                kind=ServiceKind.FAMILY_WORK,
                provider="Perhetyö Oy",
                ordered_on=ordered_on,
                goal_ids=[goal_id],
                actor=ACTORS[0],
            )
            first.services[service_id] = ServiceModel(ordered_on=ordered_on)
            if started:
                self.cases.start_service(
                    first.case_id, service_id, started_on=started_on, actor=ACTORS[0]
                )
                first.services[service_id].status = ServiceStatus.ACTIVE
                first.services[service_id].started_on = started_on
            services.append(Ref(first.case_id, service_id))
        first.version += 4
        first.latest_on = max(first.latest_on, started_on)
        self._scene = Scene(tuple(case_ids), (Ref(first.case_id, goal_id),), tuple(services))
        return self._scene

    @rule(target=case_ids, data=st.data())
    def open_case(self, data: st.DataObject) -> Any:
        mistake = self.begin(data, SHAPE, UNQUALIFIED, FUTURE)
        today = self.today()
        legal_basis = data.draw(st.sampled_from(LegalBasis))
        worker = data.draw(named_workers(mistake != UNQUALIFIED, legal_basis=legal_basis))
        children = data.draw(
            st.lists(st.sampled_from(CHILD_POOL), min_size=1, max_size=3, unique=True)
        )
        guardians = data.draw(st.lists(st.sampled_from(GUARDIAN_POOL), unique=True))
        recent = st.dates(today - timedelta(days=120), today)
        future = st.dates(today + timedelta(days=1), today + timedelta(days=10))
        opened_on = data.draw(future if mistake == FUTURE else recent, label="opened_on")
        pending_days = data.draw(st.none() | st.integers(-3, 20), label="pending days before")
        pending_on = None if pending_days is None else opened_on - timedelta(days=pending_days)
        kwargs: dict[str, Any] = {
            "children": [PersonRef(id=child, display_name="Lapsi") for child in children],
            "guardians": [
                PersonRef(id=guardian, display_name="Huoltaja") for guardian in guardians
            ],
            "legal_basis": legal_basis,
            "named_worker": worker,
            "opened_on": opened_on,
            "pending_on": pending_on,
            "special_support": data.draw(st.booleans(), label="special support"),
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "opened_on",
            [
                {"children": []},
                {"children": [PersonRef(id="child-1", display_name="A")] * 2},
                {"children": [{"id": "131052-308T", "display_name": "Hetu"}]},
                {"guardians": [PersonRef(id="guardian-1", display_name="A")] * 2},
                {"legal_basis": "common_sense"},
                {"named_worker": {"id": "w", "name": "W", "profession": "boss"}},
            ],
            on_a_case=False,
        )
        if shape is not None:
            expected: set[Error] = {InvalidCommandError}
            kwargs |= shape
        else:
            expected = refusals_to_open(worker, legal_basis, opened_on, today, pending_on)
        request_id = kwargs["request_id"]
        if expected:
            would_be = None if request_id is None else self.cases.case_id_for_request(request_id)
            with pytest.raises(PerhetyoError) as info, self.recording(would_be):
                self.cases.open_case(**kwargs)
            assert isinstance(info.value, tuple(expected)), info.value
            event(f"refused: {type(info.value).__name__}")
            if would_be is not None:
                self.assert_unchanged(would_be, None)
            return multiple()
        with self.recording():
            case_id = self.cases.open_case(**kwargs)
        assert case_id not in self.models
        if request_id is not None:
            assert case_id == self.cases.case_id_for_request(request_id)
            self.requests.append(Request(case_id, "open_case", (), kwargs, case_id))
        history = self.history(case_id)
        assert len(history) == 1
        assert isinstance(history[0], CaseOpened)
        assert MAPPER.to_domain_event(MAPPER.to_stored_event(history[0])) == history[0]
        self.models[case_id] = CaseModel.opened(
            case_id, legal_basis, opened_on, tuple(children), worker, pending_on=pending_on
        )
        self.touch(case_id)
        event("accepted: CaseOpened")
        return case_id

    # --- case commands ---------------------------------------------------------------------

    @rule(case=case_ids, data=st.data())
    def assign_named_worker(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD, UNQUALIFIED, STRANGER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        legal_basis = model.legal_basis if model else LegalBasis.SOCIAL_WELFARE_ACT
        worker = data.draw(named_workers(mistake != UNQUALIFIED, legal_basis=legal_basis))
        for_a_child = mistake == STRANGER or self.sometimes(data, "a child's own worker", 3)
        child_id = self.child_id(data, model, mistake) if for_a_child else None
        floor = None
        if model is not None and child_id is not None:
            floor = model.child_since.get(child_id, model.opened_on)
        elif model is not None:
            floor = model.worker_on
        on = self.business_date(data, model, floor, mistake)
        kwargs: dict[str, Any] = {
            "worker": worker,
            "assigned_on": on,
            "reason": self.text(data)[0],
            "child_id": child_id,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "assigned_on",
            [
                *({"reason": bad} for bad in bad_texts(2_000)),
                {"worker": {"id": "w", "name": "W", "profession": "boss"}},
                {"worker": {"id": "w", "name": "", "profession": "social_worker"}},
            ],
        )
        outcome = self.run(
            case_id,
            model,
            shape,
            "assign_named_worker",
            kwargs=kwargs,
            rules=lambda model: refusals_to_assign(model, worker, on, self.today(), child_id),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        model.recorded(on)
        if child_id is not None:
            model.child_workers[child_id] = worker
            model.child_since[child_id] = on
            return
        model.worker_on = on
        model.named_worker = worker

    @rule(case=case_ids, data=st.data())
    def record_meeting(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        on = self.business_date(data, model, None, mistake)
        participants = data.draw(st.integers(0, 2), label="participants")
        kwargs: dict[str, Any] = {
            "kind": data.draw(st.sampled_from(MeetingKind)),
            "held_on": on,
            "participants": [self.text(data, 200)[0] for _ in range(participants)],
            "summary": self.text(data, 8_000)[0],
            "channel": data.draw(st.none() | st.sampled_from(ContactChannel)),
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "held_on",
            [
                *({"summary": bad} for bad in bad_texts(8_000)),
                {"kind": "party"},
                {"participants": ["  "]},
                {"participants": ["x" * 201]},
                {"participants": ["x"] * 101},
                {"channel": "pigeon"},
                {"place": "x" * 201},
            ],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "record_meeting",
            kwargs=kwargs,
            rules=lambda model: refusals_to_record(model, on, self.today()),
        )
        if result is REFUSED:
            return
        assert model is not None
        assert isinstance(result, UUID)
        model.recorded(on)
        model.meetings.append(result)

    @rule(case=case_ids, data=st.data())
    def record_child_view(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE, STRANGER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        child_id = self.child_id(data, model, mistake)
        heard = data.draw(st.booleans(), label="heard")
        text, kept = self.text(data, 8_000 if heard else 2_000)
        on = self.business_date(data, model, None, mistake)
        kwargs: dict[str, Any] = {
            # Ids are stripped like free text.
            "child_id": data.draw(st.sampled_from((child_id, f" {child_id}\t")), label="as sent"),
            "view": text if heard else None,
            "not_heard_reason": None if heard else text,
            "recorded_on": on,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "recorded_on",
            [
                {"view": "a view", "not_heard_reason": "a reason"},
                {"view": None, "not_heard_reason": None},
                {"view": "x" * 8_001, "not_heard_reason": None},
                {"view": None, "not_heard_reason": "x" * 2_001},
                {"child_id": "131052-308T"},
                {"child_id": "child 1"},
                {"child_id": ""},
            ],
        )
        outcome = self.run(
            case_id,
            model,
            shape,
            "record_child_view",
            kwargs=kwargs,
            rules=lambda model: refusals_to_record(model, on, self.today(), child_id),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        model.recorded(on)
        if heard:
            model.child_views[child_id] = kept

    @rule(case=case_ids, data=st.data())
    def agree_plan(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD, PLANNED_TOO_EARLY)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        on = self.business_date(data, model, model.plan_on if model else None, mistake)
        agreements = data.draw(st.integers(1, 2), label="agreements")
        dissent = data.draw(st.integers(0, 1), label="dissent")
        review_due_on = self.planned_date(data, on, mistake)
        kwargs: dict[str, Any] = {
            "agreed_on": on,
            "agreements": [self.text(data)[0] for _ in range(agreements)],
            "dissent": [self.text(data)[0] for _ in range(dissent)],
            "review_due_on": review_due_on,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "agreed_on",
            [
                {"agreements": []},
                {"agreements": [""]},
                {"dissent": ["x" * 2_001]},
                {"review_due_on": "2021-01-01"},
                {"review_due_on": datetime(2021, 1, 1, tzinfo=UTC)},
            ],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "agree_plan",
            kwargs=kwargs,
            rules=lambda model: refusals_to_agree(model, on, review_due_on, self.today()),
        )
        if result is REFUSED:
            return
        assert model is not None
        assert result == model.plan_version + 1
        model.recorded(on)
        model.plan_version += 1
        model.plan_on = on

    @rule(target=goal_refs, case=case_ids, data=st.data())
    def set_goal(self, case: UUID, data: st.DataObject) -> Any:
        mistake = self.begin(data, *ON_A_CASE, PLANNED_TOO_EARLY, STRANGER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        on = self.business_date(data, model, None, mistake)
        for_a_child = mistake == STRANGER or data.draw(st.booleans(), label="for a child")
        child_id = self.child_id(data, model, mistake) if for_a_child else None
        target_date = self.planned_date(data, on, mistake)
        kwargs: dict[str, Any] = {
            "description": self.text(data)[0],
            "set_on": on,
            "target_date": target_date,
            "child_id": child_id,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "set_on",
            [
                *({"description": bad} for bad in bad_texts(2_000)),
                {"target_date": "2021-06-01"},
                {"child_id": "child 1"},
                {"child_id": "x" * 65},
            ],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "set_goal",
            kwargs=kwargs,
            rules=lambda model: refusals_to_set_goal(
                model, on, target_date, child_id, self.today()
            ),
        )
        if result is REFUSED:
            return multiple()
        assert model is not None
        assert isinstance(result, UUID)
        model.recorded(on)
        model.goals[result] = GoalModel(last_on=on, set_on=on)
        return Ref(case_id, result)

    @rule(goal=goal_refs, data=st.data())
    def update_goal(self, goal: Ref, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD, UNKNOWN_ID, OTHER_CASE)
        case_id, goal_id = self.ref_target(data, goal, mistake, "goal")
        model = self.models.get(case_id)
        known = model.goals.get(goal_id) if model else None
        status = data.draw(st.sampled_from(GOAL_STATUSES))
        progress = data.draw(st.none() | st.integers(0, 100), label="progress")
        on = self.business_date(data, model, known.last_on if known else None, mistake)
        kwargs: dict[str, Any] = {
            "goal_id": goal_id,
            "status": status,
            "progress": progress,
            "note": self.text(data)[0] if data.draw(st.booleans(), label="note") else None,
            "updated_on": on,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "updated_on",
            [
                {"progress": 101},
                {"progress": -1},
                {"progress": True},
                {"progress": 50.0},
                {"progress": "50"},
                {"status": "done"},
                {"note": ""},
                {"goal_id": "not-a-goal"},
            ],
        )
        outcome = self.run(
            case_id,
            model,
            shape,
            "update_goal",
            kwargs=kwargs,
            rules=lambda model: refusals_to_update_goal(model, goal_id, status, on, self.today()),
            targets=("goal_id",),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        assert known is not None
        model.recorded(on)
        known.status = status
        known.progress = known.progress if progress is None else progress
        known.last_on = known.last_updated_on = on
        known.updates += 1

    @rule(target=service_refs, case=case_ids, data=st.data())
    def order_service(self, case: UUID, data: st.DataObject) -> Any:
        mistake = self.begin(data, *ON_A_CASE, UNKNOWN_ID, OTHER_CASE)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        own = list(model.goals) if model else []
        goal_ids = data.draw(st.lists(st.sampled_from(own), max_size=2, unique=True)) if own else []
        if mistake == UNKNOWN_ID:
            goal_ids.append(data.draw(st.uuids(), label="unknown goal id"))
        others = [g for m in self.models.values() if m is not model for g in m.goals]
        if mistake == OTHER_CASE and others:
            goal_ids.append(data.draw(st.sampled_from(others), label="goal of another case"))
        on = self.business_date(data, model, None, mistake)
        kind = data.draw(st.sampled_from(ServiceKind))
        own_decisions = [(case_id, d) for d in model.decisions] if model else []
        other_decisions = [
            (m.case_id, d) for m in self.models.values() if m is not model for d in m.decisions
        ]
        pool = own_decisions
        if not own_decisions or self.sometimes(data, "another case's decision", 5):
            pool = other_decisions
        cited: tuple[UUID, UUID] | None = None
        if pool and self.sometimes(data, "cites a decision", 2):
            cited = data.draw(st.sampled_from(pool), label="cited decision")
        if cited is not None and cited[0] in self.models and data.draw(st.booleans()):
            kind = self.models[cited[0]].decisions[cited[1]].kind  # mostly of its kind
        decision_id = None if cited is None else cited[1]
        kwargs: dict[str, Any] = {
            "kind": kind,
            "provider": self.text(data, 200)[0],
            "ordered_on": on,
            "goal_ids": goal_ids,
            "decision_id": decision_id,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "ordered_on",
            [
                *({"provider": bad} for bad in bad_texts(200)),
                {"kind": "babysitting"},
                {"goal_ids": [UUID(int=1), UUID(int=1)]},
                {"goal_ids": ["not-a-goal"]},
            ],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "order_service",
            kwargs=kwargs,
            rules=lambda model: refusals_to_order(
                model,
                on,
                goal_ids,
                self.today(),
                None if decision_id is None else (decision_id, kind),
            ),
        )
        if result is REFUSED:
            return multiple()
        assert model is not None
        assert isinstance(result, UUID)
        model.recorded(on)
        model.services[result] = ServiceModel(ordered_on=on)
        return Ref(case_id, result)

    @rule(service=service_refs, data=st.data())
    def start_service(self, service: Ref, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD, UNKNOWN_ID, OTHER_CASE)
        case_id, service_id = self.ref_target(data, service, mistake, "service")
        model = self.models.get(case_id)
        known = model.services.get(service_id) if model else None
        on = self.business_date(data, model, known.ordered_on if known else None, mistake)
        kwargs: dict[str, Any] = {"service_id": service_id, "started_on": on, **self.common(data)}
        shape = self.shape(data, mistake, "started_on", [{"service_id": "not-a-service"}])
        outcome = self.run(
            case_id,
            model,
            shape,
            "start_service",
            kwargs=kwargs,
            rules=lambda model: refusals_to_start(model, service_id, on, self.today()),
            targets=("service_id",),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        assert known is not None
        model.recorded(on)
        known.status = ServiceStatus.ACTIVE
        known.started_on = on

    @rule(service=service_refs, data=st.data())
    def end_service(self, service: Ref, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD, UNKNOWN_ID, OTHER_CASE)
        case_id, service_id = self.ref_target(data, service, mistake, "service")
        model = self.models.get(case_id)
        known = model.services.get(service_id) if model else None
        floor = (known.started_on or known.ordered_on) if known else None
        on = self.business_date(data, model, floor, mistake)
        kwargs: dict[str, Any] = {
            "service_id": service_id,
            "ended_on": on,
            "reason": self.text(data)[0],
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "ended_on",
            [*({"reason": bad} for bad in bad_texts(2_000)), {"service_id": "not-a-service"}],
        )
        outcome = self.run(
            case_id,
            model,
            shape,
            "end_service",
            kwargs=kwargs,
            rules=lambda model: refusals_to_end(model, service_id, on, self.today()),
            targets=("service_id",),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        assert known is not None
        model.recorded(on)
        never_started = known.status is ServiceStatus.ORDERED
        known.status = ServiceStatus.CANCELLED if never_started else ServiceStatus.ENDED
        known.ended_on = on

    @rule(case=case_ids, data=st.data())
    def close_case(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD, FORGOTTEN_CHILD, STRANGER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        children = list(model.children) if model else []
        forgotten = (
            data.draw(st.sampled_from(children))
            if children and mistake == FORGOTTEN_CHILD
            else None
        )
        views: dict[str, str] = {}
        reasons: dict[str, str] = {}
        kept_views: dict[str, str] = {}
        for child in children:
            if child == forgotten:
                continue
            heard = data.draw(st.booleans(), label=f"{child} heard")
            sent, kept = self.text(data, 8_000 if heard else 2_000)
            if heard:
                views[child], kept_views[child] = sent, kept
            else:
                reasons[child] = sent
        if mistake == STRANGER:
            views[self.child_id(data, model, mistake)] = "Näkemys"
        on = self.business_date(data, model, model.latest_on if model else None, mistake)
        kwargs: dict[str, Any] = {
            "closed_on": on,
            "reason": data.draw(st.sampled_from(ClosureReason)),
            "child_views": views,
            "not_heard_reasons": reasons,
            "successor": data.draw(
                st.none() | st.builds(Successor, kind=st.sampled_from(SuccessorKind))
            ),
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "closed_on",
            [
                {"child_views": {"child-1": "v"}, "not_heard_reasons": {"child-1": "r"}},
                {"child_views": {"child 1": "v"}},
                {"child_views": {"child-1": ""}},
                {"not_heard_reasons": {"child-1": "x" * 2_001}},
                {"reason": "bored"},
                {"successor": {"kind": "nowhere"}},
            ],
        )
        outcome = self.run(
            case_id,
            model,
            shape,
            "close_case",
            kwargs=kwargs,
            rules=lambda model: refusals_to_close(
                model, on, set(views) | set(reasons), self.today()
            ),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        model.recorded(on)
        model.closed_on = on
        model.child_views.update(kept_views)
        model.memberships = [
            (child, joined, on if left is None else left)
            for child, joined, left in model.memberships
        ]
        model.child_workers.clear()  # every child's relationship ended with the case

    # --- decisions, children, cancellations --------------------------------------------------

    @rule(case=case_ids, data=st.data())
    def decide_service(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE, BAD_VALIDITY)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        on = self.business_date(data, model, None, mistake)
        around = st.dates(on - timedelta(days=30), on + timedelta(days=30))
        valid_from = data.draw(st.none() | around, label="valid_from")
        start = valid_from or on
        if mistake == BAD_VALIDITY:
            valid_from = start
            valid_until: date | None = start - timedelta(days=data.draw(st.integers(1, 30)))
        else:
            valid_until = data.draw(st.none() | st.dates(start, start + timedelta(days=200)))
        kind = data.draw(st.sampled_from(ServiceKind))
        outcome = data.draw(st.sampled_from(DecisionOutcome))
        kwargs: dict[str, Any] = {
            "kind": kind,
            "outcome": outcome,
            "decided_on": on,
            "legal_sections": ["SHL 18 §"],
            "reasoning": self.text(data, 8_000)[0],
            "decision_maker": data.draw(named_workers(None)),
            "valid_from": valid_from,
            "valid_until": valid_until,
            "hours_per_month": data.draw(st.none() | st.integers(1, 744)),
            **self.common(data),
        }
        shape = {} if mistake == BAD_VALIDITY else self.shape(
            data,
            mistake,
            "decided_on",
            [
                {"legal_sections": []},
                {"hours_per_month": 0},
                {"outcome": "maybe"},
                {"reasoning": ""},
            ],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "decide_service",
            kwargs=kwargs,
            rules=lambda model: refusals_to_decide(model, on, self.today()),
        )
        if result is REFUSED:
            return
        assert model is not None
        assert isinstance(result, UUID)
        model.recorded(on)
        model.decisions[result] = DecisionModel(kind, outcome, on, valid_from, valid_until)

    @rule(case=case_ids, data=st.data())
    def add_child(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE, ALREADY_THERE)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        own = list(model.children) if model else []
        strangers = [child for child in CHILD_POOL if child not in own]
        pool = own if (mistake == ALREADY_THERE and own) or not strangers else strangers
        child_id = data.draw(st.sampled_from(pool), label="child id")
        floor = model.child_since.get(child_id) if model else None
        on = self.business_date(data, model, floor, mistake)
        kwargs: dict[str, Any] = {
            "child": PersonRef(id=child_id, display_name="Lapsi"),
            "joined_on": on,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "joined_on",
            [
                {"child": {"id": "131052-308T", "display_name": "Hetu"}},
                {"child": {"id": "child-9", "display_name": ""}},
            ],
        )
        outcome = self.run(
            case_id,
            model,
            shape,
            "add_child",
            kwargs=kwargs,
            rules=lambda model: refusals_to_add_child(model, child_id, on, self.today()),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        model.recorded(on)
        model.children = (*model.children, child_id)
        model.child_since[child_id] = on
        model.memberships.append((child_id, on, None))

    @rule(case=case_ids, data=st.data())
    def remove_child(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE, STRANGER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        child_id = self.child_id(data, model, mistake)
        floor = model.child_since.get(child_id) if model else None
        on = self.business_date(data, model, floor, mistake)
        heard = data.draw(st.booleans(), label="heard")
        text, kept = self.text(data, 8_000 if heard else 2_000)
        kwargs: dict[str, Any] = {
            "child_id": child_id,
            "left_on": on,
            "reason": data.draw(st.sampled_from(ClosureReason)),
            "view": text if heard else None,
            "not_heard_reason": None if heard else text,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "left_on",
            [
                {"view": None, "not_heard_reason": None},
                {"view": "v", "not_heard_reason": "r"},
                {"reason": "bored"},
                {"child_id": "child 1"},
            ],
        )
        outcome = self.run(
            case_id,
            model,
            shape,
            "remove_child",
            kwargs=kwargs,
            rules=lambda model: refusals_to_remove_child(model, child_id, on, self.today()),
        )
        if outcome is REFUSED:
            return
        assert model is not None
        model.recorded(on)
        model.children = tuple(child for child in model.children if child != child_id)
        model.child_since[child_id] = on
        model.child_workers.pop(child_id, None)
        model.memberships = [
            (child, joined, on if child == child_id and left is None else left)
            for child, joined, left in model.memberships
        ]
        if heard:
            model.child_views[child_id] = kept

    @rule(case=case_ids, data=st.data())
    def cancel_meeting(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        today = self.today()
        if mistake is None and self.sometimes(data, "planned ahead", 3):
            planned_on = today + timedelta(days=data.draw(st.integers(1, 20)))
        else:
            planned_on = self.business_date(data, model, None, mistake)
        given = planned_on > today or data.draw(st.booleans(), label="cancelled_on given")
        latest = min(planned_on, today)
        if self.sometimes(data, "cancelled late", 4):
            latest = planned_on + timedelta(days=2)
        near = st.dates(min(planned_on, latest) - timedelta(days=10), latest)
        cancelled_on = data.draw(near, label="cancelled_on") if given else None
        kwargs: dict[str, Any] = {
            "kind": data.draw(st.sampled_from(MeetingKind)),
            "planned_on": planned_on,
            "cancelled_on": cancelled_on,
            "reason": self.text(data)[0],
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "planned_on",
            [*({"reason": bad} for bad in bad_texts(2_000)), {"kind": "party"}],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "cancel_meeting",
            kwargs=kwargs,
            rules=lambda model: refusals_to_cancel(model, planned_on, cancelled_on, today),
        )
        if result is REFUSED:
            return
        assert model is not None
        assert isinstance(result, UUID)
        model.recorded(planned_on if cancelled_on is None else cancelled_on)
        model.cancelled.append(result)

    # --- repeated requests -----------------------------------------------------------------

    # --- the record itself: disclosures, a minor's bans, corrections ------------------------

    @rule(case=case_ids, data=st.data())
    def record_disclosure(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE, BANNED)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        on = self.business_date(data, model, None, mistake)
        banned = sorted(model.bans) if model else []
        if mistake == BANNED and banned:
            person = data.draw(st.none() | st.sampled_from(banned), label="banned recipient")
        else:
            person = data.draw(st.none() | st.sampled_from(PERSON_POOL), label="recipient id")
        kwargs: dict[str, Any] = {
            "disclosed_on": on,
            "recipient": Recipient(
                surname=self.text(data, 200)[0], first_names="Ville", person_id=person
            ),
            "grounds": self.text(data)[0],
            "purpose": self.text(data)[0],
            "content": self.text(data, 8_000)[0],
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "disclosed_on",
            [
                {"grounds": ""},
                {"grounds": None},
                {"purpose": " \n\t"},
                {"content": "x" * 8_001},
                {"recipient": None},
                {"recipient": {"surname": "", "first_names": "Ville"}},
            ],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "record_disclosure",
            kwargs=kwargs,
            rules=lambda model: refusals_to_disclose(model, on, self.today(), person),
            closed_takes_it=True,
        )
        if result is REFUSED:
            return
        assert model is not None
        assert isinstance(result, UUID)
        model.recorded_about_the_record()

    @rule(case=case_ids, data=st.data())
    def record_disclosure_ban(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *ON_A_CASE, STRANGER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        child_id = self.child_id(data, model, mistake)
        on = self.business_date(data, model, None, mistake)
        people = data.draw(
            st.lists(st.sampled_from(PERSON_POOL), min_size=1, max_size=2, unique=True),
            label="banned people",
        )
        kwargs: dict[str, Any] = {
            "child_id": child_id,
            "banned_person_ids": people,
            "decided_on": on,
            "reason": self.text(data)[0],
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "decided_on",
            [
                {"banned_person_ids": []},
                {"banned_person_ids": ["guardian-1", "guardian-1"]},
                {"banned_person_ids": ["131052-308T"]},
                {"reason": ""},
            ],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "record_disclosure_ban",
            kwargs=kwargs,
            rules=lambda model: refusals_to_ban(model, on, self.today(), child_id),
        )
        if result is REFUSED:
            return
        assert model is not None
        model.recorded(on)
        for person in people:
            model.bans[person] = min(model.bans.get(person, on), on)

    @rule(case=case_ids, data=st.data())
    def correct_entry(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, SHAPE, UNKNOWN_CASE, NO_SUCH_ENTRY)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        latest = model.version if model else 1
        if mistake == NO_SUCH_ENTRY:
            version = data.draw(st.integers(latest + 1, latest + 3), label="no such entry")
        else:
            version = data.draw(st.integers(1, latest), label="version corrected")
        kwargs: dict[str, Any] = {
            "version": version,
            "correction": self.text(data, 8_000)[0],
            "reason": self.text(data)[0],
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "version",  # a date where a version belongs is a shape error too
            [{"version": 0}, {"version": "1"}, {"correction": " "}, {"reason": ""}],
        )
        result = self.run(
            case_id,
            model,
            shape,
            "correct_entry",
            kwargs=kwargs,
            rules=lambda model: refusals_to_correct(model, version),
            closed_takes_it=True,
        )
        if result is REFUSED:
            return
        assert model is not None
        model.recorded_about_the_record()
        entry = self.cases.audit_trail(case_id, actor=READER)[-1]
        assert (entry.corrects_version, entry.actor_id) == (version, kwargs["actor"].id)

    @precondition(lambda self: bool(self.requests))
    @rule(data=st.data())
    def repeat_a_request(self, data: st.DataObject) -> None:
        """The same request again returns the first result; with other arguments, a conflict."""
        self.begin(data)
        request = data.draw(st.sampled_from(self.requests), label="request")
        same = data.draw(st.booleans(), label="same arguments")
        kwargs = request.kwargs if same else {**request.kwargs, "actor": OTHER_ACTOR}
        if data.draw(st.booleans(), label="request id padded"):  # stripped, like any text
            kwargs = {**kwargs, "request_id": f" {kwargs['request_id']}\t"}
        method = getattr(self.cases, request.method)
        model = self.models[request.case_id]
        if same:
            assert method(*request.args, **kwargs) == request.result
            event("repeat answered")
        else:
            # The design does not order these two: any conflicting repeat is refused, and
            # on a closed case the refusal may say so first.
            allowed = (
                (RequestConflictError,)
                if model.is_open
                else (
                    RequestConflictError,
                    CaseClosedError,
                )
            )
            with pytest.raises(allowed):
                method(*request.args, **kwargs)
            event("repeat with other arguments refused")
        self.assert_unchanged(request.case_id, model.version)

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def every_stream_is_as_long_as_the_model_says(self) -> None:
        for case_id, model in self.models.items():
            assert len(self.history(case_id)) == model.version

    def check_reads(
        self,
        case_id: UUID,
        history: list[CaseEvent],
        plan: CurrentPlan,
        progress: list[GoalProgress],
        trail: list[AuditEntry],
    ) -> None:
        """(a) The reads the kit checked against the folds say what the model expects."""
        assert [entry.version for entry in trail] == list(range(1, len(history) + 1))
        assert_reads_match_the_model(self.models[case_id], plan, progress)

    @invariant()
    def a_read_as_of_a_date_folds_the_events_dated_up_to_it(self) -> None:
        """(c) ``as_of`` folds the events whose business date is on or before it."""
        for case_id in self.touched:
            history = self.history(case_id)
            days = sorted({e.occurred_on for e in history})
            middle = days[len(days) // 2]
            for day in {days[0] - timedelta(days=1), days[0], middle, days[-1]}:
                prefix = [e for e in history if e.occurred_on <= day]
                if not prefix or not isinstance(prefix[0], CaseOpened):
                    with pytest.raises(CaseNotFoundError):
                        self.cases.current_plan(case_id, actor=READER, as_of=day)
                    continue
                plan = self.cases.current_plan(case_id, actor=READER, as_of=day)
                assert plan == fold(current_plan, prefix)
            prefix = [e for e in history if e.occurred_on <= middle]
            progress = self.cases.goal_progress(case_id, actor=READER, as_of=middle)
            assert progress == folded_progress(prefix)
            trail = self.cases.audit_trail(case_id, actor=READER, as_of=middle)
            assert trail == folded_trail(prefix)

    @invariant()
    def a_read_recorded_before_an_instant_folds_the_events_recorded_before_it(self) -> None:
        """(c) ``recorded_before`` folds the prefix of the stream recorded before it."""
        for case_id in self.touched:
            history = self.history(case_id)
            middle = history[len(history) // 2]
            instants = {
                history[0].timestamp,
                middle.timestamp,
                middle.timestamp + timedelta(microseconds=1),
                history[-1].timestamp + timedelta(microseconds=1),
            }
            for instant in instants:
                prefix = [e for e in history if e.timestamp < instant]
                if not prefix:
                    with pytest.raises(CaseNotFoundError):
                        self.cases.current_plan(case_id, actor=READER, recorded_before=instant)
                    continue
                plan = self.cases.current_plan(case_id, actor=READER, recorded_before=instant)
                assert plan == fold(current_plan, prefix)
            # Both at once: the recorded prefix, then its events dated up to as_of.
            instant = middle.timestamp + timedelta(microseconds=1)
            day = middle.occurred_on
            prefix = [e for e in history if e.timestamp < instant and e.occurred_on <= day]
            trail = self.cases.audit_trail(
                case_id, actor=READER, recorded_before=instant, as_of=day
            )
            assert trail == folded_trail(prefix)


def assert_reads_match_the_model(
    model: CaseModel, plan: CurrentPlan, progress: list[GoalProgress]
) -> None:
    assert plan.version == model.version
    assert plan.status is (CaseStatus.OPEN if model.is_open else CaseStatus.CLOSED)
    assert plan.closed_on == model.closed_on
    assert plan.opened_on == model.opened_on
    assert plan.named_worker == model.named_worker
    assert plan.plan_version == model.plan_version
    assert plan.plan_agreed_on == model.plan_on
    assert [(g.goal_id, g.status, g.progress, g.last_updated_on) for g in plan.goals] == [
        (goal_id, g.status, g.progress, g.last_updated_on) for goal_id, g in model.goals.items()
    ]
    assert [
        (s.service_id, s.status, s.ordered_on, s.started_on, s.ended_on) for s in plan.services
    ] == [
        (service_id, s.status, s.ordered_on, s.started_on, s.ended_on)
        for service_id, s in model.services.items()
    ]
    assert [m.meeting_id for m in plan.meetings] == model.meetings
    assert plan.child_views == model.child_views
    banned = {person for ban in plan.disclosure_bans for person in ban.banned_person_ids}
    assert banned == set(model.bans)
    assert [child.id for child in plan.children] == list(model.children)
    assert [(m.child.id, m.joined_on, m.left_on) for m in plan.memberships] == model.memberships
    assert plan.child_workers == model.child_workers
    assert [d.decision_id for d in plan.decisions] == list(model.decisions)
    assert [m.meeting_id for m in plan.cancelled_meetings] == model.cancelled
    assert plan.legal_basis is model.legal_basis
    assert plan.child_welfare_from == model.child_welfare_from
    assert [
        (
            m.matter_id,
            m.pending_on,
            m.assessment.started_on if m.assessment else None,
            m.assessment.completed_on if m.assessment else None,
            m.assessment.declined_on if m.assessment else None,
        )
        for m in plan.matters
    ] == [
        (matter_id, m.pending_on, m.started_on, m.completed_on, m.declined_on)
        for matter_id, m in model.matters.items()
    ]
    assert [(p.goal_id, p.status, p.progress, len(p.updates)) for p in progress] == [
        (goal_id, g.status, g.progress, g.updates) for goal_id, g in model.goals.items()
    ]


# The profile (tests/conftest.py) sets how many runs; this sets how long each run is. Forty
# steps reach a closed case, a final goal and an ended service most runs, while keeping a
# run short enough to shrink: each step replays every case it touched, four times over.
FamilyCasesMachine.TestCase.settings = settings(stateful_step_count=40)
test_family_cases_machine = FamilyCasesMachine.TestCase
