"""Command sequences (komentosarjat): random valid lives of one case, and their replay.

:func:`command_sequences` draws an opening (:mod:`perhetyo.testing.openings`) and then
commands one by one (:mod:`perhetyo.testing.case_strategies`), evolving the case with the
aggregate's own decide methods as it goes; :class:`CommandSequence` runs them on a store,
swapping placeholder ids for real ones (:func:`with_real_ids`).

Hypothesis is the optional ``testing`` extra and is imported on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application import FamilyCases
from perhetyo.testing.case_strategies import (
    _decide,
    _draw_closing,
    _draw_command,
    _now_on,
    _placeholder,
    _placeholders,
)
from perhetyo.testing.matter_strategies import matter_ids_in_real
from perhetyo.testing.openings import Steer, openings
from perhetyo.testing.samples import FakeClock
from perhetyo.testing.value_strategies import DEFAULT_TODAY, actors
from perhetyo.values import Actor, LegalBasis, ServiceStatus

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
else:
    from perhetyo.testing.value_strategies import st

__all__ = ["CommandSequence", "command_sequences", "with_real_ids"]


CommandT = TypeVar("CommandT", bound=c.Command[Any])


def with_real_ids(command: CommandT, real: Mapping[UUID, UUID]) -> CommandT:
    """``command`` with every placeholder id in ``real`` swapped for its real id.

    The ids a drawn command refers to (its case, goal, service, decision and matter ids)
    may be placeholders for what earlier commands create when they run; ids not in
    ``real`` are kept.
    """
    if not isinstance(command, c.CaseCommand):
        return command
    fields = type(command).model_fields
    update: dict[str, Any] = {
        name: real.get(value, value)
        for name in ("case_id", "goal_id", "service_id")
        if name in fields and isinstance(value := getattr(command, name), UUID)
    }
    if isinstance(command, c.OrderService):
        update["goal_ids"] = tuple(real.get(goal_id, goal_id) for goal_id in command.goal_ids)
        if command.decision_id is not None:
            update["decision_id"] = real.get(command.decision_id, command.decision_id)
    matter_id = getattr(command, "matter_id", None)
    if isinstance(matter_id, UUID):
        update["matter_id"] = matter_ids_in_real(matter_id, real)
    return command.model_copy(update=update)


@dataclass(frozen=True)
class CommandSequence:
    """A random valid life of one case (asiakkuuden kulku): an opening, then commands.

    The case, goal, service and meeting ids do not exist until the commands run, so the
    commands refer to them by placeholders (``UUID(int=n)``): ``case_id`` stands for the
    case, and ``results[i]`` (or None) for what ``commands[i]`` creates. :meth:`run` swaps
    the placeholders for the real ids as it goes.
    """

    opening: c.OpenCase
    commands: tuple[c.CaseCommand[Any], ...]
    results: tuple[UUID | None, ...]
    today: date
    case_id: UUID = field(default=_placeholder(1))

    @property
    def steps(self) -> tuple[tuple[c.Command[Any], UUID | None], ...]:
        """Each command, the opening first, with the placeholder of what it creates."""
        return ((self.opening, self.case_id), *zip(self.commands, self.results, strict=True))

    def run(self, cases: FamilyCases, *, clock: FakeClock | None = None) -> dict[UUID, UUID]:
        """Execute every command on ``cases``; returns each placeholder and its real id.

        The store's clock must be on or after ``today`` in Helsinki. With ``clock``, it is
        advanced by one second before each command, so record times differ.
        """
        real: dict[UUID, UUID] = {}
        for command, placeholder in self.steps:
            if clock is not None:
                clock.advance()
            result = cases.execute(with_real_ids(command, real))
            if placeholder is not None:
                real[placeholder] = cast(UUID, result)
        return real


def command_sequences(
    *,
    today: date = DEFAULT_TODAY,
    max_size: int = 20,
    actor: SearchStrategy[Actor] | None = None,
    closing: bool = True,
    closed: bool | None = None,
    legal_basis: LegalBasis | None = None,
    min_children: int = 1,
    max_children: int = 3,
    person_ids: Sequence[str] | None = None,
) -> SearchStrategy[CommandSequence]:
    """Random valid lives of one case: an opening and up to ``max_size`` commands.

    Every command is accepted when the sequence runs on a store whose today (Helsinki) is
    ``today`` or later. Business dates are drawn between the opening and ``today``, not in
    order: only the rules' order holds.

    Steering: ``closed=True`` ends every life closed (its running services ended first,
    within ``max_size``), ``closed=False`` keeps the case open to the end (as does
    ``closing=False``), None closes it or not; ``legal_basis`` opens every case under that
    act and keeps it (no assessment turns it into child welfare); the case holds
    ``min_children`` to ``max_children`` children at every step; with ``person_ids``, every
    child and guardian comes from that pool of ids (children joining too).
    """
    steer = Steer.checked(
        person_ids=person_ids,
        min_children=min_children,
        max_children=max_children,
        keeps_legal_basis=legal_basis is not None,
    )
    if closed is True and max_size < 1:
        raise ValueError("closed=True needs max_size of at least 1: the closing is a command")
    actor_strategy = actors() if actor is None else actor
    may_close = closing and closed is not False

    def draw_sequence(draw: DrawFn) -> CommandSequence:
        opening = draw(openings(today, legal_basis, actor_strategy, steer))
        steered = steer.for_opening(opening)
        case = FamilyCase.open(opening, case_id=_placeholder(1), now=_now_on(today))
        case.collect_events()
        case.new_id = _placeholders(2)
        commands: list[c.CaseCommand[Any]] = []
        results: list[UUID | None] = []
        for _ in range(draw(st.integers(0, max_size))):
            if not case.is_open or (closed and not _room_to_close(case, len(commands), max_size)):
                break
            command = _draw_command(
                draw, case, today=today, actor=actor_strategy, closing=may_close, steer=steered
            )
            commands.append(command)
            results.append(_decide(case, command, today))
        if closed and case.is_open:
            closing_commands = _draw_closing(draw, case, today=today, actor=actor_strategy)
            commands.extend(closing_commands)
            results.extend([None] * len(closing_commands))
        return CommandSequence(opening, tuple(commands), tuple(results), today, case.id)

    return st.composite(draw_sequence)()


def _room_to_close(case: FamilyCase, drawn: int, max_size: int) -> bool:
    """Whether one more command still leaves room, within ``max_size``, to end every
    running service (one more, at most, than now) and close the case."""
    running = len(case.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE))
    return drawn + 1 + (running + 1) + 1 <= max_size
