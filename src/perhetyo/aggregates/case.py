"""Family case (perhesosiaalityön asiakkuus): the aggregate that decides every command.

``FamilyCase`` is a plain class, rebuilt from its events by :meth:`FamilyCase.project`
(eventsourcing's ``Repository.get(projector_func=...)``). It joins one class per area of
rules (cargoshipping's triplet in each: command method -> event class -> apply handler, on
one screen); what they share, and how a decide method records its one event, is in
:mod:`perhetyo.aggregates.state`. Adding an event touches its own event module and one
decide/apply pair in its area.

It keeps only what the rules need; the read models are projections (``perhetyo.projections``).
"""

from __future__ import annotations

from perhetyo.aggregates.children import ChildRules
from perhetyo.aggregates.encounters import EncounterRules
from perhetyo.aggregates.erasure import ErasureRules
from perhetyo.aggregates.lifecycle import CaseLifecycle
from perhetyo.aggregates.matters import MatterRules
from perhetyo.aggregates.plan import PlanRules
from perhetyo.aggregates.records import RecordRules
from perhetyo.aggregates.services import ServiceRules
from perhetyo.aggregates.state import Goal, Service, applies, decides
from perhetyo.aggregates.workers import WorkerRules

__all__ = ["FamilyCase", "Goal", "Service", "applies", "decides"]


class FamilyCase(
    CaseLifecycle,
    WorkerRules,
    ChildRules,
    EncounterRules,
    PlanRules,
    ServiceRules,
    MatterRules,
    ErasureRules,
    RecordRules,
):
    """Family case (perhesosiaalityön asiakkuus): the decision state of one case.

    ``new_id`` makes the ids of new meetings, goals, services and matters (``uuid4`` by default;
    the testing kit passes a counter so that drawn histories are reproducible).
    """

    __slots__ = ()
