"""The public facade (julkinen rajapinta): a sorted ``__all__`` and the golden event topics."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar
from uuid import uuid4

import pytest
from pydantic import ValidationError

import perhetyo
from perhetyo import CaseEvent, CaseOpened, GoalSet
from perhetyo.events import EVENT_CLASSES, event_class_for_topic
from perhetyo.testing import an_actor
from perhetyo.values import BusinessDate

GOLDEN = Path(__file__).parent / "golden" / "events.txt"

CONTRACT_NAMES = {
    "FamilyCases",
    "Actor",
    "PersonRef",
    "NamedWorker",
    "Profession",
    "LegalBasis",
    "MeetingKind",
    "ServiceKind",
    "GoalStatus",
    "ServiceStatus",
    "CaseStatus",
    "ClosureReason",
    "CurrentPlan",
    "GoalProgress",
    "AuditEntry",
    "PerhetyoError",
    "InvalidCommandError",
    "RuleViolationError",
    "CaseNotFoundError",
    "CaseClosedError",
    "ConcurrentUpdateError",
    # the read models' parts, named in section 3 too
    "GoalView",
    "ServiceView",
    "MeetingView",
    "GoalUpdateView",
}


def _perhetyo_events() -> dict[str, type[CaseEvent]]:
    return {topic: cls for topic, cls in EVENT_CLASSES.items() if topic.startswith("perhetyo.")}


def _golden_lines() -> list[str]:
    return [line for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- __all__ ----------------------------------------------------------------------------


def test_all_is_sorted_and_has_no_duplicates() -> None:
    assert perhetyo.__all__ == sorted(perhetyo.__all__)
    assert len(set(perhetyo.__all__)) == len(perhetyo.__all__)


def test_every_name_in_all_imports() -> None:
    module = importlib.import_module("perhetyo")

    for name in perhetyo.__all__:
        assert getattr(module, name) is not None, name


def test_every_contract_name_is_public() -> None:
    assert set(perhetyo.__all__) >= CONTRACT_NAMES


def test_every_event_class_is_public() -> None:
    assert {cls.__name__ for cls in _perhetyo_events().values()} <= set(perhetyo.__all__)


def test_the_version_is_a_string() -> None:
    assert isinstance(perhetyo.__version__, str)
    assert perhetyo.__version__.count(".") == 2


# --- the golden list of topics ----------------------------------------------------------


def test_the_golden_file_pins_every_topic_with_its_labels() -> None:
    registered = sorted(
        f"{topic} | {cls.LABEL_FI} | {cls.LABEL_EN} | {cls.LABEL_SV}"
        for topic, cls in _perhetyo_events().items()
    )

    assert registered == sorted(_golden_lines())


def test_every_golden_topic_names_its_class() -> None:
    for line in _golden_lines():
        topic, _label_fi, _label_en, _label_sv = line.split(" | ")
        cls = event_class_for_topic(topic)
        assert topic == f"perhetyo.{cls.__name__}.v1"


def test_there_are_sixteen_v1_events() -> None:
    assert len(_golden_lines()) == len(_perhetyo_events()) == 16


@pytest.mark.parametrize("cls", list(_perhetyo_events().values()), ids=lambda cls: cls.__name__)
def test_each_event_class_declares_its_own_topic_labels_and_date_field(
    cls: type[CaseEvent],
) -> None:
    for name in ("TOPIC", "LABEL_FI", "LABEL_EN", "LABEL_SV", "DATE_FIELD"):
        assert name in cls.__dict__, name
    assert cls.DATE_FIELD in cls.model_fields
    assert EVENT_CLASSES[cls.TOPIC] is cls


def test_topics_are_unique() -> None:
    topics = [cls.TOPIC for cls in EVENT_CLASSES.values()]

    assert len(set(topics)) == len(topics)
    assert len(set(EVENT_CLASSES.values())) == len(EVENT_CLASSES)


def test_an_unknown_topic_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        event_class_for_topic("perhetyo.Nothing.v1")


def test_a_subclass_that_does_not_declare_its_topic_is_refused() -> None:
    with pytest.raises(TypeError, match="TOPIC"):

        class ReopenedCase(CaseOpened):  # an inherited topic would shadow the parent's
            """Would silently reuse perhetyo.CaseOpened.v1."""

    assert EVENT_CLASSES["perhetyo.CaseOpened.v1"] is CaseOpened


def test_a_second_class_with_a_registered_topic_is_refused() -> None:
    with pytest.raises(TypeError, match="already registered"):

        class Impostor(CaseEvent):
            """Claims GoalSet's topic."""

            TOPIC: ClassVar[str] = "perhetyo.GoalSet.v1"
            LABEL_FI: ClassVar[str] = "x"
            LABEL_EN: ClassVar[str] = "x"
            DATE_FIELD: ClassVar[str] = "on"

            on: BusinessDate

    assert EVENT_CLASSES["perhetyo.GoalSet.v1"] is GoalSet


def test_a_date_field_that_names_no_field_is_refused() -> None:
    with pytest.raises(TypeError, match="DATE_FIELD"):

        class Dateless(CaseEvent):
            """Points at a field it does not have."""

            TOPIC: ClassVar[str] = "tests.Dateless.v1"
            LABEL_FI: ClassVar[str] = "x"
            LABEL_EN: ClassVar[str] = "x"
            DATE_FIELD: ClassVar[str] = "missing_on"
            REGISTERED: ClassVar[bool] = False


# --- the shape of events ----------------------------------------------------------------


def test_occurred_on_is_a_property_not_a_stored_field() -> None:
    assert isinstance(CaseEvent.__dict__["occurred_on"], property)
    for cls in _perhetyo_events().values():
        assert "occurred_on" not in cls.model_fields
        assert "occurred_on" not in cls.model_json_schema()["properties"]


def _goal_set() -> GoalSet:
    return GoalSet(
        originator_id=uuid4(),
        originator_version=2,
        timestamp=datetime(2020, 12, 31, 10, 0, tzinfo=UTC),
        actor=an_actor(),
        goal_id=uuid4(),
        description="Tavoite",
        set_on=date(2020, 9, 1),
    )


def test_events_are_frozen() -> None:
    event = _goal_set()

    with pytest.raises(ValidationError, match="frozen"):
        event.description = "Muu"  # type: ignore[misc]
    assert event.description == "Tavoite"


def test_events_refuse_extra_fields() -> None:
    fields = _goal_set().model_dump()
    fields["unexpected"] = "x"

    with pytest.raises(ValidationError, match="extra"):
        GoalSet(**fields)


def test_an_event_timestamp_must_be_timezone_aware() -> None:
    fields = _goal_set().model_dump()
    fields["timestamp"] = fields["timestamp"].replace(tzinfo=None)

    with pytest.raises(ValidationError):
        GoalSet(**fields)


def test_an_event_exposes_its_case_id_and_business_date() -> None:
    event = _goal_set()

    assert event.case_id == event.originator_id
    assert event.occurred_on == event.set_on


def test_the_public_api_has_no_any_in_its_signatures() -> None:
    """Every public class's methods are typed precisely: no ``Any`` for a user to guess."""
    import inspect  # noqa: PLC0415 (only this test inspects signatures)
    from typing import get_type_hints  # noqa: PLC0415

    loose = []
    for name in perhetyo.__all__:
        public = getattr(perhetyo, name)
        if not inspect.isclass(public) or public.__module__.startswith("pydantic"):
            continue
        for attribute, value in vars(public).items():
            if attribute.startswith("_") and attribute != "__init__":
                continue
            function = value.fget if isinstance(value, property) else value
            function = getattr(function, "__func__", function)
            if not inspect.isfunction(function):
                continue
            for parameter, hint in get_type_hints(function).items():
                if "Any" in repr(hint):
                    loose.append(f"{name}.{attribute}({parameter})")
    assert loose == []
