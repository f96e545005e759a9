"""Service decision documents (palvelupäätökset): one PP per service decision.

PP (Lapsiperheiden palvelupäätös, 1.2.246.537.6.1506.11001) of each
:class:`ServiceDecided`: the decision's id, date, outcome, the service with its hours a
month, the reasoning and the sections of law, its validity and the decision maker; from
the host's :class:`~perhetyo.kanta.KantaContext` the contact person (Lisätietojen
antaja), the appeal instructions and the signature. The pending date (Vireilletulopäivä)
is that of the case's latest matter when the decision was made.
"""

from __future__ import annotations

from typing import Any

from perhetyo.events import ServiceDecided
from perhetyo.kanta.codes import SIGNATURES, coded
from perhetyo.kanta.context import KantaContext, Organisation
from perhetyo.kanta.parts import Parts, compact, day
from perhetyo.kanta.structures import SERVICE_DECISION
from perhetyo.kanta.walk import Draft, Walk

__all__ = ["decision"]


def _contact(context: KantaContext) -> dict[str, Any]:
    person = context.contact_person
    return {
        "sukunimi": person.surname,
        "etunimet": person.first_names,
        "tehtavanimike": person.title,
        "yhteystiedot": {
            "postiosoite": person.postal_address.as_body(),
            "puhelinnumero": person.phone,
            "sahkopostiosoite": person.email,
        },
    }


def _authority(organisation: Organisation | None) -> dict[str, Any] | None:
    if organisation is None:
        return None
    return {
        "organisaation_nimi": organisation.name,
        "yhteystiedot": {
            "postiosoite": (
                None
                if organisation.postal_address is None
                else organisation.postal_address.as_body()
            ),
            "puhelinnumero": organisation.phone,
            "sahkopostiosoite": organisation.email,
        },
    }


def decision(event: ServiceDecided, walk: Walk, parts: Parts) -> list[Draft]:
    """PP of one service decision."""
    context = parts.context
    matters = walk.after.matters
    validity = {
        "alkamispaiva": None if event.valid_from is None else day(event.valid_from),
        "paattymispaiva": None if event.valid_until is None else day(event.valid_until),
    }
    content = {
        "asiakas": parts.clients([child.id for child in walk.after.children], SERVICE_DECISION),
        "paatos": {
            "paatostunnus": {"value": str(event.decision_id)},
            "vireilletulopaivamaara": day(matters[-1].pending_on) if matters else None,
            "paatospaivamaara": day(event.decided_on),
            "ratkaisun_laji": parts.code(event.outcome),
            "sosiaalipalvelu_jota_paatos_koskee": {
                "sosiaalipalvelu": parts.code(event.kind),
                "palvelun_maara_tunteina": event.hours_per_month,
            },
            "ratkaisu_ja_perustelut": event.reasoning,
            "ratkaisun_lakiperuste": ", ".join(event.legal_sections),
            "paatoksen_voimassaolo": validity,
            "valmistelija": (
                [] if event.actor.id == event.decision_maker.id else [parts.author(event.actor)]
            ),
            "paatoksentekija": parts.worker(event.decision_maker),
            "lisatietojen_antaja": [_contact(context)],
            "muutoksenhaku": {
                "ohjeteksti": context.appeal_instructions,
                "viranomainen": _authority(context.appeal_authority),
                "maaraaika": context.appeal_period,
            },
        },
        "allekirjoitus": {
            "allekirjoituksen_tyyppi": coded(
                SIGNATURES, context.signature_type_code, context.signature_type_display
            )
        },
    }
    return [
        Draft(
            SERVICE_DECISION,
            event.decided_on,
            (event.originator_version,),
            compact(content),
        )
    ]
