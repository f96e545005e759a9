"""Client plan documents (asiakassuunnitelmat): one LPS per plan version.

LPS (Lapsiperheiden palvelujen asiakassuunnitelma, 1.2.246.537.6.1506.15007) of each
:class:`PlanAgreed`: the plan's content, every goal the case had when the version was
agreed (Asetettavat tavoitteet: the goal's description as its name, whose goal it is,
its status, progress and target date), the services given and planned, the differing
views, and for a later version how the previous version's goals were reached. LPS
requires each client's personal identity code.

How the previous version's goals were reached (Edellisen suunnitelman tavoitteiden
saavuttaminen) is one code of code set 1.2.246.537.6.1253, from the goals' statuses when
the new version was agreed: all achieved -> ``GoalStatus.ACHIEVED``; all not achieved or
dropped -> ``NOT_ACHIEVED``; none started -> ``NOT_STARTED``; otherwise (some way, or
partly) -> ``IN_PROGRESS``. Each goal's own status is in the text beside it.
"""

from __future__ import annotations

from typing import Any

from perhetyo.events import CaseEvent, GoalSet, GoalUpdated, PlanAgreed
from perhetyo.kanta.parts import Parts, compact, day, lines, recorded_on
from perhetyo.kanta.structures import CLIENT_PLAN
from perhetyo.kanta.walk import Draft, Walk
from perhetyo.projections import GoalView
from perhetyo.values import GoalStatus, ServiceStatus, finnish_label

__all__ = ["overall_status", "plan"]


def overall_status(statuses: list[GoalStatus]) -> GoalStatus:
    """How a version's goals were reached, as one status (see the module's docstring)."""
    if all(status is GoalStatus.ACHIEVED for status in statuses):
        return GoalStatus.ACHIEVED
    if all(status in {GoalStatus.NOT_ACHIEVED, GoalStatus.DROPPED} for status in statuses):
        return GoalStatus.NOT_ACHIEVED
    if all(status is GoalStatus.NOT_STARTED for status in statuses):
        return GoalStatus.NOT_STARTED
    return GoalStatus.IN_PROGRESS


def _goal_line(goal: GoalView) -> str:
    return f"{goal.description} ({finnish_label(goal.status)}, {goal.progress} %)"


def _goal(goal: GoalView, parts: Parts) -> dict[str, Any]:
    whose = "Koko perhe" if goal.child_id is None else parts.full_name(goal.child_id)
    target = None if goal.target_date is None else f"Tavoiteaika: {day(goal.target_date)}."
    return {
        "nimi": goal.description,
        "kuvaus": lines(
            f"{whose}.",
            f"Tila: {finnish_label(goal.status)}, edistyminen {goal.progress} %.",
            target,
        ),
    }


def _previous_goals(event: PlanAgreed, walk: Walk) -> dict[str, Any] | None:
    previous = walk.plans.get(event.plan_version - 1)
    if previous is None or not previous.goals:
        return None
    ids = {goal.goal_id for goal in previous.goals}
    now = [goal for goal in walk.after.goals if goal.goal_id in ids]
    return {
        "arvio": overall_status([goal.status for goal in now]),
        "sanallinen_arvio": lines(*(_goal_line(goal) for goal in now)),
    }


def plan(event: PlanAgreed, walk: Walk, parts: Parts) -> list[Draft]:
    """LPS of one plan version, naming every goal the case had when it was agreed."""
    after = walk.after
    goals = after.goals
    previous = _previous_goals(event, walk)
    if previous is not None:
        previous["arvio"] = parts.code(previous["arvio"])
    given = [
        f"{finnish_label(service.kind)}: {service.provider}"
        + ("" if service.started_on is None else f", alkanut {day(service.started_on)}")
        for service in after.services
        if service.status is ServiceStatus.ACTIVE
    ]
    planned = [
        {
            "sosiaalipalvelu": parts.code(service.kind),
            "kuvaus": service.description,
            "arvioitu_alkamisajankohta_ja_kesto": lines(
                None
                if service.estimated_start is None
                else f"Arvioitu alkaminen {day(service.estimated_start)}.",
                service.estimated_duration,
            ),
        }
        for service in event.planned_services
    ]
    content = {
        "asiakas": parts.clients([child.id for child in after.children], CLIENT_PLAN),
        "suunnitelma": {
            "tiedot_neuvottelusta_jossa_tama_suunnitelma_on_tehty": [
                {
                    "paivamaara": day(event.agreed_on),
                    "paikka": event.place,
                    "osallistujat": ", ".join(event.participants),
                }
            ],
            "kuvaus_asiakkaan_tilanteesta": event.situation,
            "palvelut_joita_asiakas_talla_hetkella_saa": lines(*given),
            "asiakkaan_arvio_tarvittavasta_tuesta": event.client_assessment,
            "ammattihenkilon_arvio_tarvittavasta_tuesta": event.professional_assessment,
            "asiakkaan_vahvuudet_ja_voimavarat": event.strengths,
            "edellisen_suunnitelman_tavoitteiden_saavuttaminen": previous,
            "asetettavat_tavoitteet": [_goal(goal, parts) for goal in goals],
            "palvelut_joita_asiakkaalle_suunnitellaan": planned,
            "selvitys_oikeuksista": event.rights_explained,
            "sovitut_jatkotoimet": lines(*event.agreements, event.follow_up),
            "eriavat_nakemykset": lines(*event.dissent),
            "arvio_asiakkuuden_kestosta": event.estimated_duration,
            "suunnitelman_tarkistaminen": {
                "paivamaara_ja_kellonaika": (
                    None if event.review_due_on is None else day(event.review_due_on)
                )
            },
            "henkilot_joille_tama_suunnitelma_toimitetaan": ", ".join(event.delivered_to),
        },
        "paivamaara": recorded_on(event),
        "laatija": [parts.author(event.actor)],
    }
    ids = {goal.goal_id for goal in goals}

    def source(source_event: CaseEvent) -> bool:
        if isinstance(source_event, GoalSet | GoalUpdated):
            return source_event.goal_id in ids
        return source_event is event

    return [
        Draft(CLIENT_PLAN, event.agreed_on, walk.versions_where(source), compact(content))
    ]
