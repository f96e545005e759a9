"""Openings (aloitukset): hypothesis strategies for the command that opens a case, steered.

:class:`Steer` is how a caller steers drawn lives (whose ids, how many children, which
legal basis); :func:`open_case_commands` draws openings with it, and
:mod:`perhetyo.testing.case_strategies` follows it when children join and leave.

Hypothesis is the optional ``testing`` extra and is imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.testing.value_strategies import (
    DEFAULT_TODAY,
    actors,
    named_workers,
    person_pool,
    person_refs,
    person_with_id,
)
from perhetyo.values import Actor, Initiation, LegalBasis, PersonRef, ServiceTask

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
else:
    from perhetyo.testing.value_strategies import st

__all__ = ["FREE", "Steer", "open_case_commands", "openings"]

def _days_before(day: date, days: int) -> date:
    return day - timedelta(days=min(days, (day - date.min).days))


@dataclass(frozen=True)
class Steer:
    """Steering (ohjaus) of drawn lives: whose ids, how many children, which basis.

    ``person_ids``: the pool every child's and guardian's id comes from (None: any id);
    a case holds ``min_children`` to ``max_children`` children at every step (None: no
    upper bound once opened); ``keeps_legal_basis``: no assessment turns the case into
    child welfare, so it keeps the legal basis it opened with.
    """

    person_ids: tuple[str, ...] | None = None
    min_children: int = 1
    max_children: int | None = None
    keeps_legal_basis: bool = False
    guardian_ids: frozenset[str] = frozenset()
    """The case's guardians (from its opening): never drawn as a child who joins."""

    def for_opening(self, opening: c.OpenCase) -> Steer:
        """This steering for the case ``opening`` opens: its guardians never join as
        children."""
        return replace(self, guardian_ids=frozenset(person.id for person in opening.guardians))

    @classmethod
    def checked(
        cls,
        *,
        person_ids: Sequence[str] | None,
        min_children: int,
        max_children: int,
        keeps_legal_basis: bool = False,
    ) -> Steer:
        """The steer, or a ``ValueError`` naming the argument that cannot be drawn."""
        if min_children < 1:
            raise ValueError("min_children must be at least 1: a case has a child")
        if max_children < min_children:
            raise ValueError("max_children must be at least min_children")
        pool = person_pool(person_ids)
        if pool is not None and len(pool) < min_children:
            raise ValueError("person_ids holds fewer ids than min_children")
        return cls(pool, min_children, max_children, keeps_legal_basis)

    def children(self, today: date) -> SearchStrategy[list[PersonRef]]:
        """The children of an opening: from the pool when there is one."""
        most = 3 if self.max_children is None else self.max_children
        if self.person_ids is None:
            return st.lists(
                person_refs(today=today),
                min_size=self.min_children,
                max_size=most,
                unique_by=_person_id,
            )
        chosen = st.lists(
            st.sampled_from(self.person_ids),
            min_size=self.min_children,
            max_size=min(most, len(self.person_ids)),
            unique=True,
        )
        return chosen.flatmap(lambda person_ids: _people_with_ids(person_ids, today))

    def guardians(
        self, draw: DrawFn, children: Sequence[PersonRef], today: date
    ) -> list[PersonRef]:
        """Up to two guardians, none of them one of the ``children``."""
        if self.person_ids is None:
            return draw(st.lists(person_refs(today=today), max_size=2, unique_by=_person_id))
        taken = {child.id for child in children}
        free = [person_id for person_id in self.person_ids if person_id not in taken]
        if not free:
            return []
        chosen = draw(st.lists(st.sampled_from(free), max_size=min(2, len(free)), unique=True))
        return draw(_people_with_ids(chosen, today))

    def may_join(self, case: FamilyCase) -> bool:
        """Whether a child may join ``case``: below the bound, and someone left to join."""
        if self.max_children is not None and len(case.children) >= self.max_children:
            return False
        return self.person_ids is None or bool(self._free(case))

    def may_leave(self, case: FamilyCase) -> bool:
        """Whether a child may leave ``case``: the last child never does."""
        return len(case.children) > max(1, self.min_children)

    def newcomers(self, case: FamilyCase, today: date) -> SearchStrategy[PersonRef]:
        """A child not in ``case`` now (one who left may come back)."""
        if self.person_ids is None:
            taken = case.children | self.guardian_ids
            return person_refs(today=today).filter(lambda person: person.id not in taken)
        free = self._free(case)
        return st.sampled_from(free).flatmap(lambda person: person_with_id(person, today=today))

    def _free(self, case: FamilyCase) -> list[str]:
        """The pool's ids neither a child of ``case`` now nor one of its guardians."""
        pool = self.person_ids or ()
        return [p for p in pool if p not in case.children and p not in self.guardian_ids]


FREE: Final = Steer()
"""No steering: any ids, any number of children (what ``case_commands`` draws)."""


def _people_with_ids(person_ids: Sequence[str], today: date) -> SearchStrategy[list[PersonRef]]:
    return st.tuples(*(person_with_id(person_id, today=today) for person_id in person_ids)).map(
        list
    )


def open_case_commands(
    *,
    today: date = DEFAULT_TODAY,
    legal_basis: LegalBasis | None = None,
    actor: SearchStrategy[Actor] | None = None,
    min_children: int = 1,
    max_children: int = 3,
    person_ids: Sequence[str] | None = None,
) -> SearchStrategy[c.OpenCase]:
    """Openings (aloitukset) the rules accept on ``today``: opened within two years before.

    ``min_children`` to ``max_children`` children; with ``person_ids``, every child's and
    guardian's id comes from that pool (a child is never also a guardian of the case, and
    the strategies never add a guardian as a child later).
    """
    steer = Steer.checked(
        person_ids=person_ids, min_children=min_children, max_children=max_children
    )
    return openings(today, legal_basis, actor, steer)


def openings(
    today: date,
    legal_basis: LegalBasis | None,
    actor: SearchStrategy[Actor] | None,
    steer: Steer,
) -> SearchStrategy[c.OpenCase]:
    def draw_opening(draw: DrawFn) -> c.OpenCase:
        basis = draw(st.sampled_from(LegalBasis)) if legal_basis is None else legal_basis
        opened_on = draw(st.dates(_days_before(today, 730), today))
        children = draw(steer.children(today))
        return c.OpenCase(
            children=children,
            guardians=steer.guardians(draw, children, today),
            legal_basis=basis,
            named_worker=draw(named_workers(legal_basis=basis)),
            opened_on=opened_on,
            service_task=draw(st.none() | st.sampled_from(ServiceTask)),
            previous_case_id=draw(st.none() | st.uuids()),
            actor=draw(actors() if actor is None else actor),
            pending_on=draw(st.none() | st.dates(_days_before(opened_on, 30), opened_on)),
            initiated_by=draw(st.none() | st.sampled_from(Initiation)),
            special_support=draw(st.booleans()),
            urgent=draw(st.booleans()),
        )

    return st.composite(draw_opening)()


def _person_id(person: PersonRef) -> str:
    return person.id
