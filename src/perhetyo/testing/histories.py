"""Case histories (asiakkuuden historiat): steerable lives of one case, for users' tests.

:func:`case_histories` is :func:`~perhetyo.testing.command_sequences`, steered the way a
host service's test needs it: children and guardians from a fixed pool of the host's
person ids, a number of children, a legal basis, closed or open, a bound on the events.
Each value is a :class:`CaseHistory`, which :meth:`CaseHistory.apply_to` replays through
the public commands of any store and answers with the real case id::

    @given(history=case_histories(person_ids=["child-1", "child-2"], closed=False))
    def test_an_open_case_blocks_a_second_referral(history: CaseHistory) -> None:
        with FamilyCases("memory://", clock=FakeClock()) as cases:
            case_id = history.apply_to(cases)
            ...

Hypothesis is the optional ``testing`` extra and is imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from perhetyo import commands as c
from perhetyo.application import FamilyCases
from perhetyo.testing.samples import FakeClock
from perhetyo.testing.sequences import CommandSequence, command_sequences
from perhetyo.testing.value_strategies import DEFAULT_TODAY
from perhetyo.values import Actor, LegalBasis

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["CaseHistory", "case_histories"]


@dataclass(frozen=True)
class CaseHistory:
    """A case's history (asiakkuuden historia): its opening and the commands after it.

    Every command is accepted when the history is applied to a store whose today
    (Helsinki) is on or after :attr:`today` (``FakeClock()`` is). The ids the commands
    create are placeholders until then (see :class:`~perhetyo.testing.CommandSequence`).
    """

    sequence: CommandSequence

    @property
    def opening(self) -> c.OpenCase:
        """The command that opens the case."""
        return self.sequence.opening

    @property
    def commands(self) -> tuple[c.CaseCommand[Any], ...]:
        """The commands after the opening, in order."""
        return self.sequence.commands

    @property
    def today(self) -> date:
        """The day every business date is on or before."""
        return self.sequence.today

    @property
    def events(self) -> int:
        """How many events applying the history records (one per command)."""
        return 1 + len(self.sequence.commands)

    @property
    def closed(self) -> bool:
        """Whether the history ends with the case closed."""
        return any(isinstance(command, c.CloseCase) for command in self.sequence.commands)

    @property
    def person_ids(self) -> frozenset[str]:
        """Every child's and guardian's id the history names (at the opening or joining)."""
        people = {person.id for person in (*self.opening.children, *self.opening.guardians)}
        people.update(
            command.child.id for command in self.commands if isinstance(command, c.AddChild)
        )
        return frozenset(people)

    def apply_to(self, cases: FamilyCases, *, clock: FakeClock | None = None) -> UUID:
        """Replay the history through ``cases``' public commands; returns the case's id.

        With ``clock`` (the store's fake clock), it moves one second before each command,
        so that record times differ.
        """
        real = self.sequence.run(cases, clock=clock)
        return real[self.sequence.case_id]


def case_histories(
    *,
    min_children: int = 1,
    max_children: int = 3,
    person_ids: Sequence[str] | None = None,
    legal_basis: LegalBasis | None = None,
    closed: bool | None = None,
    max_events: int = 30,
    today: date = DEFAULT_TODAY,
    actor: SearchStrategy[Actor] | None = None,
) -> SearchStrategy[CaseHistory]:
    """Valid histories of one case (asiakkuuden historiat), steered by the arguments.

    - ``min_children``/``max_children``: how many children the case holds at every step
      (children join and leave within the bounds);
    - ``person_ids``: the pool every child's and guardian's id is drawn from (None: any
      id); a child is never also a guardian of the same case;
    - ``legal_basis``: the act the case opens under, and keeps (None: either);
    - ``closed``: True, every history ends with the case closed; False, open; None, either;
    - ``max_events``: at most this many events, the opening's included;
    - ``today``: the latest business date; ``actor``: who records each step (any actor).

    Arguments that cannot be drawn (a pool smaller than ``min_children``, ``closed=True``
    with ``max_events`` below 2, ...) raise ``ValueError`` when the strategy is made.
    """
    if max_events < 1:
        raise ValueError("max_events must be at least 1: the opening is an event")
    sequences = command_sequences(
        today=today,
        max_size=max_events - 1,
        actor=actor,
        closed=closed,
        legal_basis=legal_basis,
        min_children=min_children,
        max_children=max_children,
        person_ids=person_ids,
    )
    return sequences.map(CaseHistory)
