"""Matter documents (asian asiakirjat): the matter pending (VT) and the assessment (PTA).

- VT (Merkintä asian vireilletulosta, 1.2.246.537.6.1506.19001): one per matter, from the
  case's opening (its first matter) and from each later :class:`MatterPending`;
- PTA (Lapsen ja perheen palvelutarpeen arvio, 1.2.246.537.6.1506.1005): one per completed
  assessment, with the matter's pending date and how it became pending, the start date,
  the conclusions and the children's views. PTA requires each client's personal identity
  code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from uuid import UUID

from perhetyo.events import (
    AssessmentCompleted,
    CaseEvent,
    CaseOpened,
    MatterPending,
    opening_matter_id,
)
from perhetyo.kanta.codes import Urgency
from perhetyo.kanta.parts import Parts, compact, day, lines, recorded_on
from perhetyo.kanta.structures import ASSESSMENT, MATTER_PENDING
from perhetyo.kanta.walk import Draft, Walk
from perhetyo.projections import MatterView
from perhetyo.values import Initiation, ServiceTask, finnish_label

__all__ = ["assessment", "opening", "pending", "views_text"]


def _matter_pending(
    event: CaseEvent,
    parts: Parts,
    *,
    children: Iterable[str],
    service_task: ServiceTask,
    pending_on: date,
    initiated_by: Initiation | None,
    special_support: bool,
    urgent: bool,
) -> Draft:
    how = None if initiated_by is None else f"Vireilletulon tapa: {finnish_label(initiated_by)}."
    support = "Lapsella arvioidaan olevan erityisen tuen tarve." if special_support else None
    content = {
        "asiakas": parts.clients(children, MATTER_PENDING),
        "palvelutehtava": [parts.code(service_task)],
        "vireilletulopaiva": day(pending_on),
        "kuvaus_asian_vireilletulosta": lines(how, support),
        "arvio_asian_kiireellisyydesta": parts.code(Urgency.of(urgent)),
        "paivamaara": recorded_on(event),
        "laatija": parts.author(event.actor),
    }
    return Draft(MATTER_PENDING, pending_on, (event.originator_version,), compact(content))


def opening(event: CaseOpened, walk: Walk, parts: Parts) -> list[Draft]:
    """VT of the case's first matter, the opening."""
    return [
        _matter_pending(
            event,
            parts,
            children=[child.id for child in event.children],
            service_task=event.service_task,
            pending_on=event.pending_on,
            initiated_by=event.initiated_by,
            special_support=event.special_support,
            urgent=event.urgent,
        )
    ]


def pending(event: MatterPending, walk: Walk, parts: Parts) -> list[Draft]:
    """VT of a later matter in the open relationship."""
    return [
        _matter_pending(
            event,
            parts,
            children=[child.id for child in walk.after.children],
            service_task=walk.after.service_task,
            pending_on=event.pending_on,
            initiated_by=event.initiated_by,
            special_support=event.special_support,
            urgent=event.urgent,
        )
    ]


def views_text(
    parts: Parts, views: dict[str, str], not_heard: dict[str, str]
) -> str | None:
    """Children's views as text, one child a line, named by the host's registry."""
    return lines(
        *(f"{parts.full_name(child_id)}: {view}" for child_id, view in views.items()),
        *(
            f"{parts.full_name(child_id)}: ei kuultu. {reason}"
            for child_id, reason in not_heard.items()
        ),
    )


def _matter(walk: Walk, matter_id: UUID) -> MatterView:
    return next(matter for matter in walk.after.matters if matter.matter_id == matter_id)


def _about_matter(matter_id: UUID, case_id: UUID) -> Callable[[CaseEvent], bool]:
    opening_id = opening_matter_id(case_id)

    def test(event: CaseEvent) -> bool:
        if isinstance(event, CaseOpened):
            return matter_id == opening_id
        return getattr(event, "matter_id", None) == matter_id

    return test


def assessment(event: AssessmentCompleted, walk: Walk, parts: Parts) -> list[Draft]:
    """PTA of a completed assessment (the aggregate requires its start first)."""
    matter = _matter(walk, event.matter_id)
    started_on = None if matter.assessment is None else matter.assessment.started_on
    if matter.assessment is None or started_on is None:
        return []  # not reached: an assessment is completed only after its start
    needs_worker = event.needs_named_worker
    conclusions = {
        "lapsen_arvio_tuen_ja_palvelujen_tarpeesta": views_text(
            parts, event.child_views, event.not_heard_reasons
        ),
        "asiakkuuden_jatko": {"asiakkuus_jatkuu": event.relationship_continues},
        "ammattihenkilon_johtopaatokset_asiakkaan_tilanteesta_seka_sosiaalipalvelujen_ja_"
        "erityisen_tuen_tarpeesta": event.conclusions,
        "lastensuojelun_tarve": {"lastensuojeluasiakkuus_alkaa": event.child_welfare_begins},
        "asiakkaalle_laaditaan_asiakassuunnitelma": event.plan_needed,
        "asiakas_tarvitsee_omatyontekijan": needs_worker,
        "omatyontekija": (
            [parts.worker(walk.after.named_worker, with_unit=False)] if needs_worker else []
        ),
    }
    content = {
        "asiakas": parts.clients([child.id for child in walk.after.children], ASSESSMENT),
        "asian_vireilletuloa_koskevat_tiedot": {
            "vireilletulon_tapa": (
                None if matter.initiated_by is None else parts.code(matter.initiated_by)
            ),
            "vireilletulopaiva": day(matter.pending_on),
        },
        "palvelutarpeen_arviointia_koskevat_tiedot": {
            "lastensuojelun_tarve": matter.assessment.child_welfare_need_assessed,
            "palvelutarpeen_arvioinnin_aloittamispaiva": day(started_on),
            "asiakkaalla_on_oikeus_erityiseen_tukeen": event.special_support,
        },
        "johtopaatokset_ja_jatkotoimet": conclusions,
        "paivamaara": recorded_on(event),
        "laatija": [parts.author(event.actor)],
    }
    sources = walk.versions_where(_about_matter(event.matter_id, walk.case_id))
    return [Draft(ASSESSMENT, event.completed_on, sources, compact(content))]
