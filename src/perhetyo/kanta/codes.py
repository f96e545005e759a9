"""National code sets (kansalliset koodistot): our enums' members as code values.

Coded fields of THL's structures take a code of a national code set, named by its OID
(``{"system": "urn:oid:1.2.246.537.6.1222", "code": ..., "display": ...}``). The library
knows which code set each of its enumerations maps to (:data:`CODE_SETS`), but not the
code values themselves: they are not in the material this library was built from, and
inventing them would put wrong codes into a national archive. The host gives them, from
the national code server (koodistopalvelu.kanta.fi), as a :class:`KantaCodes`: a mapping
``"EnumName.MEMBER" -> code`` (or ``-> {"code": ..., "display": ...}``). A missing code is
a :class:`~perhetyo.errors.MissingKantaCodeError` naming the member and the code set.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Self

from perhetyo.errors import ConfigurationError, MissingKantaCodeError
from perhetyo.record_values import ContactChannel, DecisionOutcome
from perhetyo.values import (
    FINNISH_LABELS,
    SWEDISH_LABELS,
    GoalStatus,
    Initiation,
    ServiceKind,
    ServiceTask,
    finnish_label,
)

__all__ = ["CODE_SETS", "CodeSet", "KantaCode", "KantaCodes", "Urgency", "coded"]


class Urgency(StrEnum):
    """Urgency of a matter (kiireellisyyden arvio), as VT records it from ``urgent``."""

    URGENT = "urgent"
    NOT_URGENT = "not_urgent"

    @classmethod
    def of(cls, urgent: bool) -> Urgency:
        """The member for a matter's ``urgent`` flag."""
        return cls.URGENT if urgent else cls.NOT_URGENT


FINNISH_LABELS[Urgency] = {Urgency.URGENT: "kiireellinen", Urgency.NOT_URGENT: "ei kiireellinen"}
SWEDISH_LABELS[Urgency] = {Urgency.URGENT: "brådskande", Urgency.NOT_URGENT: "inte brådskande"}


@dataclass(frozen=True)
class CodeSet:
    """A national code set (koodisto): its OID and its name on the code server."""

    oid: str
    name: str

    @property
    def system(self) -> str:
        """The ``system`` of a coded field: ``urn:oid:<oid>``."""
        return f"urn:oid:{self.oid}"


CODE_SETS: Final[dict[type[StrEnum], CodeSet]] = {
    ServiceTask: CodeSet("1.2.246.537.6.1221", "Sosiaalihuolto - Palvelutehtävä"),
    ServiceKind: CodeSet("1.2.246.537.6.1222", "Sosiaalihuolto - Sosiaalipalvelut"),
    Initiation: CodeSet(
        "1.2.246.537.6.1242", "Sosiaalihuolto - Sosiaalihuollon asian vireilletulon tapa"
    ),
    DecisionOutcome: CodeSet("1.2.246.537.6.1248", "Sosiaalihuolto - Ratkaisun laji"),
    ContactChannel: CodeSet("1.2.246.537.6.1250", "Sosiaalihuolto - Asiointitapa"),
    Urgency: CodeSet(
        "1.2.246.537.6.1252", "Sosiaalihuolto - Sosiaalihuollon kiireellisyyden arvio"
    ),
    GoalStatus: CodeSet("1.2.246.537.6.1253", "Sosiaalihuolto - Tavoitteen saavuttamisen arvio"),
}
"""The code set each coded enumeration maps to (the structures' classification OIDs)."""

SERVICE_UNITS: Final = CodeSet("1.2.246.537.6.202", "THL - SOTE-organisaatiorekisteri")
"""Service units (palveluyksiköt): a unit's code is its own OID (``Actor.unit_oid``)."""

SIGNATURES: Final = CodeSet("1.2.246.537.5.40161", "eArkisto - Allekirjoitus")
"""Signature types (allekirjoituksen tyyppi): the host's ``KantaContext`` gives the code."""

IDENTITY_CODES: Final = "urn:oid:1.2.246.21"
"""The system of personal identity codes (henkilötunnus)."""

_ENUMS: Final = {enum.__name__: enum for enum in CODE_SETS}


@dataclass(frozen=True)
class KantaCode:
    """One code value (koodiarvo): the code and its display text on the code server."""

    code: str
    display: str


def _key(member: StrEnum) -> str:
    return f"{type(member).__name__}.{member.name}"


def _member(key: str) -> StrEnum:
    enum_name, _, member_name = key.partition(".")
    enum = _ENUMS.get(enum_name)
    if enum is None or member_name not in enum.__members__:
        known = ", ".join(sorted(_ENUMS))
        raise ConfigurationError(
            f"{key!r} names no member of a coded enumeration ({known}): write EnumName.MEMBER"
        )
    return enum.__members__[member_name]


def _code(key: str, value: object, member: StrEnum) -> KantaCode:
    if isinstance(value, KantaCode):
        return value
    if isinstance(value, str) and value.strip():
        return KantaCode(value.strip(), finnish_label(member))
    if isinstance(value, Mapping):
        code, display = value.get("code"), value.get("display", finnish_label(member))
        if isinstance(code, str) and code.strip() and isinstance(display, str):
            return KantaCode(code.strip(), display)
    raise ConfigurationError(
        f"the code of {key} must be a non-empty string or {{'code': ..., 'display': ...}}"
    )


class KantaCodes(Mapping[str, KantaCode]):
    """Code values (koodiarvot) of the national code sets, keyed ``"EnumName.MEMBER"``.

    Give each value as the code (its display is then the member's Finnish label) or as
    ``{"code": ..., "display": ...}``. A key that names no member of a coded enumeration
    (:data:`CODE_SETS`) is refused (ConfigurationError), so a typo does not pass silently;
    a member without a code is refused only when a document needs it
    (:class:`~perhetyo.errors.MissingKantaCodeError`). :meth:`for_testing` gives every
    member an obviously fake code (``TEST-1``, ...), for tests and the demo only.
    """

    def __init__(self, codes: Mapping[str, object]) -> None:
        self._codes = {key: _code(key, value, _member(key)) for key, value in codes.items()}

    def __getitem__(self, key: str) -> KantaCode:
        return self._codes[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return f"KantaCodes({len(self._codes)} codes)"

    @classmethod
    def for_testing(cls) -> Self:
        """Every member of every coded enumeration with a fake code: never for Kanta."""
        members = [member for enum in CODE_SETS for member in enum]
        return cls(
            {
                _key(member): {"code": f"TEST-{n}", "display": f"TESTI {finnish_label(member)}"}
                for n, member in enumerate(members, 1)
            }
        )

    def missing(self) -> list[str]:
        """Every ``"EnumName.MEMBER"`` of the coded enumerations that has no code here."""
        return [_key(m) for enum in CODE_SETS for m in enum if _key(m) not in self._codes]

    def as_json(self) -> dict[str, dict[str, str]]:
        """The codes as codes.json holds them (``{"EnumName.MEMBER": {"code", "display"}}``)."""
        return {key: {"code": c.code, "display": c.display} for key, c in self._codes.items()}

    def coded(self, member: StrEnum) -> dict[str, str]:
        """The coded field for ``member``: ``{"system", "code", "display"}``."""
        code_set = CODE_SETS.get(type(member))
        if code_set is None:
            raise TypeError(f"{type(member).__name__} maps to no national code set")
        found = self._codes.get(_key(member))
        if found is None:
            raise MissingKantaCodeError(_key(member), code_set.oid, code_set.name)
        return {"system": code_set.system, "code": found.code, "display": found.display}


def coded(system: CodeSet, code: str, display: str) -> dict[str, str]:
    """A coded field of a code set whose code the host or the actor gives."""
    return {"system": system.system, "code": code, "display": display}
