"""Disclosure documents (luovutusmerkinnät): one LUO per disclosure of client data.

LUO (Merkintä asiakastietojen luovuttamisesta, 1.2.246.537.6.1506.19010) of each
:class:`DataDisclosed`: what was disclosed, when, to whom (the recipient's names,
title and organisation as recorded), by whom, on what grounds and for what purpose.
"""

from __future__ import annotations

from perhetyo.events import DataDisclosed
from perhetyo.kanta.parts import Parts, compact, day, recorded_on
from perhetyo.kanta.structures import DISCLOSURE
from perhetyo.kanta.walk import Draft, Walk

__all__ = ["disclosure"]


def disclosure(event: DataDisclosed, walk: Walk, parts: Parts) -> list[Draft]:
    """LUO of one disclosure."""
    recipient = event.recipient
    content = {
        "asiakas": parts.clients([child.id for child in walk.after.children], DISCLOSURE),
        "palvelutehtava": parts.code(walk.after.service_task),
        "luovutetut_tiedot": event.content,
        "tietojen_luovuttamisen_paivamaara": day(event.disclosed_on),
        "tietojen_vastaanottaja": {
            "sukunimi": recipient.surname,
            "etunimet": recipient.first_names,
            "tehtavanimike": recipient.title,
            "organisaatio": recipient.organisation,
        },
        "tietojen_luovuttaja": parts.author(event.actor),
        "perustelu": event.grounds,
        "kayttotarkoitus_johon_tiedot_on_luovutettu": event.purpose,
        "paivamaara": recorded_on(event),
        "laatija": parts.author(event.actor),
    }
    return [Draft(DISCLOSURE, event.disclosed_on, (event.originator_version,), compact(content))]
