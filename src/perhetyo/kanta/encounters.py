"""Encounter documents (kohtaamisten asiakirjat): negotiations, meetings, cancellations
and children's views.

- NEU (Merkintä neuvottelusta, 1.2.246.537.6.1506.19004) of each meeting held that is a
  negotiation with the family and the professionals: a network meeting, an intermediate
  review or a closing meeting (verkosto-, väli- and loppupalaveri);
- TAP (Merkintä tapaamisesta tai yhteydenotosta, 1.2.246.537.6.1506.19005) of every other
  meeting held: an opening meeting, a home visit, a meeting with a child;
- PER (Merkintä ... peruuntumisesta, 1.2.246.537.6.1506.19006) of each cancelled meeting;
- MIE (Sosiaalihuollon mielipiteen selvittämisasiakirja, 1.2.246.537.6.1506.5005) of each
  child's view recorded (or the reason the child was not heard), and of each child's view
  of the ending given when the child left or the case closed. Its client is that child.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from perhetyo.events import (
    CaseClosed,
    CaseEvent,
    ChildLeft,
    ChildViewRecorded,
    MeetingCancelled,
    MeetingHeld,
)
from perhetyo.kanta.parts import Parts, compact, day, lines, recorded_on
from perhetyo.kanta.structures import CANCELLATION, CHILD_VIEW, MEETING, NEGOTIATION
from perhetyo.kanta.walk import Draft, Walk
from perhetyo.values import MeetingKind, finnish_label

__all__ = ["NEGOTIATIONS", "cancelled", "closing_views", "left_view", "meeting", "view"]

NEGOTIATIONS: Final = frozenset({MeetingKind.NETWORK, MeetingKind.REVIEW, MeetingKind.CLOSING})
"""The kinds of meeting recorded as a negotiation (NEU); the others are meetings (TAP)."""


def meeting(event: MeetingHeld, walk: Walk, parts: Parts) -> list[Draft]:
    """NEU of a negotiation, TAP of any other meeting."""
    negotiation = event.kind in NEGOTIATIONS
    happening = {
        "ajanjakso": {"alkamishetki": day(event.held_on)},
        "asiointitapa": [] if event.channel is None else [parts.code(event.channel)],
        "paikka": None if negotiation else event.place,
        "osallistujat": ", ".join(event.participants),
        "kuvaus": f"{finnish_label(event.kind).capitalize()}. {event.summary}",
    }
    if negotiation and event.place:
        happening["kuvaus"] = f"{happening['kuvaus']}\nPaikka: {event.place}."
    content = {
        "asiakas": parts.clients(
            [child.id for child in walk.after.children], NEGOTIATION if negotiation else MEETING
        ),
        "asiakaskertomusmerkinta": {
            "palvelutehtava": parts.code(walk.after.service_task),
            "tapahtuma": happening,
        },
        (
            "neuvottelussa_sovitut_asiat_ja_vastuunjako" if negotiation else "sovitut_asiat"
        ): event.agreed,
        "paivamaara": recorded_on(event),
        "laatija": parts.author(event.actor),
    }
    structure = NEGOTIATION if negotiation else MEETING
    return [Draft(structure, event.held_on, (event.originator_version,), compact(content))]


def cancelled(event: MeetingCancelled, walk: Walk, parts: Parts) -> list[Draft]:
    """PER of a cancelled meeting: what was planned, when, and why it was cancelled."""
    content = {
        "asiakas": parts.clients([child.id for child in walk.after.children], CANCELLATION),
        "asiakaskertomusmerkinta": {
            "palvelutehtava": parts.code(walk.after.service_task),
            "tapahtuma": {
                "paivamaara_ja_kellonaika": day(event.planned_on),
                "lisatiedot_peruuntumisesta": lines(
                    f"Peruuntunut: {finnish_label(event.kind)}; peruttu "
                    f"{day(event.cancelled_on)}.",
                    event.reason,
                ),
            },
        },
        "paivamaara": recorded_on(event),
        "laatija": parts.author(event.actor),
    }
    return [
        Draft(CANCELLATION, event.cancelled_on, (event.originator_version,), compact(content))
    ]


def _child_view(
    event: CaseEvent,
    walk: Walk,
    parts: Parts,
    *,
    child_id: str,
    on: date,
    subject: str,
    view: str | None,
    not_heard_reason: str | None,
    how_found_out: str | None = None,
    present: tuple[str, ...] = (),
) -> Draft:
    content = {
        "asiakas": parts.clients([child_id], CHILD_VIEW),
        "palvelutehtava": parts.code(walk.after.service_task),
        "kuulemisasiakirja": {
            "asiasisalto": subject,
            "kuuleminen": {
                "kuultava": parts.name(child_id),
                "osallistujat": ", ".join(present),
                "mielipide": view,
                "selvittamisen_tapa": how_found_out,
            },
        },
        "lisatiedot": (
            None if not_heard_reason is None else f"Lasta ei kuultu: {not_heard_reason}"
        ),
        "paivamaara": recorded_on(event),
        "laatija": parts.author(event.actor),
    }
    return Draft(CHILD_VIEW, on, (event.originator_version,), compact(content))


def view(event: ChildViewRecorded, walk: Walk, parts: Parts) -> list[Draft]:
    """MIE of a child's view recorded during the relationship."""
    return [
        _child_view(
            event,
            walk,
            parts,
            child_id=event.child_id,
            on=event.recorded_on,
            subject="Lapsen näkemys",
            view=event.view,
            not_heard_reason=event.not_heard_reason,
            how_found_out=event.how_found_out,
            present=event.present,
        )
    ]


def left_view(event: ChildLeft, walk: Walk, parts: Parts) -> list[Draft]:
    """MIE of a child's view of their own relationship ending."""
    return [
        _child_view(
            event,
            walk,
            parts,
            child_id=event.child_id,
            on=event.left_on,
            subject="Lapsen näkemys asiakkuutensa päättymisestä",
            view=event.view,
            not_heard_reason=event.not_heard_reason,
        )
    ]


def closing_views(event: CaseClosed, walk: Walk, parts: Parts) -> list[Draft]:
    """MIE of each child's view of the case ending (or why the child was not heard)."""
    children = [*event.child_views, *event.not_heard_reasons]
    return [
        _child_view(
            event,
            walk,
            parts,
            child_id=child_id,
            on=event.closed_on,
            subject="Lapsen näkemys asiakkuuden päättymisestä",
            view=event.child_views.get(child_id),
            not_heard_reason=event.not_heard_reasons.get(child_id),
        )
        for child_id in children
    ]
