"""Commands (komennot): one frozen pydantic model per use case, validated at the boundary.

Constructing a command checks its shape only (types, lengths, enum values, strict dates,
no extra fields); a failure raises :class:`~perhetyo.errors.InvalidCommandError`, whose
``errors`` list is pydantic's without the input values. The rules of the case are checked
later, by the aggregate. Every command carries the acting ``actor`` and an optional
``request_id`` that makes a retry safe.
"""

from perhetyo.commands.base import CaseCommand, Command, ReadCase, ReadRequest
from perhetyo.commands.case import AssignNamedWorker, CloseCase, OpenCase
from perhetyo.commands.children import AddChild, RemoveChild
from perhetyo.commands.decisions import DecideService
from perhetyo.commands.encounters import CancelMeeting, RecordChildView, RecordMeeting
from perhetyo.commands.matters import (
    CompleteAssessment,
    DeclineAssessment,
    ReadDeadlines,
    RecordPending,
    StartAssessment,
)
from perhetyo.commands.plan import AgreePlan, SetGoal, UpdateGoal
from perhetyo.commands.privacy import EraseCase
from perhetyo.commands.records import (
    CorrectEntry,
    ReadAccessLog,
    RecordAccess,
    RecordDisclosure,
    RecordDisclosureBan,
)
from perhetyo.commands.services import EndService, OrderService, StartService

__all__ = [
    "AddChild",
    "AgreePlan",
    "AssignNamedWorker",
    "CancelMeeting",
    "CaseCommand",
    "CloseCase",
    "Command",
    "CompleteAssessment",
    "CorrectEntry",
    "DecideService",
    "DeclineAssessment",
    "EndService",
    "EraseCase",
    "OpenCase",
    "OrderService",
    "ReadAccessLog",
    "ReadCase",
    "ReadDeadlines",
    "ReadRequest",
    "RecordAccess",
    "RecordChildView",
    "RecordDisclosure",
    "RecordDisclosureBan",
    "RecordMeeting",
    "RecordPending",
    "RemoveChild",
    "SetGoal",
    "StartAssessment",
    "StartService",
    "UpdateGoal",
]
