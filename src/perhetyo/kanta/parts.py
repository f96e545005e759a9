"""Common parts of the structures (rakenteiden yhteiset osat): clients, authors, codes.

Every structure names its clients (Asiakas: names and a personal identity code or a
temporary id), its author (Laatija: names, job title, service unit) and the service task;
:class:`Parts` builds these from the host's people, codes and context. Optional fields
without a value are left out (:func:`compact`), never written empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from perhetyo.events import CaseEvent
from perhetyo.kanta.codes import IDENTITY_CODES, SERVICE_UNITS, KantaCodes, coded
from perhetyo.kanta.context import KantaContext
from perhetyo.kanta.people import PeopleResolver, client_identity, identity_of
from perhetyo.kanta.structures import Structure
from perhetyo.time import today_in
from perhetyo.values import Actor, NamedWorker, finnish_label

__all__ = ["Parts", "compact", "day", "lines"]


def day(value: date) -> str:
    """A date as the structures write it: ``YYYY-MM-DD``."""
    return value.isoformat()


def lines(*parts: str | None) -> str | None:
    """The non-empty parts, one per line; None when there are none."""
    kept = [part for part in parts if part]
    return "\n".join(kept) if kept else None


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {key: _compact(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_compact(item) for item in value]
        return [item for item in items if item not in (None, "", [], {})]
    return value


def compact(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` without None, empty strings, empty lists or empty objects, recursively."""
    kept: dict[str, Any] = _compact(value)
    return kept


@dataclass(frozen=True)
class Parts:
    """The host's three inputs, and the parts every structure builds from them."""

    people: PeopleResolver
    codes: KantaCodes
    context: KantaContext

    def code(self, member: StrEnum) -> dict[str, str]:
        """The coded field of an enum member (MissingKantaCodeError without a code)."""
        return self.codes.coded(member)

    def name(self, person_id: str) -> dict[str, str]:
        """A person's sukunimi and etunimet (UnknownPersonError when unknown)."""
        identity = identity_of(self.people, person_id)
        return {"sukunimi": identity.surname, "etunimet": identity.first_names}

    def full_name(self, person_id: str) -> str:
        """A person's name as text: first names, then surname."""
        identity = identity_of(self.people, person_id)
        return f"{identity.first_names} {identity.surname}"

    def clients(self, person_ids: Iterable[str], structure: Structure) -> list[dict[str, Any]]:
        """The Asiakas list: each client's names and identity code or temporary id."""
        found = []
        for person_id in person_ids:
            identity = client_identity(
                self.people,
                person_id,
                identity_code_required=structure.requires_identity_code,
                structure=structure.short,
            )
            client: dict[str, Any] = {
                "sukunimi": identity.surname,
                "etunimet": identity.first_names,
            }
            if identity.personal_identity_code is not None:
                client["henkilotunnus"] = {
                    "system": IDENTITY_CODES,
                    "value": identity.personal_identity_code,
                }
            else:
                client["tilapainen_yksilointitunnus"] = {"value": identity.temporary_id}
            found.append(client)
        return found

    def unit(self, actor: Actor | None) -> dict[str, str] | None:
        """The author's service unit (Palveluyksikkö): the actor's own, else the context's."""
        if actor is not None and actor.unit_oid is not None:
            display = actor.organisation or actor.unit_oid
            return coded(SERVICE_UNITS, actor.unit_oid, display)
        oid = self.context.service_unit_oid
        if oid is None:
            return None
        return coded(SERVICE_UNITS, oid, self.context.service_unit_name or oid)

    def author(self, actor: Actor) -> dict[str, Any]:
        """The Laatija (or any professional): names, job title and service unit."""
        profession = None if actor.profession is None else finnish_label(actor.profession)
        title = actor.title or profession
        return compact(
            {**self.name(actor.id), "tehtavanimike": title, "palveluyksikko": self.unit(actor)}
        )

    def worker(self, worker: NamedWorker, *, with_unit: bool = True) -> dict[str, Any]:
        """A named worker or decision maker: names, the profession as title, the unit."""
        return compact(
            {
                **self.name(worker.id),
                "tehtavanimike": finnish_label(worker.profession),
                "palveluyksikko": self.unit(None) if with_unit else None,
            }
        )


def recorded_on(event: CaseEvent) -> str:
    """The entry's date (Päivämäärä): the day it was recorded, in Helsinki."""
    return day(today_in(event.timestamp))
