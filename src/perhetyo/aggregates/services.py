"""Palvelut (services): ordered, started, ended."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from perhetyo.aggregates.decisions import DecisionRules
from perhetyo.aggregates.state import Service, applies, decides
from perhetyo.commands import EndService, OrderService, StartService
from perhetyo.errors import OutOfOrderError, ServiceLifecycleError
from perhetyo.events import ServiceEnded, ServiceOrdered, ServiceStarted
from perhetyo.values import ServiceStatus

__all__ = ["ServiceRules"]


class ServiceRules(DecisionRules):
    """Palvelut (services): ordered (citing a decision, if any), started, ended."""

    __slots__ = ()

    # --- services -----------------------------------------------------------------------

    @decides(OrderService)
    def order_service(self, command: OrderService, now: datetime) -> UUID:
        """Order a service (tilaa palvelu); its goals must exist on the order date, and a
        decision it cites must grant the service then."""
        self._check_open()
        self._check_happened("ordered_on", command.ordered_on, now)
        for goal_id in command.goal_ids:
            if self._goal(goal_id).set_on > command.ordered_on:
                raise OutOfOrderError(f"goal {goal_id} was set after ordered_on")
        if command.decision_id is not None:
            self._check_decision_covers(command.decision_id, command.kind, command.ordered_on)
        event = self._record(
            ServiceOrdered,
            command,
            now,
            service_id=self.new_id(),
            kind=command.kind,
            provider=command.provider,
            ordered_on=command.ordered_on,
            goal_ids=command.goal_ids,
            decision_id=command.decision_id,
        )
        return event.service_id

    @applies(ServiceOrdered)
    def _service_ordered(self, event: ServiceOrdered) -> None:
        self.services[event.service_id] = Service(ServiceStatus.ORDERED, event.ordered_on)

    @decides(StartService)
    def start_service(self, command: StartService, now: datetime) -> None:
        """Record that an ordered service started (palvelu alkoi)."""
        self._check_open()
        service = self._service(command.service_id)
        self._check_happened("started_on", command.started_on, now)
        if service.status is not ServiceStatus.ORDERED:
            raise ServiceLifecycleError(
                f"service {command.service_id} is {service.status.value}, not ordered"
            )
        if command.started_on < service.ordered_on:
            raise OutOfOrderError(f"service {command.service_id} starts before it was ordered")
        self._record(
            ServiceStarted,
            command,
            now,
            service_id=command.service_id,
            started_on=command.started_on,
        )

    @applies(ServiceStarted)
    def _service_started(self, event: ServiceStarted) -> None:
        service = self.services[event.service_id]
        self.services[event.service_id] = Service(
            ServiceStatus.ACTIVE, service.ordered_on, event.started_on
        )

    @decides(EndService)
    def end_service(self, command: EndService, now: datetime) -> None:
        """End a service (päätä palvelu); one that never started ends as cancelled."""
        self._check_open()
        service = self._service(command.service_id)
        self._check_happened("ended_on", command.ended_on, now)
        if service.status in (ServiceStatus.ENDED, ServiceStatus.CANCELLED):
            raise ServiceLifecycleError(
                f"service {command.service_id} is already {service.status.value}"
            )
        if command.ended_on < service.next_step_from:
            raise OutOfOrderError(
                f"service {command.service_id} ends before it started or was ordered"
            )
        self._record(
            ServiceEnded,
            command,
            now,
            service_id=command.service_id,
            ended_on=command.ended_on,
            reason=command.reason,
            cancelled=service.status is ServiceStatus.ORDERED,
        )

    @applies(ServiceEnded)
    def _service_ended(self, event: ServiceEnded) -> None:
        service = self.services[event.service_id]
        status = ServiceStatus.CANCELLED if event.cancelled else ServiceStatus.ENDED
        self.services[event.service_id] = Service(status, service.ordered_on, service.started_on)
