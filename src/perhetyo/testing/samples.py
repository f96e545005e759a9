"""Sample values and a fake clock (testiarvot ja testikello) for users' tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from perhetyo.application import FamilyCases
from perhetyo.values import (
    Actor,
    LegalBasis,
    NamedWorker,
    PersonRef,
    Profession,
)

__all__ = ["FakeClock", "a_child", "a_guardian", "a_worker", "an_actor", "open_sample_case"]


class FakeClock:
    """Fake clock (testikello): returns a set instant; ``advance`` moves it forward."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2020, 12, 31, 10, 0, tzinfo=UTC)
        if self.current.utcoffset() is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta = timedelta(seconds=1)) -> datetime:
        """Move the clock forward by ``delta`` (one second by default)."""
        self.current += delta
        return self.current

    def set(self, instant: datetime) -> None:
        """Set the clock to ``instant`` (an aware datetime)."""
        if instant.utcoffset() is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")
        self.current = instant


def an_actor(actor_id: str = "sw-17") -> Actor:
    """A social worker acting on a case (sample)."""
    return Actor(
        id=actor_id,
        name="Aino K.",
        profession=Profession.SOCIAL_WORKER,
        organisation="Hyvinvointialue X",
    )


def a_worker(
    worker_id: str = "sw-17", profession: Profession = Profession.SOCIAL_WORKER
) -> NamedWorker:
    """A named worker (sample), a social worker unless told otherwise."""
    return NamedWorker(id=worker_id, name="Aino K.", profession=profession)


def a_child(child_id: str = "child-1", birth_date: date | None = date(2012, 5, 1)) -> PersonRef:
    """A child (sample)."""
    return PersonRef(id=child_id, display_name="Lapsi A", birth_date=birth_date)


def a_guardian(guardian_id: str = "guardian-1") -> PersonRef:
    """A guardian (sample)."""
    return PersonRef(id=guardian_id, display_name="Huoltaja A")


def open_sample_case(
    cases: FamilyCases,
    *,
    opened_on: date = date(2020, 8, 12),
    legal_basis: LegalBasis = LegalBasis.SOCIAL_WELFARE_ACT,
    children: tuple[PersonRef, ...] | None = None,
) -> UUID:
    """Open a case with sample people; returns its id."""
    return cases.open_case(
        children=children or (a_child(),),
        guardians=(a_guardian(),),
        legal_basis=legal_basis,
        named_worker=a_worker(),
        opened_on=opened_on,
        actor=an_actor(),
    )


