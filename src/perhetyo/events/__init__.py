"""Events (tapahtumat): the v1 catalogue of immutable case events.

Importing this package registers every topic. Events import nothing from aggregates
or projections.
"""

from perhetyo.events.base import EVENT_CLASSES, CaseEvent, event_class_for_topic
from perhetyo.events.case import CaseClosed, CaseOpened, NamedWorkerAssigned
from perhetyo.events.children import ChildJoined, ChildLeft
from perhetyo.events.decisions import ServiceDecided
from perhetyo.events.encounters import ChildViewRecorded, MeetingCancelled, MeetingHeld
from perhetyo.events.matters import (
    AssessmentCompleted,
    AssessmentDeclined,
    AssessmentStarted,
    MatterPending,
    opening_matter_id,
)
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
    "AssessmentCompleted",
    "AssessmentDeclined",
    "AssessmentStarted",
    "CaseClosed",
    "CaseErased",
    "CaseEvent",
    "CaseOpened",
    "ChildJoined",
    "ChildLeft",
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
    "MatterPending",
    "MeetingCancelled",
    "MeetingHeld",
    "NamedWorkerAssigned",
    "PlanAgreed",
    "ServiceDecided",
    "ServiceEnded",
    "ServiceOrdered",
    "ServiceStarted",
    "event_class_for_topic",
    "opening_matter_id",
]
