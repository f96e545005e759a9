"""Given/when/then scenarios (käyttötapausten testit) on the in-memory store.

::

    scenario().given(
        OpenCase(...),                      # the first given opens the case
        SetGoal(case_id=THE_CASE, ...),     # later givens run on it
    ).when(
        lambda cases, case_id: cases.close_case(case_id, ...)
    ).then_raises(ClosureIncompleteError)

    scenario().given(OpenCase(...)).when(
        lambda cases, case_id: cases.set_goal(case_id, ...)
    ).then_events([(GoalSet, {"description": "Arki sujuu"})])

The givens are command models of :mod:`perhetyo.commands`, run in order through
``FamilyCases.execute`` on a fresh ``memory://`` store. Every later given runs on the case
the first one opened, whatever case id it carries (:data:`THE_CASE` reads well). A given
may refer to an id an earlier given created by a placeholder: ``created(1)`` is the first
id created (a goal, a service, a meeting...), ``created(2)`` the second, and so on;
``when_with_ids`` hands ``when`` the real ids, in the same order.

``then_events`` compares the events ``when`` recorded (in every case of the store, in the
order recorded) with a list of event classes or ``(class, {field: value})`` pairs, field
by field; ``then_raises`` expects an error, and that nothing was recorded. A mismatch is
an ``AssertionError`` that names the event's position, class and field: it shows the
values the test itself gave and the ones recorded from the test's own givens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar, cast
from uuid import UUID

from perhetyo import commands as c
from perhetyo.application import FamilyCases
from perhetyo.events import CaseEvent
from perhetyo.testing.samples import FakeClock
from perhetyo.testing.sequences import with_real_ids

__all__ = ["THE_CASE", "ExpectedEvent", "Scenario", "created", "scenario"]

THE_CASE: Final = UUID(int=1)
"""The case id to write in the givens after the opening (any id is replaced by the case's)."""

ExpectedEvent = type[CaseEvent] | tuple[type[CaseEvent], Mapping[str, Any]]
"""An event ``then_events`` expects: its class, or its class and some of its fields."""

Action = Callable[[FamilyCases, UUID], object]
ActionWithIds = Callable[[FamilyCases, UUID, list[UUID]], object]
E = TypeVar("E", bound=BaseException)


def created(number: int) -> UUID:
    """The placeholder of the ``number``-th id the givens create (1 is the first)."""
    if number < 1:
        raise ValueError("created() counts from 1")
    return UUID(int=number + 1)


@dataclass(frozen=True)
class Scenario:
    """A given/when/then test (käyttötapaus) on a fresh in-memory store.

    Immutable: ``given`` and ``when`` return a new scenario; ``then_events`` and
    ``then_raises`` run it (each run on a store of its own).
    """

    givens: tuple[c.Command[Any], ...] = ()
    action: ActionWithIds | None = None
    clock: Callable[[], FakeClock] = field(default=FakeClock)

    def given(self, *commands: c.Command[Any]) -> Scenario:
        """The commands that make the case: an ``OpenCase`` first, then case commands."""
        for number, command in enumerate(commands, start=len(self.givens) + 1):
            if not isinstance(command, c.Command):
                raise TypeError(
                    f"given #{number} is a {type(command).__name__}: a given is a command "
                    "model of perhetyo.commands"
                )
        every = (*self.givens, *commands)
        if every and not isinstance(every[0], c.OpenCase):
            raise TypeError("the first given opens the case: an OpenCase")
        if any(isinstance(command, c.OpenCase) for command in every[1:]):
            raise TypeError("only the first given is an OpenCase: a scenario has one case")
        return Scenario(every, self.action, self.clock)

    def when(self, action: Action) -> Scenario:
        """What the test does: ``action(cases, case_id)`` on the case the givens made."""
        return Scenario(self.givens, lambda cases, case_id, _: action(cases, case_id), self.clock)

    def when_with_ids(self, action: ActionWithIds) -> Scenario:
        """Like :meth:`when`; ``action(cases, case_id, ids)`` also gets the ids the givens
        created, in order (``ids[0]`` is what ``created(1)`` stood for)."""
        return Scenario(self.givens, action, self.clock)

    def then_events(self, expected: Sequence[ExpectedEvent]) -> list[CaseEvent]:
        """Assert that ``when`` recorded exactly these events; returns the events."""
        wanted = [_expected(number, item) for number, item in enumerate(expected, start=1)]
        with _Run(self) as run:
            try:
                run.act()
            except Exception as exc:
                raise AssertionError(
                    f"`when` raised {type(exc).__name__}; expected {len(wanted)} event(s): "
                    f"{_names(cls for cls, _ in wanted)}"
                ) from exc
            recorded = run.recorded()
        if [type(event) for event in recorded] != [cls for cls, _ in wanted]:
            raise AssertionError(
                f"expected {len(wanted)} event(s): {_names(cls for cls, _ in wanted)}; "
                f"`when` recorded {len(recorded)}: {_names(type(e) for e in recorded)}"
            )
        for number, (event, (cls, fields)) in enumerate(zip(recorded, wanted, strict=True), 1):
            for name, value in fields.items():
                actual = getattr(event, name)
                if actual != value:
                    raise AssertionError(
                        f"event {number} ({cls.__name__}): {name} is {actual!r}, "
                        f"expected {value!r}"
                    )
        return recorded

    def then_raises(self, error: type[E]) -> E:
        """Assert that ``when`` raised ``error`` and recorded nothing; returns the error."""
        with _Run(self) as run:
            try:
                run.act()
            except error as exc:
                recorded = run.recorded()
                if recorded:
                    raise AssertionError(
                        f"`when` raised {type(exc).__name__} but recorded {len(recorded)} "
                        f"event(s): {_names(type(e) for e in recorded)}"
                    ) from exc
                return exc
            except Exception as exc:
                raise AssertionError(
                    f"`when` raised {type(exc).__name__}, expected {error.__name__}"
                ) from exc
            recorded = run.recorded()
        raise AssertionError(
            f"`when` raised nothing, expected {error.__name__}; it recorded "
            f"{len(recorded)} event(s): {_names(type(e) for e in recorded)}"
        )


def scenario(*, clock: Callable[[], FakeClock] = FakeClock) -> Scenario:
    """A new given/when/then scenario on a fresh ``memory://`` store.

    ``clock`` makes the store's clock (``FakeClock()``, 2020-12-31 in Helsinki, by
    default): givens and ``when`` may date things up to its today. It moves one second
    before each given and before ``when``.
    """
    return Scenario(clock=clock)


class _Run:
    """One run of a scenario: a store, its givens applied, and the log's head before ``when``."""

    def __init__(self, scenario: Scenario) -> None:
        if not scenario.givens:
            raise TypeError("a scenario needs givens: at least the OpenCase")
        if scenario.action is None:
            raise TypeError("a scenario needs `when` before `then_...`")
        self.scenario = scenario
        self.clock = scenario.clock()
        self.cases = FamilyCases("memory://", clock=self.clock)
        self.case_id = UUID(int=0)
        self.created: list[UUID] = []
        self.head = 0

    def __enter__(self) -> _Run:
        try:
            self._apply_givens()
        except BaseException:
            self.cases.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.cases.close()

    def _apply_givens(self) -> None:
        real: dict[UUID, UUID] = {}
        for number, command in enumerate(self.scenario.givens, start=1):
            self.clock.advance()
            if number > 1:
                command = with_real_ids(command, real)  # noqa: PLW2901 (the given, as run)
                command = command.model_copy(update={"case_id": self.case_id})  # noqa: PLW2901
            try:
                result = self.cases.execute(command)
            except Exception as exc:
                raise AssertionError(
                    f"given #{number} ({type(command).__name__}) was refused: "
                    f"{type(exc).__name__}"
                ) from exc
            if number == 1:
                self.case_id = cast(UUID, result)
                real[THE_CASE] = self.case_id
            elif isinstance(result, UUID):
                self.created.append(result)
                real[created(len(self.created))] = result
        self.head = self._head()

    def act(self) -> None:
        self.clock.advance()
        action = self.scenario.action
        if action is None:  # checked in __init__; says so to the type checker
            raise TypeError("a scenario needs `when` before `then_...`")
        action(self.cases, self.case_id, list(self.created))

    def _head(self) -> int:
        return self.cases._store.recorder.max_notification_id() or 0

    def recorded(self) -> list[CaseEvent]:
        """The events recorded since the givens, in every case, in the order recorded."""
        store = self.cases._store
        head = self._head()
        if head <= self.head:
            return []
        stored = store.recorder.select_notifications(self.head + 1, head - self.head)
        return [cast(CaseEvent, store.mapper.to_domain_event(item)) for item in stored]


def _expected(number: int, item: ExpectedEvent) -> tuple[type[CaseEvent], Mapping[str, Any]]:
    if isinstance(item, tuple):
        cls, fields = item
    else:
        cls, fields = item, {}
    if not (isinstance(cls, type) and issubclass(cls, CaseEvent)):
        raise TypeError(f"expected event {number} is not an event class of perhetyo.events")
    unknown = sorted(set(fields) - set(cls.model_fields))
    if unknown:
        raise TypeError(f"expected event {number} ({cls.__name__}) has no field {unknown[0]!r}")
    return cls, fields


def _names(classes: Any) -> str:
    return "[" + ", ".join(cls.__name__ for cls in classes) + "]"
