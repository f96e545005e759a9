"""Each structure from the facts that make it: the matter pending, a later matter, a
cancelled meeting, a disclosure, a child leaving, a meeting's channel and place."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo import (
    ClosureReason,
    ContactChannel,
    DecisionOutcome,
    FamilyCases,
    Initiation,
    KantaDocument,
    MeetingKind,
    Recipient,
    ServiceKind,
)
from perhetyo.kanta import validate
from perhetyo.testing import a_child, a_worker, an_actor, open_sample_case

from .support import CODES, CONTEXT, IDENTITY_CODE, Everyone, short_names


def _documents(
    cases: FamilyCases, case_id: UUID, people: Everyone | None = None
) -> list[KantaDocument]:
    return cases.kanta_documents(
        case_id, actor=an_actor(), people=people or Everyone(), codes=CODES, context=CONTEXT
    )


def test_a_case_just_opened_has_only_its_matter_pending(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)

    documents = _documents(cases, case_id)

    assert short_names(documents) == ["VT"]
    body = documents[0].body["merkinta_asian_vireilletulosta"]
    assert body["vireilletulopaiva"] == "2020-08-12"
    assert body["asiakas"][0]["henkilotunnus"]["value"] == IDENTITY_CODE
    assert body["palvelutehtava"][0]["system"] == "urn:oid:1.2.246.537.6.1221"
    assert body["arvio_asian_kiireellisyydesta"]["system"] == "urn:oid:1.2.246.537.6.1252"
    assert documents[0].source_versions == (1,)


def test_a_later_matter_has_a_vt_of_its_own(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)
    cases.record_pending(
        case_id, pending_on=date(2020, 9, 1), initiated_by=Initiation.APPLICATION,
        urgent=True, actor=an_actor(),
    )

    documents = _documents(cases, case_id)

    assert short_names(documents) == ["VT", "VT"]
    later = documents[1].body["merkinta_asian_vireilletulosta"]
    assert later["vireilletulopaiva"] == "2020-09-01"
    assert "hakemus" in later["kuvaus_asian_vireilletulosta"]


def test_a_cancelled_meeting_a_disclosure_and_a_child_leaving_have_their_documents(
    cases: FamilyCases,
) -> None:
    case_id = open_sample_case(cases, children=(a_child("child-1"), a_child("child-2")))
    actor = an_actor()
    cases.record_meeting(
        case_id, kind=MeetingKind.HOME_VISIT, held_on=date(2020, 8, 20), summary="Käynti.",
        channel=ContactChannel.IN_PERSON, place="Koti", agreed="Seuraava käynti.", actor=actor,
    )
    cases.cancel_meeting(
        case_id, kind=MeetingKind.NETWORK, planned_on=date(2020, 9, 2), reason="Sairastui.",
        cancelled_on=date(2020, 9, 1), actor=actor,
    )
    cases.record_disclosure(
        case_id, disclosed_on=date(2020, 9, 3),
        recipient=Recipient(surname="Koulu", first_names="Kuraattori", organisation="Koulu"),
        grounds="Asiakkaan suostumus.", purpose="Koulunkäynnin tuki.", content="Suunnitelma.",
        actor=actor,
    )
    cases.remove_child(
        case_id, child_id="child-2", left_on=date(2020, 9, 4),
        reason=ClosureReason.MOVED_AWAY, view="Muutan isälle.", actor=actor,
    )

    documents = _documents(cases, case_id)

    assert short_names(documents) == ["VT", "TAP", "PER", "LUO", "MIE"]
    for document in documents:
        validate(document)
    tap = documents[1].body["merkinta_tapaamisesta_tai_yhteydenotosta"]
    assert tap["asiakaskertomusmerkinta"]["tapahtuma"]["asiointitapa"][0]["system"] == (
        "urn:oid:1.2.246.537.6.1250"
    )
    assert tap["asiakaskertomusmerkinta"]["tapahtuma"]["paikka"] == "Koti"
    assert tap["sovitut_asiat"] == "Seuraava käynti."
    per = documents[2].body[documents[2].structure.root]
    assert per["asiakaskertomusmerkinta"]["tapahtuma"]["paivamaara_ja_kellonaika"] == (
        "2020-09-02"
    )
    luo = documents[3].body["merkinta_asiakastietojen_luovuttamisesta"]
    assert luo["perustelu"] == "Asiakkaan suostumus."
    assert luo["tietojen_vastaanottaja"]["organisaatio"] == "Koulu"
    mie = documents[4].body["sosiaalihuollon_mielipiteen_selvittamisasiakirja"]
    assert len(mie["asiakas"]) == 1
    assert mie["kuulemisasiakirja"]["kuuleminen"]["mielipide"] == "Muutan isälle."


def test_a_temporary_id_serves_structures_that_do_not_require_the_identity_code(
    cases: FamilyCases,
) -> None:
    case_id = open_sample_case(cases)

    documents = _documents(cases, case_id, Everyone(temporary=True))

    client = documents[0].body["merkinta_asian_vireilletulosta"]["asiakas"][0]
    assert client["tilapainen_yksilointitunnus"] == {"value": "tmp-child-1"}
    assert "henkilotunnus" not in client


def test_a_service_that_ran_has_a_start_and_an_end_and_a_cancelled_one_neither(
    cases: FamilyCases,
) -> None:
    case_id = open_sample_case(cases)
    actor = an_actor()
    decision_id = cases.decide_service(
        case_id, kind=ServiceKind.FAMILY_WORK, outcome=DecisionOutcome.GRANTED,
        decided_on=date(2020, 8, 14), legal_sections=["SHL 18 §"], reasoning="Tarve.",
        decision_maker=a_worker("sw-99"), valid_from=date(2020, 8, 14), hours_per_month=12,
        actor=actor,
    )
    ran = cases.order_service(
        case_id, kind=ServiceKind.FAMILY_WORK, provider="Tuottaja Oy",
        ordered_on=date(2020, 8, 15), decision_id=decision_id, actor=actor,
    )
    never = cases.order_service(
        case_id, kind=ServiceKind.SUPPORT_PERSON, provider="Tukihenkilö",
        ordered_on=date(2020, 8, 15), actor=actor,
    )
    cases.start_service(case_id, ran, started_on=date(2020, 8, 17), actor=actor)
    cases.end_service(case_id, ran, ended_on=date(2020, 9, 30), reason="Valmis.", actor=actor)
    cases.end_service(case_id, never, ended_on=date(2020, 8, 20), reason="Ei tarvetta.",
                      actor=actor)

    documents = _documents(cases, case_id)

    assert short_names(documents) == ["VT", "PP", "SA", "SP"]
    decision = documents[1].body["lapsiperheiden_palvelupaatos"]["paatos"]
    assert decision["paatostunnus"] == {"value": str(decision_id)}
    assert decision["sosiaalipalvelu_jota_paatos_koskee"]["palvelun_maara_tunteina"] == 12
    assert decision["valmistelija"][0]["sukunimi"]  # the actor prepared, sw-99 decided
    assert decision["lisatietojen_antaja"][0]["yhteystiedot"]["postiosoite"]["postinumero"]
    assert documents[2].source_versions == (3, 5)  # the order and the start
    ended = documents[3].body["merkinta_sosiaalipalvelun_paattymisesta"]
    assert ended["sosiaalipalvelun_paattymispaiva"] == "2020-09-30"
    assert ended["sosiaalipalvelun_paattymisen_perustelut"] == "Valmis."
