"""Events (tapahtumat): the v1 catalogue of immutable case events.

Importing this package registers every topic. Events import nothing from aggregates
or projections.
"""

from perhetyo.events.base import EVENT_CLASSES, CaseEvent, event_class_for_topic
from perhetyo.events.case import CaseClosed, CaseOpened, NamedWorkerAssigned
from perhetyo.events.encounters import ChildViewRecorded, MeetingHeld
from perhetyo.events.plan import GoalSet, GoalUpdated, PlanAgreed
from perhetyo.events.privacy import (
    CaseErased,
    ErasedGoal,
    ErasedMeeting,
    ErasedService,
    ErasureSummary,
)
from perhetyo.events.records import DataDisclosed, DisclosureBanRecorded, EntryCorrected
from perhetyo.events.services import ServiceEnded, ServiceOrdered, ServiceStarted

__all__ = [
    "EVENT_CLASSES",
    "CaseClosed",
    "CaseErased",
    "CaseEvent",
    "CaseOpened",
    "ChildViewRecorded",
    "DataDisclosed",
    "DisclosureBanRecorded",
    "EntryCorrected",
    "ErasedGoal",
    "ErasedMeeting",
    "ErasedService",
    "ErasureSummary",
    "GoalSet",
    "GoalUpdated",
    "MeetingHeld",
    "NamedWorkerAssigned",
    "PlanAgreed",
    "ServiceEnded",
    "ServiceOrdered",
    "ServiceStarted",
    "event_class_for_topic",
]
