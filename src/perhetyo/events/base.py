"""Event base (tapahtuma): what every case event carries, and the topic registry.

An event is a frozen pydantic model. Each concrete class declares its own stable topic
(``perhetyo.CaseOpened.v1``), independent of its module, and a Finnish, an English and
a Swedish label (Finland is bilingual, and THL's national structures carry Swedish
names). Topics are registered when the class is defined; a second class with the same
topic, or a class that inherits its parent's topic, is refused at import time.

Everything an event means lives on its class, in one place: its business date
(``DATE_FIELD``, read as ``occurred_on``), its one-line audit summary (:meth:`describe`:
kinds, statuses, counts and ids, never free text) and what the command that recorded it
returned (:meth:`result`, for a repeated request id).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, NamedTuple
from uuid import UUID

from eventsourcing.utils import register_topic
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from perhetyo.values import Actor

__all__ = ["EVENT_CLASSES", "CaseEvent", "Summary", "event_class_for_topic"]

EVENT_CLASSES: dict[str, type[CaseEvent]] = {}
"""Every registered event class by its topic, in definition order."""


class Summary(NamedTuple):
    """Audit summary (tiivistelmä): one line in Finnish and in English, no free text."""

    fi: str
    en: str


class CaseEvent(BaseModel):
    """Case event (asiakkuuden tapahtuma): an immutable fact about one case.

    ``originator_id`` is the case id, ``originator_version`` the event's position in the
    case (1 for the opening), ``timestamp`` when it was recorded (UTC, set by the library),
    ``actor`` who recorded it. ``occurred_on`` is the business date of the fact.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    TOPIC: ClassVar[str]
    LABEL_FI: ClassVar[str]
    LABEL_EN: ClassVar[str]
    LABEL_SV: ClassVar[str]
    DATE_FIELD: ClassVar[str]
    class_version: ClassVar[int] = 1
    DATES_THE_CASE: ClassVar[bool] = True
    """Whether ``occurred_on`` counts as a date of the case's own work (the closing date
    may not go before it). False for events about the record itself (a correction, a
    disclosure)."""
    REGISTERED: ClassVar[bool] = True
    """False on a class that must stay out of the topic registry (tests of upcasting)."""

    originator_id: UUID
    originator_version: int = Field(ge=1)
    timestamp: AwareDatetime
    actor: Actor
    request_id: str | None = None
    request_digest: str | None = None

    @property
    def occurred_on(self) -> date:
        """The business date of the fact (not a stored field)."""
        value: date = getattr(self, self.DATE_FIELD)
        return value

    @property
    def case_id(self) -> UUID:
        """The case this event belongs to (its ``originator_id``)."""
        return self.originator_id

    def describe(self) -> Summary:
        """The audit trail's one-line summary: kinds, statuses, counts and ids only."""
        raise NotImplementedError(f"{type(self).__name__} must describe itself")

    def result(self) -> object:
        """What the command that recorded this event returned (None unless it made an id)."""
        return None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "TOPIC" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} must declare its own TOPIC")
        for name in ("LABEL_FI", "LABEL_EN", "DATE_FIELD"):
            if name not in cls.__dict__:
                raise TypeError(f"{cls.__name__} must declare {name}")
        if cls.DATE_FIELD not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.DATE_FIELD names no field")
        if not cls.__dict__.get("REGISTERED", True):
            return
        if cls.TOPIC in EVENT_CLASSES:
            raise TypeError(f"topic {cls.TOPIC} is already registered")
        if "LABEL_SV" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} must declare LABEL_SV")
        if cls.describe is CaseEvent.describe:
            raise TypeError(f"{cls.__name__} must define describe()")
        EVENT_CLASSES[cls.TOPIC] = cls
        register_topic(cls.TOPIC, cls)


def event_class_for_topic(topic: str) -> type[CaseEvent]:
    """The event class registered for ``topic``; ``LookupError`` for an unknown topic."""
    try:
        return EVENT_CLASSES[topic]
    except KeyError:
        raise LookupError(f"unknown event topic {topic}") from None
