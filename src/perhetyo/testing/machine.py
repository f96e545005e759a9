"""Case state machine (asiakkuuksien tilakone): a hypothesis machine to subclass.

:class:`CaseStateMachine` drives a store through its public commands, many cases at
once, and holds the library's own invariants after every step:

- **a refused command records nothing**: every command runs inside :meth:`recording`
  (:meth:`execute` does it for a command model); when it raises a perhetyo error, the
  store's log and the case's stream are as they were;
- **replay equals live**: folding a case's stored events gives the case the command path
  loads, and the current plan, goal progress and audit trail the store serves;
- **stored equals live**: the stored SQL projections, caught up, hold what the live folds
  give (``checks_stored_projections``).

Its own rules open cases (:func:`~perhetyo.testing.open_case_commands`), run valid
commands on them (:func:`~perhetyo.testing.case_commands`, every one must be accepted),
send commands to closed and unknown cases (refused), and repeat requests (answered, not
recorded again). A host service's test subclasses it, adds rules that call the service,
and reads ``self.cases``; the cases the machine opened are in the ``case_ids`` bundle::

    class IntakeMachine(CaseStateMachine):
        person_ids = ("child-1", "child-2", "child-3")   # the kit's openings use them too

        def __init__(self) -> None:
            super().__init__()
            self.intake = Intake(self.cases)

        @rule(data=st.data())
        def a_referral_arrives(self, data: st.DataObject) -> None:
            with self.recording():                        # refused: records nothing
                ...

    TestIntake = IntakeMachine.TestCase

Hooks: ``store_url`` (or override :meth:`make_cases` for a ``FamilyCases`` of your own:
a SQLite file, a master key), :meth:`make_clock`, ``person_ids``, ``legal_basis``;
``draws_commands = False`` turns the kit's rules off for a machine that keeps its own
model of each case and draws every command itself (perhetyo's own machine does).

Needs hypothesis: the ``testing`` extra (``pip install perhetyo[testing]``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import fields
from datetime import date, timedelta
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application import FamilyCases
from perhetyo.errors import CaseClosedError, CaseNotFoundError, PerhetyoError
from perhetyo.events import CaseClosed, CaseEvent
from perhetyo.projections import (
    AuditEntry,
    CurrentPlan,
    GoalProgress,
    audit_trail,
    current_plan,
    fold,
    goal_progress,
)
from perhetyo.testing.case_strategies import case_commands
from perhetyo.testing.openings import open_case_commands
from perhetyo.testing.samples import FakeClock, an_actor
from perhetyo.time import today_in
from perhetyo.values import Actor, LegalBasis

__all__ = ["CaseStateMachine"]

R = TypeVar("R")

_CLOCK_STEPS = (
    timedelta(seconds=1),
    timedelta(minutes=20),
    timedelta(hours=9),
    timedelta(days=1, hours=2),
)
"""How far the clock moves before each of the kit's commands: record times differ, and
"today" sometimes changes."""

def _decision_state(case: FamilyCase) -> dict[str, Any]:
    """The aggregate's state, every field but its uncollected events."""
    return {f.name: getattr(case, f.name) for f in fields(case) if f.name != "pending"}


class CaseStateMachine(RuleBasedStateMachine):
    """Case state machine (asiakkuuksien tilakone): subclass it to test a host service.

    See the module's docstring for the invariants, the rules and the hooks.
    """

    store_url: ClassVar[str] = "memory://"
    """The store :meth:`make_cases` opens (a fresh one for every run)."""
    person_ids: ClassVar[Sequence[str] | None] = None
    """The pool of children's and guardians' ids the kit's openings draw from (None: any)."""
    legal_basis: ClassVar[LegalBasis | None] = None
    """The act the kit's openings are under (None: either)."""
    draws_commands: ClassVar[bool] = True
    """Whether the kit's own rules run (open cases, run commands, refusals, repeats)."""
    checks_stored_projections: ClassVar[bool] = True
    """Whether the stored SQL projections are caught up and compared with the live folds."""
    stored_check_every: ClassVar[int] = 5
    """They are, every this many steps (each time, the cases changed since the last):
    catching up in batches, as a host's worker does, at a fraction of the cost."""
    reader: ClassVar[Actor] = an_actor("perhetyo-testing-reader")
    """Who reads the cases back for the invariants (each read is a logged read)."""

    case_ids = Bundle("case_ids")

    def __init__(self) -> None:
        super().__init__()
        self.clock = self.make_clock()
        self.cases = self.make_cases(self.clock)
        self._changes: list[UUID] = []
        self._seen: dict[str, int] = {}
        self._requests = 0
        self._steps = 0

    # --- hooks -----------------------------------------------------------------------------

    def make_clock(self) -> FakeClock:
        """The store's clock (``FakeClock()``: 2020-12-31 in Helsinki, moved by the rules)."""
        return FakeClock()

    def make_cases(self, clock: FakeClock) -> FamilyCases:
        """The store the machine drives (``FamilyCases(store_url, clock=clock)``)."""
        return FamilyCases(self.store_url, clock=clock)

    def teardown(self) -> None:
        self.cases.close()

    # --- helpers for rules -----------------------------------------------------------------

    def today(self) -> date:
        """The store's today, in Helsinki."""
        return today_in(self.clock())

    def history(self, case_id: UUID) -> list[CaseEvent]:
        """The case's events, read as :attr:`reader`."""
        return self.cases.history(case_id, actor=self.reader)

    def loaded_case(self, case_id: UUID) -> FamilyCase:
        """The case as the command path loads it, to decide the next command on."""
        case = FamilyCase.project(None, self.cases._commands.events(case_id))
        if case is None:
            raise CaseNotFoundError(case_id)
        return case

    def log_head(self) -> int:
        """The id of the store's latest event (0 for an empty store)."""
        recorder = self.cases._store.recorder
        return recorder.max_notification_id() or 0

    def version_of(self, case_id: UUID) -> int | None:
        """How many events the case has (None: no such case), as the command path sees
        it (not a logged read: the checks would fill the access log)."""
        return len(self._events(case_id)) or None

    def _events(self, case_id: UUID) -> list[CaseEvent]:
        return self.cases._commands.events(case_id)

    def touch(self, case_id: UUID) -> None:
        """Note that ``case_id`` changed: the invariants check it after this step."""
        self._changes.append(case_id)

    def known_cases(self) -> list[UUID]:
        """Every case the machine saw opened or changed, in the order first seen."""
        return list(dict.fromkeys(self._changes))

    def changed_cases(self, key: str) -> set[UUID]:
        """The cases changed since the check named ``key`` last asked (each check keeps
        its own place, so the order the invariants run in does not matter)."""
        start = self._seen.get(key, 0)
        self._seen[key] = len(self._changes)
        return set(self._changes[start:])

    @contextlib.contextmanager
    def recording(self, case_id: UUID | None = None) -> Iterator[None]:
        """Run commands inside: a refusal (a perhetyo error) must leave the store's log as
        it was, and the case as the command path loads it at its stored version; the error
        is raised on. ``case_id`` (the case the command is for; None: one it opens, or
        unknown) is touched when the commands are accepted.
        """
        head = self.log_head()
        try:
            yield
        except PerhetyoError as exc:
            after = self.log_head()
            if after != head:
                raise AssertionError(
                    f"a refused command ({type(exc).__name__}) recorded {after - head} event(s)"
                ) from exc
            stored = None if case_id is None else self.version_of(case_id)
            if case_id is not None and stored is not None:
                loaded = self.loaded_case(case_id).version
                if loaded != stored:
                    raise AssertionError(
                        f"after a refused command ({type(exc).__name__}) case {case_id} "
                        f"loads at version {loaded}, its stream holds {stored} events"
                    ) from exc
            raise
        if case_id is not None:
            self.touch(case_id)

    def execute(self, command: c.Command[R]) -> R:
        """Run a command model on the store, inside :meth:`recording`; returns its result
        (an opening's case id is touched too)."""
        case_id = command.case_id if isinstance(command, c.CaseCommand) else None
        with self.recording(case_id):
            result = self.cases.execute(command)
        if isinstance(command, c.OpenCase) and isinstance(result, UUID):
            self.touch(result)
        return result

    def commands_for(
        self, history: Sequence[CaseEvent], *, closing: bool = True
    ) -> st.SearchStrategy[c.CaseCommand[Any]]:
        """The commands the kit's rules draw for a case with ``history``: valid today,
        steered by ``person_ids`` and ``legal_basis`` as the openings are."""
        return case_commands(
            history,
            today=self.today(),
            closing=closing,
            person_ids=self.person_ids,
            keeps_legal_basis=self.legal_basis is not None,
        )

    def _advance(self, data: st.DataObject) -> None:
        self.clock.advance(data.draw(st.sampled_from(_CLOCK_STEPS), label="clock advances"))

    # --- the kit's rules ---------------------------------------------------------------------

    @precondition(lambda self: self.draws_commands)
    @rule(target=case_ids, data=st.data())
    def open_a_case(self, data: st.DataObject) -> UUID:
        """A valid opening (from ``person_ids``, under ``legal_basis``) is accepted."""
        self._advance(data)
        opening = data.draw(
            open_case_commands(
                today=self.today(), legal_basis=self.legal_basis, person_ids=self.person_ids
            ),
            label="opening",
        )
        return self.execute(opening)

    @precondition(lambda self: self.draws_commands)
    @rule(case_id=case_ids, data=st.data())
    def run_a_command(self, case_id: UUID, data: st.DataObject) -> None:
        """A command valid for the case is accepted; on a closed case, refused."""
        self._advance(data)
        history = self.history(case_id)
        closing = next((n for n, e in enumerate(history) if isinstance(e, CaseClosed)), None)
        if closing is None:
            self.execute(data.draw(self.commands_for(history), label="command"))
            return
        command: c.CaseCommand[Any] = data.draw(
            self.commands_for(history[:closing], closing=False),
            label="command for a closed case",
        )
        about_the_record = isinstance(command, c.RecordDisclosure | c.CorrectEntry)
        if about_the_record:  # a closed case still takes these
            self.execute(command)
            return
        with contextlib.suppress(CaseClosedError):
            self.execute(command)
            raise AssertionError(f"a closed case took a {type(command).__name__}")

    @precondition(lambda self: self.draws_commands)
    @rule(case_id=case_ids, data=st.data())
    def send_a_command_to_an_unknown_case(self, case_id: UUID, data: st.DataObject) -> None:
        """A command for a case the store does not have is refused (CaseNotFoundError)."""
        self._advance(data)
        history = self.history(case_id)
        closing = next((n for n, e in enumerate(history) if isinstance(e, CaseClosed)), None)
        command = data.draw(self.commands_for(history[:closing]), label="command")
        unknown = data.draw(st.uuids().filter(lambda u: u != case_id), label="unknown case")
        with contextlib.suppress(CaseNotFoundError):
            self.execute(command.model_copy(update={"case_id": unknown}))
            raise AssertionError("a command for an unknown case was accepted")

    @precondition(lambda self: self.draws_commands)
    @rule(case_id=case_ids, data=st.data())
    def repeat_a_request(self, case_id: UUID, data: st.DataObject) -> None:
        """A command repeated with its request id answers as before and records nothing."""
        self._advance(data)
        history = self.history(case_id)
        if any(isinstance(event, CaseClosed) for event in history):
            return
        self._requests += 1
        command = data.draw(self.commands_for(history), label="command")
        command = command.model_copy(update={"request_id": f"kit-request-{self._requests}"})
        first: object = self.execute(command)
        head = self.log_head()
        self.clock.advance()
        again: object = self.execute(command)
        if again != first or self.log_head() != head:
            raise AssertionError(
                f"a repeated {type(command).__name__} answered {again!r} (first {first!r}) "
                f"and recorded {self.log_head() - head} event(s)"
            )

    # --- the library's invariants ------------------------------------------------------------

    @invariant()
    def replaying_a_case_gives_what_the_store_serves(self) -> None:
        """Replay equals live: the stored events fold into the case the command path
        loads, and into the current plan, goal progress and audit trail read back."""
        for case_id in self.changed_cases("replay"):
            history = self.history(case_id)
            replayed = FamilyCase.project(None, history)
            if replayed is None:
                raise AssertionError(f"case {case_id}: its events fold into no case")
            if _decision_state(replayed) != _decision_state(self.loaded_case(case_id)):
                raise AssertionError(f"case {case_id}: replay differs from the loaded case")
            reader = self.reader
            plan = self.cases.current_plan(case_id, actor=reader)
            progress = self.cases.goal_progress(case_id, actor=reader)
            trail = self.cases.audit_trail(case_id, actor=reader)
            folded_plan: CurrentPlan | None = fold(current_plan, history)
            folded_progress: tuple[GoalProgress, ...] = fold(goal_progress, history)
            folded_trail: tuple[AuditEntry, ...] = fold(audit_trail, history)
            _same("current plan", case_id, plan, folded_plan)
            _same("goal progress", case_id, progress, list(folded_progress))
            _same("audit trail", case_id, trail, list(folded_trail))
            self.check_reads(case_id, history, plan, progress, trail)

    def check_reads(
        self,
        case_id: UUID,
        history: list[CaseEvent],
        plan: CurrentPlan,
        progress: list[GoalProgress],
        trail: list[AuditEntry],
    ) -> None:
        """A hook: what the store served for a case the step changed (already checked to
        be the folds of ``history``). Override it to hold them to a model of your own,
        without reading the case again. Does nothing by default."""

    @precondition(lambda self: self.checks_stored_projections)
    @invariant()
    def stored_projections_equal_the_live_folds(self) -> None:
        """Stored equals live: caught up, the stored SQL projections hold the live folds
        (on an encrypted store, whose tables keep no personal field, the audit trail)."""
        self._steps += 1
        if self._steps % self.stored_check_every:
            return
        changed = self.changed_cases("stored")
        if not changed:
            return
        self.cases.update_projections()
        views = self.cases.stored_views
        for case_id in changed:
            trail = self.cases.audit_trail(case_id, actor=self.reader)
            _same("stored audit trail", case_id, views.audit_trail(case_id), trail)
            if self.cases.encrypted:
                continue
            plan = self.cases.current_plan(case_id, actor=self.reader)
            _same("stored current plan", case_id, views.current_plan(case_id), plan)
            progress = self.cases.goal_progress(case_id, actor=self.reader)
            _same("stored goal progress", case_id, views.goal_progress(case_id), progress)


def _same(what: str, case_id: UUID, served: object, folded: object) -> None:
    """Raise an AssertionError naming the read and the case (never their content)."""
    if served != folded:
        raise AssertionError(f"case {case_id}: the {what} differs from the fold of its events")
