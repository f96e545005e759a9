"""Bad input gives a clear error naming ids and codes, never a document that does not
validate: an unknown person, a missing code, a client without the identity code PTA and
LPS require, an invalid body."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from perhetyo import (
    ClientIdentityError,
    FamilyCases,
    InvalidCommandError,
    InvalidKantaDocumentError,
    KantaCodes,
    KantaDocument,
    MissingKantaCodeError,
    PersonIdentity,
    UnknownPersonError,
)
from perhetyo.errors import ConfigurationError, KantaError
from perhetyo.kanta import validate
from perhetyo.testing import an_actor, open_sample_case

from .support import CODES, CONTEXT, Everyone, codes_without


def _with_plan(cases: FamilyCases) -> UUID:
    case_id = open_sample_case(cases)
    cases.set_goal(case_id, description="Tavoite.", set_on=date(2020, 8, 20), actor=an_actor())
    cases.agree_plan(
        case_id, agreed_on=date(2020, 8, 20), agreements=["Sovittu."], dissent=[],
        actor=an_actor(),
    )
    return case_id


def test_a_person_the_resolver_does_not_know_is_named_by_id(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)

    with pytest.raises(UnknownPersonError, match="child-1") as raised:
        cases.kanta_documents(
            case_id, actor=an_actor(), people=Everyone(unknown={"child-1"}), codes=CODES,
            context=CONTEXT,
        )
    assert raised.value.code == "kanta_unknown_person"
    assert raised.value.__cause__ is None


def test_a_resolver_that_raises_key_error_is_an_unknown_person(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)
    registry: dict[str, PersonIdentity] = {}

    with pytest.raises(UnknownPersonError, match="child-1"):
        cases.kanta_documents(
            case_id, actor=an_actor(), people=registry.__getitem__, codes=CODES,
            context=CONTEXT,
        )


def test_a_missing_code_names_the_member_and_the_code_set(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)

    with pytest.raises(MissingKantaCodeError) as raised:
        cases.kanta_documents(
            case_id, actor=an_actor(), people=Everyone(),
            codes=codes_without("ServiceTask.FAMILY_SERVICES"), context=CONTEXT,
        )
    assert "ServiceTask.FAMILY_SERVICES" in str(raised.value)
    assert "1.2.246.537.6.1221" in str(raised.value)
    assert raised.value.code == "kanta_code_missing"


def test_a_plan_needs_each_client_s_identity_code(cases: FamilyCases) -> None:
    case_id = _with_plan(cases)

    with pytest.raises(ClientIdentityError, match=r"child-1.*LPS.*identity code"):
        cases.kanta_documents(
            case_id, actor=an_actor(), people=Everyone(temporary=True), codes=CODES,
            context=CONTEXT,
        )


def test_an_assessment_needs_each_client_s_identity_code(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)
    cases.start_assessment(case_id, started_on=date(2020, 8, 13), actor=an_actor())
    cases.complete_assessment(
        case_id, completed_on=date(2020, 8, 20), conclusions="Tuki.",
        relationship_continues=True, special_support=False, child_welfare_begins=False,
        needs_named_worker=True, plan_needed=True, actor=an_actor(),
    )

    documents = cases.kanta_documents(
        case_id, actor=an_actor(), people=Everyone(), codes=CODES, context=CONTEXT
    )
    assert [d.short_name for d in documents] == ["VT", "PTA"]
    with pytest.raises(ClientIdentityError, match="PTA"):
        cases.kanta_documents(
            case_id, actor=an_actor(), people=Everyone(temporary=True), codes=CODES,
            context=CONTEXT,
        )


def test_a_client_with_neither_identifier_is_refused(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)

    def names_only(person_id: str) -> PersonIdentity:
        return PersonIdentity(surname="Meikäläinen", first_names="Testi")

    with pytest.raises(ClientIdentityError, match=r"child-1.*temporary id"):
        cases.kanta_documents(
            case_id, actor=an_actor(), people=names_only, codes=CODES, context=CONTEXT
        )


def test_an_identity_with_a_wrong_check_character_or_both_identifiers_is_refused() -> None:
    with pytest.raises(InvalidCommandError, match="personal_identity_code"):
        PersonIdentity(surname="A", first_names="B", personal_identity_code="131052-308A")
    with pytest.raises(InvalidCommandError):
        PersonIdentity(
            surname="A", first_names="B", personal_identity_code="131052-308T", temporary_id="t"
        )


def test_an_identity_never_shows_its_values() -> None:
    identity = PersonIdentity(
        surname="Salainen", first_names="Sala", personal_identity_code="131052-308T"
    )
    assert "Salainen" not in repr(identity)
    assert "131052" not in repr(identity)


def test_a_case_without_a_plan_has_no_plan_document(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)

    documents = cases.kanta_documents(
        case_id, actor=an_actor(), people=Everyone(temporary=True), codes=CODES,
        context=CONTEXT,
    )

    assert [d.short_name for d in documents] == ["VT"]


def test_codes_refuse_a_key_that_names_no_coded_member() -> None:
    with pytest.raises(ConfigurationError, match=r"ServiceKind\.FAMILY_WROK"):
        KantaCodes({"ServiceKind.FAMILY_WROK": "1"})
    with pytest.raises(ConfigurationError, match=r"GoalStatus\.ACHIEVED"):
        KantaCodes({"GoalStatus.ACHIEVED": ""})


def test_codes_take_a_code_or_a_code_with_its_display() -> None:
    codes = KantaCodes(
        {"ServiceKind.FAMILY_WORK": "17", "GoalStatus.ACHIEVED": {"code": "1", "display": "X"}}
    )
    assert codes["ServiceKind.FAMILY_WORK"].display == "perhetyö"
    assert codes["GoalStatus.ACHIEVED"].display == "X"
    assert "ServiceKind.HOME_HELP" in codes.missing()
    assert KantaCodes.for_testing().missing() == []
    assert all(c.code.startswith("TEST-") for c in KantaCodes.for_testing().values())


def test_an_invalid_body_names_paths_and_keywords_but_never_values(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)
    (document,) = cases.kanta_documents(
        case_id, actor=an_actor(), people=Everyone(), codes=CODES, context=CONTEXT
    )
    body = document.body["merkinta_asian_vireilletulosta"]
    broken = KantaDocument(
        case_id=case_id,
        structure_oid=document.structure_oid,
        title=document.title,
        occurred_on=document.occurred_on,
        source_versions=document.source_versions,
        body={"merkinta_asian_vireilletulosta": {**body, "vireilletulopaiva": "SALAINEN-ARVO"}},
    )

    with pytest.raises(InvalidKantaDocumentError) as raised:
        validate(broken)

    assert "vireilletulopaiva: pattern" in str(raised.value)
    assert "SALAINEN" not in str(raised.value)
    assert isinstance(raised.value, KantaError)
