"""Commands (komennot): one frozen pydantic model per use case, validated at the boundary.

Constructing a command checks its shape only (types, lengths, enum values, strict dates,
no extra fields); a failure raises :class:`~perhetyo.errors.InvalidCommandError`, whose
``errors`` list is pydantic's without the input values. The rules of the case are checked
later, by the aggregate. Every command carries the acting ``actor`` and an optional
``request_id`` that makes a retry safe.
"""

from perhetyo.commands.base import CaseCommand, Command, ReadCase, ReadRequest
from perhetyo.commands.case import AssignNamedWorker, CloseCase, OpenCase
from perhetyo.commands.encounters import RecordChildView, RecordMeeting
from perhetyo.commands.matters import (
    CompleteAssessment,
    DeclineAssessment,
    ReadDeadlines,
    RecordPending,
    StartAssessment,
)
from perhetyo.commands.plan import AgreePlan, SetGoal, UpdateGoal
from perhetyo.commands.privacy import EraseCase
from perhetyo.commands.services import EndService, OrderService, StartService

__all__ = [
    "AgreePlan",
    "AssignNamedWorker",
    "CaseCommand",
    "CloseCase",
    "Command",
    "CompleteAssessment",
    "DeclineAssessment",
    "EndService",
    "EraseCase",
    "OpenCase",
    "OrderService",
    "ReadCase",
    "ReadDeadlines",
    "ReadRequest",
    "RecordChildView",
    "RecordMeeting",
    "RecordPending",
    "SetGoal",
    "StartAssessment",
    "StartService",
    "UpdateGoal",
]
