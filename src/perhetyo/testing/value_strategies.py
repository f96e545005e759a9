"""Hypothesis strategies for values (arvot): ids, free text, actors, people, named workers.

Every value drawn passes the shape checks of the commands that take it. The case-life
strategies (:mod:`perhetyo.testing.case_strategies`) build their commands from these.

Hypothesis is the optional ``testing`` extra and is imported on first use: ``st`` here is
the one lazy importer, shared by the testing kit's strategies.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar, cast

from pydantic import TypeAdapter

from perhetyo.values import (
    SHORT_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Actor,
    Id,
    LegalBasis,
    NamedWorker,
    PersonRef,
    Profession,
    looks_like_personal_identity_code,
    named_worker_professions,
)

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy
else:

    class _Strategies:
        """``hypothesis.strategies``, imported on first use (the optional ``testing`` extra)."""

        def __getattr__(self, name: str) -> Any:
            try:
                module = importlib.import_module("hypothesis.strategies")
            except ImportError as exc:
                raise ImportError(
                    "perhetyo.testing strategies need hypothesis: install perhetyo[testing]"
                ) from exc
            return getattr(module, name)

    st = _Strategies()

__all__ = [
    "DEFAULT_TODAY",
    "actors",
    "ids",
    "named_workers",
    "person_pool",
    "person_refs",
    "person_with_id",
    "texts",
]


_ID: Final = TypeAdapter(Id)

DEFAULT_TODAY: Final = date(2020, 12, 31)
"""The business date the strategies take as today by default: ``FakeClock()``'s date."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``functools.cache``, keeping the signature for type checkers.

    The strategy builders are cached: a strategy is immutable, and building and validating
    it afresh on every draw took half of the generation time.
    """
    return cast(Callable[_P, _R], functools.cache(function))


_ID_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,31}"
_WORD_CATEGORIES: Final = ("L", "M", "N", "P", "S")
"""Letters, marks, numbers, punctuation, symbols: no whitespace, controls or surrogates."""


@_cached
def ids() -> SearchStrategy[str]:
    """Opaque ids (tunnisteet) as the host's registry might give them, never a hetu."""
    return st.from_regex(_ID_PATTERN, fullmatch=True).filter(
        lambda value: not looks_like_personal_identity_code(value)
    )


@_cached
def texts(max_length: int = TEXT_MAX_LENGTH) -> SearchStrategy[str]:
    """Free text (vapaa teksti) that the commands keep as given: words, single spaces.

    Any letters, marks, digits, punctuation and symbols (Finnish ones too); no surrounding
    whitespace, so the stored text equals the drawn one; 1 to ``max_length`` characters.
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    words = st.text(st.characters(categories=_WORD_CATEGORIES), min_size=1, max_size=12)
    return st.lists(words, min_size=1, max_size=6).map(
        lambda parts: " ".join(parts)[:max_length].rstrip(" ")
    )


@_cached
def _short_texts() -> SearchStrategy[str]:
    return texts(SHORT_TEXT_MAX_LENGTH)


@_cached
def actors() -> SearchStrategy[Actor]:
    """Acting users (toimijat) with or without a profession and an organisation."""
    return st.builds(
        Actor,
        id=ids(),
        name=_short_texts(),
        profession=st.none() | st.sampled_from(Profession),
        organisation=st.none() | _short_texts(),
    )


@_cached
def _birth_dates(today: date) -> SearchStrategy[date | None]:
    earliest = date(max(today.year - 20, date.min.year), 1, 1)
    return st.none() | st.dates(min_value=earliest, max_value=today)


def person_refs(
    *, today: date = DEFAULT_TODAY, person_ids: Iterable[str] | None = None
) -> SearchStrategy[PersonRef]:
    """Children or guardians (asiakasviitteet), born at the latest ``today`` when known.

    ``person_ids``: a pool of the host's person ids to draw every id from (None: any id).
    """
    return _person_refs(today, person_pool(person_ids))


def person_pool(person_ids: Iterable[str] | None) -> tuple[str, ...] | None:
    """``person_ids`` as a pool to draw from: valid ids, each once, in the order given.

    A pool that is empty, or holds an id the commands refuse (a hetu, a blank), is a
    ``ValueError`` here, where the test is written, not a failed draw later.
    """
    if person_ids is None:
        return None
    if isinstance(person_ids, str):
        raise TypeError("person_ids is a collection of ids, not one id")
    pool = tuple(dict.fromkeys(person_ids))
    if not pool:
        raise ValueError("person_ids is empty: give at least one id, or None for any")
    for number, person_id in enumerate(pool):
        try:
            _ID.validate_python(person_id)
        except ValueError:  # pydantic's message quotes the id: it may be a hetu, never shown
            raise ValueError(
                f"person_ids[{number}] is not an opaque id the commands take (perhetyo.values.Id)"
            ) from None
    return pool


@_cached
def _person_refs(today: date, pool: tuple[str, ...] | None) -> SearchStrategy[PersonRef]:
    return st.builds(
        PersonRef,
        id=ids() if pool is None else st.sampled_from(pool),
        display_name=_short_texts(),
        birth_date=_birth_dates(today),
    )


def person_with_id(person_id: str, *, today: date = DEFAULT_TODAY) -> SearchStrategy[PersonRef]:
    """A child or guardian with the id ``person_id`` (a name and a birth date drawn)."""
    return st.builds(
        PersonRef,
        id=st.just(person_id),
        display_name=_short_texts(),
        birth_date=_birth_dates(today),
    )


@_cached
def named_workers(
    qualified: bool | None = True,
    *,
    legal_basis: LegalBasis = LegalBasis.SOCIAL_WELFARE_ACT,
) -> SearchStrategy[NamedWorker]:
    """Named workers (omatyöntekijät) whose profession may, or may not, hold the role.

    ``qualified=True``: allowed in a case of ``legal_basis``; ``False``: refused there;
    ``None``: any profession.
    """
    allowed = named_worker_professions(legal_basis)
    professions = [
        profession
        for profession in Profession
        if qualified is None or (profession in allowed) == qualified
    ]
    return st.builds(
        NamedWorker, id=ids(), name=_short_texts(), profession=st.sampled_from(professions)
    )
