"""Value objects (arvo-oliot) shared by events, commands and read models.

Everything here is immutable: frozen pydantic models with ``extra="forbid"`` and
string enumerations whose values are stable identifiers (they are stored in events).
Finnish labels live beside the enumerations in ``FINNISH_LABELS``.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic._internal._model_construction import ModelMetaclass

from perhetyo import matter_values
from perhetyo.errors import FieldError, InvalidCommandError
from perhetyo.matter_values import DeadlineKind, DeadlineStatus, Initiation

__all__ = [
    "FINAL_GOAL_STATUSES",
    "FINNISH_LABELS",
    "SWEDISH_LABELS",
    "Actor",
    "BusinessDate",
    "CaseStatus",
    "ClosureReason",
    "DeadlineKind",
    "DeadlineStatus",
    "GoalStatus",
    "Id",
    "Initiation",
    "LegalBasis",
    "LongText",
    "MeetingKind",
    "NamedWorker",
    "PersonRef",
    "Profession",
    "Recipient",
    "RequestId",
    "ServiceKind",
    "ServiceStatus",
    "ServiceTask",
    "ShortText",
    "Successor",
    "SuccessorKind",
    "Text",
    "ValueModel",
    "contains_personal_identity_code",
    "finnish_label",
    "looks_like_personal_identity_code",
    "named_worker_professions",
    "swedish_label",
    "validation_errors",
]

# --- limits (documented in docs/concepts.md) -------------------------------------------

ID_MAX_LENGTH: Final = 64
SHORT_TEXT_MAX_LENGTH: Final = 200
TEXT_MAX_LENGTH: Final = 2_000
LONG_TEXT_MAX_LENGTH: Final = 8_000

# --- personal identity codes (henkilötunnus) are refused in ids ------------------------

_HETU = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$", re.IGNORECASE)
_HETU_ANYWHERE = re.compile(
    r"(?<!\d)(\d{2})(\d{2})\d{2}[-+A-FU-Y]\d{3}[0-9A-Z]", re.IGNORECASE
)
_HETU_CHECK_CHARACTERS: Final = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def looks_like_personal_identity_code(value: str) -> bool:
    """Personal identity code (henkilötunnus): is ``value`` one, check character and all?

    DDMMYY, a century sign, three digits and the check character (the nine-digit number
    modulo 31).
    """
    match = _HETU.match(value.strip())
    if match is None:
        return False
    day, month, _year, _century, individual, check = match.groups()
    if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
        return False
    number = int(day + month + _year + individual)
    return _HETU_CHECK_CHARACTERS[number % 31] == check.upper()


def contains_personal_identity_code(value: str) -> bool:
    """Does ``value`` hold something shaped like a henkilötunnus anywhere in it?

    Any check character counts (a mistyped code is still a code): a day 01-31 and a month
    01-12, two more digits, a century sign, three digits and one letter or digit, wherever
    it stands (``c-131052-308T``, ``hetu:131052-308T``, ``131052-308T.1``). Ids and
    request ids holding one are refused, so that ids may appear in messages and logs.
    """
    return any(
        1 <= int(match.group(1)) <= 31 and 1 <= int(match.group(2)) <= 12
        for match in _HETU_ANYWHERE.finditer(value)
    )


def _from_store(info: ValidationInfo) -> bool:
    """Whether a value is being read back from the store (never re-judged by today's rules)."""
    return bool(info.context and info.context.get("stored"))


def _refuse_identity_code(value: str, info: ValidationInfo) -> str:
    if not _from_store(info) and contains_personal_identity_code(value):
        raise ValueError("an id must be opaque: it holds a personal identity code")
    return value


def _only_dates(value: object, info: ValidationInfo) -> object:
    """Accept a ``datetime.date`` (not a ``datetime``); ISO strings only from the store."""
    if type(value) is date:
        return value
    if isinstance(value, str) and _from_store(info):
        return date.fromisoformat(value)
    raise ValueError("expected a datetime.date")


Id = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=ID_MAX_LENGTH,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$",
    ),
    AfterValidator(_refuse_identity_code),
]
"""An opaque id from the host's registry: letters, digits and ``._:-``, never a hetu."""


def _refuse_nul(value: str, info: ValidationInfo) -> str:
    # PostgreSQL stores no NUL in text or jsonb: accepting one would jam the stored views.
    if not _from_store(info) and "\x00" in value:
        raise ValueError("text must not contain the NUL character")
    return value


RequestId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_refuse_nul),
    AfterValidator(_refuse_identity_code),
]
"""A caller's idempotency key: 1-200 characters, no NUL, no personal identity code."""


ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_TEXT_MAX_LENGTH),
    AfterValidator(_refuse_nul),
]
"""A name, a provider or a participant: stripped, 1-200 characters."""

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_LENGTH),
    AfterValidator(_refuse_nul),
]
"""A note, an agreement, a view: stripped, 1-2,000 characters."""

LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=LONG_TEXT_MAX_LENGTH),
    AfterValidator(_refuse_nul),
]
"""A meeting summary or a child's view: stripped, 1-8,000 characters."""

Oid = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=ID_MAX_LENGTH, pattern=r"^[0-2](\.(0|[1-9][0-9]*))+$"
    ),
]
"""An ISO object identifier (OID), dotted digits: ``1.2.246.10.1234567.10.1``."""

BusinessDate = Annotated[date, BeforeValidator(_only_dates)]
"""A business date: a ``datetime.date``; a ``datetime`` or a string is refused."""


def validation_errors(exc: ValidationError) -> list[FieldError]:
    """Pydantic's error list without the input values, urls or context objects.

    A dict key that failed validation appears in pydantic's location (``('child_views',
    <the key>, '[key]')``); it is input too, so it is replaced by ``'<key>'``.
    """
    errors = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = list(error["loc"])
        for index in range(len(loc) - 1):
            if loc[index + 1] == "[key]":
                loc[index] = "<key>"
        errors.append(FieldError(type=error["type"], loc=tuple(loc), msg=error["msg"]))
    return errors


class _ShapeChecked(ModelMetaclass):
    """Constructing a model raises InvalidCommandError, never pydantic's ValidationError.

    The translation sits on the metaclass's ``__call__`` rather than in ``__init__``: a
    model that overrides ``__init__`` is validated through it even when nested, which
    drops the validation context (stored events decode their dates with it). Pydantic
    exports no public name for its metaclass, hence the private import.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (a metaclass method gets the class)
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            raise InvalidCommandError(cls.__name__, validation_errors(exc)) from None


_FIELD_NAMES: dict[type[BaseModel], set[str]] = {}
"""Each model's field names, for :meth:`ValueModel.trusted`."""


class ValueModel(BaseModel, metaclass=_ShapeChecked):
    """Immutable value (arvo): frozen, no extra fields; bad input is InvalidCommandError.

    Constructing one with invalid values raises
    :class:`~perhetyo.errors.InvalidCommandError` (a ``ValueError``) whose ``errors`` hold
    no input, never pydantic's own ``ValidationError``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    @classmethod
    def trusted(cls, **fields: object) -> Self:
        """Build from values that are already valid (a fold's event fields): no validation.

        A field left out takes its default (a field without one must be given). Folds use
        this instead of the validating constructor because it is several times faster and
        their inputs were validated as events.
        """
        names = _FIELD_NAMES.get(cls)
        if names is None:  # pydantic's ``model_fields`` is a property: a third of a call
            names = _FIELD_NAMES[cls] = set(cls.model_fields)
        if len(fields) != len(names):
            for name, info in cls.model_fields.items():
                if name not in fields and not info.is_required():
                    fields[name] = info.get_default(call_default_factory=True)
        new = cls.__new__(cls)
        object.__setattr__(new, "__dict__", fields)
        # Every field is set: one set per class, shared as ``evolve`` shares it (pydantic
        # copies it before it changes it), not a set of its own per value.
        object.__setattr__(new, "__pydantic_fields_set__", names)
        object.__setattr__(new, "__pydantic_extra__", None)
        object.__setattr__(new, "__pydantic_private__", None)
        return new

    def evolve(self, **changes: object) -> Self:
        """A copy with ``changes`` (already-valid values), without validation."""
        new = self.__class__.__new__(self.__class__)
        fields = dict(self.__dict__)
        fields.update(changes)
        object.__setattr__(new, "__dict__", fields)
        object.__setattr__(new, "__pydantic_fields_set__", self.__pydantic_fields_set__)
        object.__setattr__(new, "__pydantic_extra__", None)
        object.__setattr__(new, "__pydantic_private__", None)
        return new


# --- enumerations ---------------------------------------------------------------------


class LegalBasis(StrEnum):
    """Legal basis (lakiperuste) of the client relationship."""

    SOCIAL_WELFARE_ACT = "social_welfare_act"
    CHILD_WELFARE_ACT = "child_welfare_act"


class ServiceTask(StrEnum):
    """Service task (palvelutehtävä) every record shows (laki 254/2015)."""

    FAMILY_SERVICES = "family_services"
    CHILD_WELFARE = "child_welfare"

    @classmethod
    def default_for(cls, legal_basis: LegalBasis) -> ServiceTask:
        """The service task a legal basis implies when none is given."""
        if legal_basis is LegalBasis.CHILD_WELFARE_ACT:
            return cls.CHILD_WELFARE
        return cls.FAMILY_SERVICES


class Profession(StrEnum):
    """Profession (ammatti) of a worker."""

    SOCIAL_WORKER = "social_worker"
    SPECIAL_SOCIAL_COUNSELLOR = "special_social_counsellor"
    SOCIAL_COUNSELLOR = "social_counsellor"
    FAMILY_WORKER = "family_worker"


class MeetingKind(StrEnum):
    """Kind of meeting (tapaamisen laji)."""

    OPENING = "opening"
    NETWORK = "network"
    REVIEW = "review"
    HOME_VISIT = "home_visit"
    CHILD_MEETING = "child_meeting"
    CLOSING = "closing"


class ServiceKind(StrEnum):
    """Kind of service (palvelun laji)."""

    FAMILY_WORK = "family_work"
    FAMILY_REHABILITATION = "family_rehabilitation"
    SUPPORT_PERSON = "support_person"
    SUPPORT_FAMILY = "support_family"
    HOME_HELP = "home_help"
    OTHER = "other"


class GoalStatus(StrEnum):
    """Status of a goal (tavoitteen tila)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    DROPPED = "dropped"

    @property
    def is_final(self) -> bool:
        """Whether the goal takes no further updates in this status."""
        return self in FINAL_GOAL_STATUSES


FINAL_GOAL_STATUSES: Final = frozenset(
    {GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.DROPPED}
)


class ServiceStatus(StrEnum):
    """Status of a service (palvelun tila)."""

    ORDERED = "ordered"
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"


class CaseStatus(StrEnum):
    """Status of a case (asiakkuuden tila)."""

    OPEN = "open"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    """Reason the relationship ended (päättymisen syy)."""

    NO_LONGER_NEEDED = "no_longer_needed"
    AGREED_WITH_FAMILY = "agreed_with_family"
    MOVED_AWAY = "moved_away"
    TRANSFERRED = "transferred"
    CAME_OF_AGE = "came_of_age"
    OTHER = "other"


class SuccessorKind(StrEnum):
    """Kind of relationship that continues after closing (jatkuva asiakkuus)."""

    CHILD_WELFARE = "child_welfare"
    FAMILY_SOCIAL_WORK = "family_social_work"
    AFTERCARE = "aftercare"
    ADULT_SERVICES = "adult_services"
    ANOTHER_COUNTY = "another_county"
    OTHER = "other"


FINNISH_LABELS: Final[dict[type[StrEnum], dict[StrEnum, str]]] = {
    LegalBasis: {
        LegalBasis.SOCIAL_WELFARE_ACT: "sosiaalihuoltolaki",
        LegalBasis.CHILD_WELFARE_ACT: "lastensuojelulaki",
    },
    ServiceTask: {
        ServiceTask.FAMILY_SERVICES: "lapsiperheiden palvelut",
        ServiceTask.CHILD_WELFARE: "lastensuojelu",
    },
    Profession: {
        Profession.SOCIAL_WORKER: "sosiaalityöntekijä",
        Profession.SPECIAL_SOCIAL_COUNSELLOR: "erityissosiaaliohjaaja",
        Profession.SOCIAL_COUNSELLOR: "sosiaaliohjaaja",
        Profession.FAMILY_WORKER: "perhetyöntekijä",
    },
    MeetingKind: {
        MeetingKind.OPENING: "aloitustapaaminen",
        MeetingKind.NETWORK: "verkostopalaveri",
        MeetingKind.REVIEW: "välipalaveri",
        MeetingKind.HOME_VISIT: "kotikäynti",
        MeetingKind.CHILD_MEETING: "lapsen tapaaminen",
        MeetingKind.CLOSING: "loppupalaveri",
    },
    ServiceKind: {
        ServiceKind.FAMILY_WORK: "perhetyö",
        ServiceKind.FAMILY_REHABILITATION: "perhekuntoutus",
        ServiceKind.SUPPORT_PERSON: "tukihenkilö",
        ServiceKind.SUPPORT_FAMILY: "tukiperhe",
        ServiceKind.HOME_HELP: "lapsiperheiden kotipalvelu",
        ServiceKind.OTHER: "muu palvelu",
    },
    GoalStatus: {
        GoalStatus.NOT_STARTED: "ei aloitettu",
        GoalStatus.IN_PROGRESS: "kesken",
        GoalStatus.ACHIEVED: "saavutettu",
        GoalStatus.NOT_ACHIEVED: "ei saavutettu",
        GoalStatus.DROPPED: "luovuttu",
    },
    ServiceStatus: {
        ServiceStatus.ORDERED: "tilattu",
        ServiceStatus.ACTIVE: "käynnissä",
        ServiceStatus.ENDED: "päättynyt",
        ServiceStatus.CANCELLED: "peruttu",
    },
    CaseStatus: {
        CaseStatus.OPEN: "voimassa",
        CaseStatus.CLOSED: "päättynyt",
    },
    ClosureReason: {
        ClosureReason.NO_LONGER_NEEDED: "tarve päättynyt",
        ClosureReason.AGREED_WITH_FAMILY: "sovittu perheen kanssa",
        ClosureReason.MOVED_AWAY: "muuttanut pois",
        ClosureReason.TRANSFERRED: "siirtynyt toiseen palveluun",
        ClosureReason.CAME_OF_AGE: "täysi-ikäistynyt",
        ClosureReason.OTHER: "muu syy",
    },
    SuccessorKind: {
        SuccessorKind.CHILD_WELFARE: "lastensuojelu",
        SuccessorKind.FAMILY_SOCIAL_WORK: "perhesosiaalityö",
        SuccessorKind.AFTERCARE: "jälkihuolto",
        SuccessorKind.ADULT_SERVICES: "aikuissosiaalityö",
        SuccessorKind.ANOTHER_COUNTY: "toinen hyvinvointialue",
        SuccessorKind.OTHER: "muu",
    },
}
"""Finnish labels per enumeration (members of different enumerations may share a value)."""


SWEDISH_LABELS: Final[dict[type[StrEnum], dict[StrEnum, str]]] = {
    LegalBasis: {
        LegalBasis.SOCIAL_WELFARE_ACT: "socialvårdslagen",
        LegalBasis.CHILD_WELFARE_ACT: "barnskyddslagen",
    },
    ServiceTask: {
        ServiceTask.FAMILY_SERVICES: "tjänster för barnfamiljer",
        ServiceTask.CHILD_WELFARE: "barnskydd",
    },
    Profession: {
        Profession.SOCIAL_WORKER: "socialarbetare",
        Profession.SPECIAL_SOCIAL_COUNSELLOR: "specialsocialhandledare",
        Profession.SOCIAL_COUNSELLOR: "socialhandledare",
        Profession.FAMILY_WORKER: "familjearbetare",
    },
    MeetingKind: {
        MeetingKind.OPENING: "inledande möte",
        MeetingKind.NETWORK: "nätverksmöte",
        MeetingKind.REVIEW: "uppföljningsmöte",
        MeetingKind.HOME_VISIT: "hembesök",
        MeetingKind.CHILD_MEETING: "möte med barnet",
        MeetingKind.CLOSING: "avslutande möte",
    },
    ServiceKind: {
        ServiceKind.FAMILY_WORK: "familjearbete",
        ServiceKind.FAMILY_REHABILITATION: "familjerehabilitering",
        ServiceKind.SUPPORT_PERSON: "stödperson",
        ServiceKind.SUPPORT_FAMILY: "stödfamilj",
        ServiceKind.HOME_HELP: "hemservice för barnfamiljer",
        ServiceKind.OTHER: "annan tjänst",
    },
    GoalStatus: {
        GoalStatus.NOT_STARTED: "inte påbörjat",
        GoalStatus.IN_PROGRESS: "pågår",
        GoalStatus.ACHIEVED: "uppnått",
        GoalStatus.NOT_ACHIEVED: "inte uppnått",
        GoalStatus.DROPPED: "slopat",
    },
    ServiceStatus: {
        ServiceStatus.ORDERED: "beställd",
        ServiceStatus.ACTIVE: "pågår",
        ServiceStatus.ENDED: "avslutad",
        ServiceStatus.CANCELLED: "inställd",
    },
    CaseStatus: {
        CaseStatus.OPEN: "gällande",
        CaseStatus.CLOSED: "avslutad",
    },
    ClosureReason: {
        ClosureReason.NO_LONGER_NEEDED: "behovet har upphört",
        ClosureReason.AGREED_WITH_FAMILY: "överenskommet med familjen",
        ClosureReason.MOVED_AWAY: "flyttat bort",
        ClosureReason.TRANSFERRED: "övergått till en annan tjänst",
        ClosureReason.CAME_OF_AGE: "blivit myndig",
        ClosureReason.OTHER: "annan orsak",
    },
    SuccessorKind: {
        SuccessorKind.CHILD_WELFARE: "barnskydd",
        SuccessorKind.FAMILY_SOCIAL_WORK: "familjesocialarbete",
        SuccessorKind.AFTERCARE: "eftervård",
        SuccessorKind.ADULT_SERVICES: "socialt arbete för vuxna",
        SuccessorKind.ANOTHER_COUNTY: "ett annat välfärdsområde",
        SuccessorKind.OTHER: "annat",
    },
}
"""Swedish labels per enumeration (Finland is bilingual; THL's structures carry Swedish)."""

FINNISH_LABELS.update(matter_values.FINNISH)  # the matter's enumerations (their own module)
SWEDISH_LABELS.update(matter_values.SWEDISH)


def finnish_label(member: StrEnum) -> str:
    """The Finnish label (suomenkielinen nimi) of an enumeration member."""
    return FINNISH_LABELS[type(member)][member]


def swedish_label(member: StrEnum) -> str:
    """The Swedish label (ruotsinkielinen nimi) of an enumeration member."""
    return SWEDISH_LABELS[type(member)][member]

# --- people -----------------------------------------------------------------------------

NAMED_WORKER_PROFESSIONS: Final = frozenset(
    {Profession.SOCIAL_WORKER, Profession.SPECIAL_SOCIAL_COUNSELLOR}
)


def named_worker_professions(legal_basis: LegalBasis) -> frozenset[Profession]:
    """The professions that may be a named worker (omatyöntekijä) in a case of this basis.

    A social worker or a special social counsellor; under the Child Welfare Act a social
    worker only.
    """
    if legal_basis is LegalBasis.CHILD_WELFARE_ACT:
        return frozenset({Profession.SOCIAL_WORKER})
    return NAMED_WORKER_PROFESSIONS


class Actor(ValueModel):
    """Acting user (toimija): who recorded or read something, stamped on every event."""

    id: Id
    name: ShortText
    profession: Profession | None = None
    organisation: ShortText | None = None
    title: ShortText | None = None
    """Job title (tehtävänimike), as the national documents name the author."""
    unit_oid: Oid | None = None
    """The service unit's OID in THL's SOTE organisation register (palveluyksikön OID)."""


class PersonRef(ValueModel):
    """Client reference (asiakasviite): a child or guardian by the host registry's id."""

    id: Id
    display_name: ShortText
    birth_date: BusinessDate | None = None


class NamedWorker(ValueModel):
    """Named worker (omatyöntekijä): the worker responsible for the family's children."""

    id: Id
    name: ShortText
    profession: Profession


class Successor(ValueModel):
    """Successor relationship (jatkuva asiakkuus): what continues after the case closes."""

    kind: SuccessorKind
    case_id: UUID | None = None


class Recipient(ValueModel):
    """Recipient of disclosed data (tietojen vastaanottaja), as Kanta's LUO record names one.

    ``person_id`` is the recipient's id in the host's registry (never a personal identity
    code): a minor's disclosure ban names banned people by such ids, and a disclosure on a
    case with a ban is checked against it (see docs/access-log.md).
    """

    surname: ShortText
    first_names: ShortText
    organisation: ShortText | None = None
    title: ShortText | None = None
    """Job title (tehtävänimike)."""
    person_id: Id | None = None
