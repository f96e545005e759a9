"""Disclosures, a minor's bans and corrections (asiakirjamerkinnät): rules and bad input."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from perhetyo import (
    AccessAction,
    Actor,
    CaseClosedError,
    DataDisclosed,
    DateOutOfRangeError,
    DisclosureBannedError,
    DisclosureBanView,
    EntryCorrected,
    EntryNotFoundError,
    FamilyCases,
    InvalidCommandError,
    Recipient,
    UnknownChildError,
)
from perhetyo.testing import an_actor

from .helpers import (
    BANNED_PERSON,
    PERSONAL_TEXT,
    TODAY,
    TOMORROW,
    a_recipient,
    ban_a_disclosure,
    close,
    disclose,
    history,
    last_event,
    record_every_kind_of_event,
    refused,
)


def _disclosures(cases: FamilyCases, case_id: UUID) -> list[UUID | None]:
    entries = cases._access.entries(case_id, None, None)
    return [e.disclosure_id for e in entries if e.action is AccessAction.DISCLOSURE]


# --- disclosures ---------------------------------------------------------------------------


def test_a_disclosure_is_recorded_with_its_recipient_grounds_purpose_and_content(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    disclosure_id = disclose(cases, case_id, actor=actor)

    event = last_event(cases, case_id)
    assert isinstance(event, DataDisclosed)
    assert event.disclosure_id == disclosure_id
    assert (event.disclosed_on, event.recipient, event.content) == (
        TODAY,
        a_recipient(),
        PERSONAL_TEXT,
    )
    assert event.grounds.startswith("SHL")
    assert event.purpose == "Esitutkinta"
    assert event.actor == actor


@pytest.mark.parametrize(
    "bad",
    [
        {"grounds": ""},
        {"grounds": "   "},
        {"purpose": ""},
        {"purpose": "\n\t"},
        {"content": " "},
        {"grounds": None},
    ],
    ids=["no grounds", "blank grounds", "no purpose", "blank purpose", "blank content", "None"],
)
def test_a_disclosure_without_grounds_or_purpose_is_refused_and_records_nothing(
    cases: FamilyCases, case_id: UUID, actor: Actor, bad: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {
        "disclosed_on": TODAY,
        "recipient": a_recipient(),
        "grounds": "Suostumus",
        "purpose": "Tiedoksi",
        "content": "Suunnitelma",
        "actor": actor,
    } | bad

    with refused(cases, case_id, InvalidCommandError) as info:
        cases.record_disclosure(case_id, **arguments)

    assert info.value.errors[0]["loc"][0] in bad  # type: ignore[attr-defined]
    assert _disclosures(cases, case_id) == []


def test_a_recipient_needs_a_surname_and_first_names() -> None:
    with pytest.raises(InvalidCommandError):
        Recipient(surname=" ", first_names="Ville")
    with pytest.raises(InvalidCommandError):
        Recipient(surname="Virtanen", first_names="Ville", person_id="131052-308T")


def test_a_disclosure_in_the_future_is_refused(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        disclose(cases, case_id, disclosed_on=TOMORROW, actor=actor)


def test_a_closed_case_still_takes_a_disclosure_dated_after_its_closing(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    close(cases, case_id, closed_on=date(2020, 12, 1), actor=actor)

    disclosure_id = disclose(cases, case_id, disclosed_on=TODAY, actor=actor)

    assert _disclosures(cases, case_id) == [disclosure_id]


def test_the_summary_names_the_disclosure_and_never_the_recipient_or_the_text(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    disclosure_id = disclose(cases, case_id, actor=actor)

    entry = cases.audit_trail(case_id, actor=actor)[-1]

    assert str(disclosure_id) in entry.summary
    assert "police-7" in entry.summary_en
    for text in ("Virtanen", "Ville", "Poliisi", "rikoskomisario", "Esitutkinta", PERSONAL_TEXT):
        assert text not in entry.summary + entry.summary_en


# --- a minor's ban ---------------------------------------------------------------------------


def test_a_ban_shows_in_the_current_plan(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    ban_a_disclosure(cases, case_id, actor=actor)

    plan = cases.current_plan(case_id, actor=actor)

    assert plan.disclosure_bans == (
        DisclosureBanView(
            child_id="child-1", banned_person_ids=(BANNED_PERSON,), decided_on=date(2020, 8, 13)
        ),
    )


def test_a_disclosure_to_a_banned_person_is_refused_and_records_nothing(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    ban_a_disclosure(cases, case_id, actor=actor)

    with refused(cases, case_id, DisclosureBannedError) as info:
        disclose(cases, case_id, person_id=BANNED_PERSON, actor=actor)

    assert BANNED_PERSON in str(info.value)
    assert "Virtanen" not in str(info.value)
    assert _disclosures(cases, case_id) == []


def test_with_a_ban_in_force_a_recipient_without_a_person_id_is_refused(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    ban_a_disclosure(cases, case_id, actor=actor)

    with refused(cases, case_id, DisclosureBannedError):
        disclose(cases, case_id, person_id=None, actor=actor)


def test_a_ban_lets_other_recipients_and_earlier_disclosures_through(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    ban_a_disclosure(cases, case_id, decided_on=date(2020, 10, 1), actor=actor)

    to_another = disclose(cases, case_id, person_id="police-7", actor=actor)
    before_the_ban = disclose(
        cases, case_id, person_id=BANNED_PERSON, disclosed_on=date(2020, 9, 1), actor=actor
    )

    assert _disclosures(cases, case_id) == [to_another, before_the_ban]


def test_without_a_ban_a_recipient_needs_no_person_id(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    disclose(cases, case_id, person_id=None, actor=actor)

    assert isinstance(last_event(cases, case_id), DataDisclosed)


def test_a_ban_of_a_child_not_in_the_case_is_refused(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    with refused(cases, case_id, UnknownChildError):
        cases.record_disclosure_ban(
            case_id,
            child_id="child-9",
            banned_person_ids=["guardian-1"],
            decided_on=TODAY,
            reason="Pyyntö",
            actor=actor,
        )


@pytest.mark.parametrize(
    "banned",
    [[], ["guardian-1", "guardian-1"], ["131052-308T"], [" "]],
    ids=["none", "twice", "identity code", "blank"],
)
def test_a_ban_needs_unique_opaque_ids(
    cases: FamilyCases, case_id: UUID, actor: Actor, banned: list[str]
) -> None:
    with refused(cases, case_id, InvalidCommandError) as info:
        cases.record_disclosure_ban(
            case_id,
            child_id="child-1",
            banned_person_ids=banned,
            decided_on=TODAY,
            reason="Pyyntö",
            actor=actor,
        )

    assert "131052-308T" not in str(info.value)


def test_a_closed_case_takes_no_new_ban(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    close(cases, case_id, actor=actor)

    with refused(cases, case_id, CaseClosedError):
        ban_a_disclosure(cases, case_id, actor=actor)


# --- corrections ---------------------------------------------------------------------------


def test_a_correction_points_at_the_entry_it_corrects_and_rewrites_nothing(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    record_every_kind_of_event(cases, case_id, actor)
    before = history(cases, case_id)
    corrector = an_actor("sw-22")

    cases.correct_entry(
        case_id, version=3, correction=PERSONAL_TEXT, reason="Väärä osallistuja", actor=corrector
    )

    after = history(cases, case_id)
    assert after[: len(before)] == before
    correction = after[-1]
    assert isinstance(correction, EntryCorrected)
    assert (correction.version, correction.correction, correction.corrected_on) == (
        3,
        PERSONAL_TEXT,
        TODAY,
    )
    entry = cases.audit_trail(case_id, actor=actor)[-1]
    assert (entry.corrects_version, entry.actor_id) == (3, "sw-22")
    assert PERSONAL_TEXT not in entry.summary + entry.summary_en
    assert "Väärä" not in entry.summary + entry.summary_en
    assert all(e.corrects_version is None for e in cases.audit_trail(case_id, actor=actor)[:-1])


@pytest.mark.parametrize("version", [2, 3, 99], ids=["itself", "future", "far future"])
def test_a_correction_pointing_at_no_earlier_event_is_refused_and_records_nothing(
    cases: FamilyCases, case_id: UUID, actor: Actor, version: int
) -> None:
    with refused(cases, case_id, EntryNotFoundError):
        cases.correct_entry(case_id, version=version, correction="x", reason="y", actor=actor)


@pytest.mark.parametrize("version", [0, -1, True, "1"], ids=["zero", "negative", "bool", "text"])
def test_a_correction_needs_a_positive_whole_version(
    cases: FamilyCases, case_id: UUID, actor: Actor, version: Any
) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.correct_entry(case_id, version=version, correction="x", reason="y", actor=actor)


def test_a_correction_needs_its_text_and_reason(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.correct_entry(case_id, version=1, correction=" ", reason="y", actor=actor)
    with refused(cases, case_id, InvalidCommandError):
        cases.correct_entry(case_id, version=1, correction="x", reason="", actor=actor)


def test_a_closed_case_takes_a_correction(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    close(cases, case_id, actor=actor)

    cases.correct_entry(case_id, version=2, correction="x", reason="y", actor=actor)

    assert isinstance(last_event(cases, case_id), EntryCorrected)


def test_a_correction_date_does_not_count_for_the_closing_date(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    cases.correct_entry(case_id, version=1, correction="x", reason="y", actor=actor)  # today
    disclose(cases, case_id, disclosed_on=TODAY, actor=actor)

    close(cases, case_id, closed_on=date(2020, 9, 1), actor=actor)

    assert cases.current_plan(case_id, actor=actor).closed_on == date(2020, 9, 1)
