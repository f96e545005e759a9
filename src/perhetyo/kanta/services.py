"""Service start and end documents (palvelun alkaminen ja päättyminen): SA and SP.

- SA (Merkintä sosiaalipalvelun alkamisesta, 1.2.246.537.6.1506.19002) of each
  :class:`ServiceStarted`: the service (its kind as a social service) and its start date,
  with the producer in the additional information;
- SP (Merkintä sosiaalipalvelun päättymisestä, 1.2.246.537.6.1506.19012) of each
  :class:`ServiceEnded` of a service that had started, with the reason. A service
  cancelled before it started never began, so it has no SP (nor an SA).
"""

from __future__ import annotations

from uuid import UUID

from perhetyo.events import ServiceEnded, ServiceOrdered, ServiceStarted
from perhetyo.kanta.parts import Parts, compact, day, recorded_on
from perhetyo.kanta.structures import SERVICE_ENDED, SERVICE_STARTED
from perhetyo.kanta.walk import Draft, Walk
from perhetyo.projections import ServiceView

__all__ = ["ended", "started"]


def _service(walk: Walk, service_id: UUID) -> ServiceView:
    return next(service for service in walk.after.services if service.service_id == service_id)


def started(event: ServiceStarted, walk: Walk, parts: Parts) -> list[Draft]:
    """SA of a service that started."""
    service = _service(walk, event.service_id)
    content = {
        "asiakas": parts.clients([child.id for child in walk.after.children], SERVICE_STARTED),
        "palvelutehtava": parts.code(walk.after.service_task),
        "sosiaalipalvelu": parts.code(service.kind),
        "sosiaalipalvelun_alkamispaiva": day(event.started_on),
        "lisatiedot": f"Palvelun tuottaja: {service.provider}." if service.provider else None,
        "paivamaara": recorded_on(event),
        "laatija": parts.author(event.actor),
    }
    sources = walk.versions_where(
        lambda e: e is event
        or (isinstance(e, ServiceOrdered) and e.service_id == service.service_id)
    )
    return [Draft(SERVICE_STARTED, event.started_on, sources, compact(content))]


def ended(event: ServiceEnded, walk: Walk, parts: Parts) -> list[Draft]:
    """SP of a service that ended (none for one cancelled before it started)."""
    if event.cancelled:
        return []
    service = _service(walk, event.service_id)
    content = {
        "asiakas": parts.clients([child.id for child in walk.after.children], SERVICE_ENDED),
        "palvelutehtava": parts.code(walk.after.service_task),
        "sosiaalipalvelu": parts.code(service.kind),
        "sosiaalipalvelun_paattymisen_perustelut": event.reason,
        "sosiaalipalvelun_paattymispaiva": day(event.ended_on),
        "lisatiedot": f"Palvelun tuottaja: {service.provider}." if service.provider else None,
        "paivamaara": recorded_on(event),
        "laatija": parts.author(event.actor),
    }
    sources = walk.versions_where(
        lambda e: e is event
        or (isinstance(e, ServiceOrdered | ServiceStarted) and e.service_id == service.service_id)
    )
    return [Draft(SERVICE_ENDED, event.ended_on, sources, compact(content))]
