"""People's identities (henkilöiden tunnistetiedot): what the host's registry gives.

A Kanta document names its clients by surname, first names and a personal identity code
(henkilötunnus) or a temporary id (tilapäinen yksilöintitunnus), and its author by name.
perhetyo never stores any of these: its events name people by the host registry's opaque
ids. The host passes a resolver, ``people(person_id) -> PersonIdentity``, when documents
are produced; the identities live only in the documents returned.

A :class:`PersonIdentity` never shows its values in ``repr`` or in an error: an error names
the person's id only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from perhetyo.errors import ClientIdentityError, UnknownPersonError
from perhetyo.values import ShortText, ValueModel, looks_like_personal_identity_code

__all__ = ["PeopleResolver", "PersonIdentity", "client_identity", "identity_of"]


def _identity_code(value: str) -> str:
    if not looks_like_personal_identity_code(value):
        raise ValueError("not a personal identity code (henkilötunnus) with its check character")
    return value.upper()


def _optional_identity_code(value: str | None) -> str | None:
    return None if value is None else _identity_code(value)


class PersonIdentity(ValueModel):
    """A person's identity (henkilön tunnistetiedot) from the host's registry; never stored.

    ``surname`` and ``first_names`` as the national documents print them. A client (a
    child) has exactly one of ``personal_identity_code`` (henkilötunnus, checked with its
    check character) and ``temporary_id`` (tilapäinen yksilöintitunnus); a worker needs
    neither. Giving both is refused. Its values never appear in ``repr``.
    """

    surname: Annotated[ShortText, Field(repr=False)]
    first_names: Annotated[ShortText, Field(repr=False)]
    personal_identity_code: Annotated[
        str | None, AfterValidator(_optional_identity_code), Field(repr=False)
    ] = None
    temporary_id: Annotated[ShortText | None, Field(repr=False)] = None

    @model_validator(mode="after")
    def _one_identifier(self) -> Self:
        if self.personal_identity_code is not None and self.temporary_id is not None:
            raise ValueError("give a personal identity code or a temporary id, not both")
        return self


PeopleResolver = Callable[[str], PersonIdentity | None]
"""The host's registry: a person's id -> their identity, or None (or ``KeyError``) when
unknown. A dict's ``get`` is one."""


def identity_of(people: PeopleResolver, person_id: str) -> PersonIdentity:
    """The identity the resolver gives for ``person_id``; UnknownPersonError without one."""
    try:
        identity = people(person_id)
    except LookupError:
        identity = None
    if identity is None:
        raise UnknownPersonError(person_id) from None
    if not isinstance(identity, PersonIdentity):
        raise TypeError(f"the people resolver gave a {type(identity).__name__} for {person_id}")
    return identity


def client_identity(
    people: PeopleResolver, person_id: str, *, identity_code_required: bool, structure: str
) -> PersonIdentity:
    """A client's identity, with the identifier the structure needs.

    Every structure needs a personal identity code or a temporary id; a structure that
    requires the code (``identity_code_required``: PTA, LPS) refuses a temporary id.
    """
    identity = identity_of(people, person_id)
    if identity_code_required and identity.personal_identity_code is None:
        raise ClientIdentityError(
            person_id, f"structure {structure} requires a personal identity code (henkilötunnus)"
        )
    if identity.personal_identity_code is None and identity.temporary_id is None:
        raise ClientIdentityError(
            person_id,
            f"structure {structure} requires a personal identity code or a temporary id",
        )
    return identity
