"""Kanta document (Kanta-asiakirja): one structure's body, derived from a case's events.

A :class:`KantaDocument` is what perhetyo hands a host to archive: the structure's OID
(with its version), its title, the business date of the fact, the versions of the case's
events it was derived from, and the body in the structure's JSON shape. The body holds
personal data (names, identity codes, free text): it never appears in ``repr``, and
perhetyo never stores or logs it. Kanta's archive header (document id, organiser,
retention, signatures of the CDA envelope) is the host's archive client's.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import Field

from perhetyo.kanta.structures import STRUCTURES, Structure
from perhetyo.values import ValueModel

__all__ = ["KantaDocument"]


class KantaDocument(ValueModel):
    """Kanta document (Kanta-asiakirja): a structure's body derived from a case's events.

    ``structure_oid`` names THL's structure with its version
    (``1.2.246.537.6.1506.15007.2024.11.28``), ``title`` its Finnish name,
    ``occurred_on`` the fact's business date, ``source_versions`` the case's event
    versions it comes from (ascending), ``body`` the structure's JSON object. The body is
    left out of ``repr``.
    """

    case_id: UUID
    structure_oid: str
    title: str
    occurred_on: date
    source_versions: tuple[int, ...]
    body: dict[str, Any] = Field(repr=False)

    @property
    def structure(self) -> Structure:
        """The structure this document follows."""
        return STRUCTURES[self.structure_oid]

    @property
    def short_name(self) -> str:
        """The structure's short name in these pages (VT, PTA, LPS, PP, ...)."""
        return self.structure.short
