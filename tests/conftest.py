"""Shared fixtures: a fake clock, sample people, and a fresh in-memory store."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from perhetyo import Actor, FamilyCases
from perhetyo.testing import FakeClock, an_actor, open_sample_case


@pytest.fixture
def clock() -> FakeClock:
    """2020-12-31 10:00 UTC; tests advance it."""
    return FakeClock()


@pytest.fixture
def actor() -> Actor:
    return an_actor()


@pytest.fixture
def cases(clock: FakeClock) -> Iterator[FamilyCases]:
    """A fresh in-memory (POPO) store on the fake clock."""
    with FamilyCases(url="memory://", clock=clock) as store:
        yield store


@pytest.fixture
def case_id(cases: FamilyCases) -> UUID:
    """A case opened on 2020-08-12 with child-1 and guardian-1."""
    return open_sample_case(cases)
