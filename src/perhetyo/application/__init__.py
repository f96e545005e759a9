"""Family cases (perhesosiaalityön asiakkuudet): the application every user imports.

``FamilyCases`` is the facade: one method per command and one per read. A command method
builds its command model (the shape check), then :meth:`FamilyCases._decide` loads the
case, lets the aggregate's decide method check the rules, and saves the one new event; it
returns only after the event is durably stored. Reads fold the case's events through the
projections.

How a command flows: ``set_goal(...)`` -> ``SetGoal`` (shape) -> ``_decide(command,
FamilyCase.set_goal)`` -> load (``FamilyCase.project``) -> ``FamilyCase.set_goal`` (rules,
one ``GoalSet``) -> save. Every call to the store runs inside the one map of foreign
errors (:func:`perhetyo.persistence.storage_errors`).

Persistence is decided by the URL alone (see :mod:`perhetyo.persistence.store`).
"""

from __future__ import annotations

from perhetyo.application.children import ChildCalls
from perhetyo.application.core import CasesCore
from perhetyo.application.deadlines import DeadlineReads
from perhetyo.application.decisions import DecisionCalls
from perhetyo.application.encounters import EncounterCalls
from perhetyo.application.figures import FigureReads
from perhetyo.application.integrity import IntegrityCalls
from perhetyo.application.kanta import KantaCalls
from perhetyo.application.lifecycle import CaseCalls
from perhetyo.application.matters import MatterCalls
from perhetyo.application.plan import PlanCalls
from perhetyo.application.privacy import PrivacyCalls
from perhetyo.application.reads import CaseReads
from perhetyo.application.records import RecordCalls
from perhetyo.application.records_keeping import RecordsKeepingCalls
from perhetyo.application.report import ReportReads
from perhetyo.application.services import ServiceCalls
from perhetyo.application.stored import StoredProjectionCalls
from perhetyo.handling import MAX_ATTEMPTS
from perhetyo.time import Clock

__all__ = ["MAX_ATTEMPTS", "Clock", "FamilyCases"]


class FamilyCases(
    CaseCalls,
    ChildCalls,
    EncounterCalls,
    PlanCalls,
    DecisionCalls,
    ServiceCalls,
    RecordCalls,
    MatterCalls,
    CaseReads,
    DeadlineReads,
    ReportReads,
    KantaCalls,
    FigureReads,
    RecordsKeepingCalls,
    StoredProjectionCalls,
    IntegrityCalls,
    PrivacyCalls,
    CasesCore,
):
    """Family cases (perhesosiaalityön asiakkuudet): commands and reads over one store.

    ``url`` chooses the store: ``sqlite:///path`` (default ``sqlite:///perhetyo.db``),
    ``sqlite:///:memory:``, ``postgresql://user@host/db`` or ``memory://``. ``clock``
    returns the current time (an aware datetime); "today" is its date in Helsinki.
    A command on a busy case waits its turn (see :mod:`perhetyo.persistence.locks`) for
    up to ``lock_timeout`` seconds, then raises :class:`ConcurrentUpdateError`.
    ``master_key`` (or ``PERHETYO_MASTER_KEY``) encrypts the store (docs/privacy.md).
    ``deadline_policy`` says which matters have statutory deadlines (the statute's by
    default; see :class:`~perhetyo.projections.DeadlinePolicy`).
    """
