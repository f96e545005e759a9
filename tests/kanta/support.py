"""Shared helpers of the Kanta tests (Kanta-testien apuvälineet): resolvers and inputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from perhetyo.kanta import KantaCodes, KantaContext, KantaDocument, PersonIdentity

IDENTITY_CODE = "131052-308T"
"""A personal identity code with a valid check character (DVV's published example)."""


@dataclass
class Everyone:
    """A people resolver that knows every id: clients get an identity code (or a temporary
    id with ``temporary=True``); ``unknown`` ids are not known; ``asked`` records ids."""

    temporary: bool = False
    surname: str = "Meikäläinen"
    first_names: str = "Testi Henkilö"
    code: str = IDENTITY_CODE
    unknown: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def __call__(self, person_id: str) -> PersonIdentity | None:
        self.asked.append(person_id)
        if person_id in self.unknown:
            return None
        if self.temporary:
            return PersonIdentity(
                surname=self.surname, first_names=self.first_names, temporary_id=f"tmp-{person_id}"
            )
        return PersonIdentity(
            surname=self.surname, first_names=self.first_names, personal_identity_code=self.code
        )


def codes_without(*keys: str) -> KantaCodes:
    """The test codes without ``keys``."""
    every = KantaCodes.for_testing()
    return KantaCodes({key: every[key] for key in every if key not in keys})


CODES = KantaCodes.for_testing()
CONTEXT = KantaContext.for_testing()


def short_names(documents: Iterable[KantaDocument]) -> list[str]:
    """The structures' short names of ``documents``, in order."""
    return [document.short_name for document in documents]
