"""Lataus (loading a case): from its newest usable snapshot, then the events after it.

:class:`CaseLoader` loads the two things that are folded often: the decision state a
command decides on (:meth:`CaseLoader.state`) and the current plan a read returns
(:meth:`CaseLoader.plan`). Each starts from the newest snapshot of its fold
(:mod:`perhetyo.persistence.snapshots`) whose schema is the current one, that verifies,
decodes whole, and whose head is the head of the stored event at its version; then it
folds only the events after it, checking them against the chain from that head. When no
snapshot qualifies, it folds from the first event, exactly as without snapshots.

A load that folded ``interval`` events or more past its starting point (or from the first
event) writes a snapshot of what it folded: so at most about ``interval`` events are
folded per load. ``interval`` 0 or None turns snapshots off (none read, none written).

A read as of a business date or an instant starts from a snapshot only when the snapshot
is provably a prefix of what it folds: every event the snapshot folded was recorded
before ``recorded_before`` and happened on or before ``as_of`` (the snapshot keeps the
latest record time and business date of its events). Otherwise it folds from the start.
Such reads never write a snapshot (theirs is not a prefix of the record).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, TypeVar
from uuid import UUID

from perhetyo.aggregates import state_snapshots
from perhetyo.aggregates.case import FamilyCase
from perhetyo.errors import CaseErasedError, CaseNotFoundError, StorageError
from perhetyo.events import CaseErased, CaseEvent, CaseOpened
from perhetyo.persistence import storage_errors
from perhetyo.persistence.chain import Head
from perhetyo.persistence.event_store import EventStore
from perhetyo.persistence.snapshots import Snapshot
from perhetyo.persistence.trusted import decoder_for
from perhetyo.projections import events_to_fold, plan_fold, plan_snapshots
from perhetyo.projections.current_plan import CurrentPlan

__all__ = ["DEFAULT_SNAPSHOT_INTERVAL", "CaseLoader"]

logger = logging.getLogger("perhetyo")

DEFAULT_SNAPSHOT_INTERVAL: Final = 100
"""Events folded past the last snapshot before a load writes a new one."""

_SHORT_CASES: Final = 10_000
"""At most this many short cases remembered (see ``CaseLoader._short``)."""

T = TypeVar("T")


@dataclass(slots=True)
class _Start:
    """Where a fold starts: a snapshot's fold and bounds (or nothing), then events."""

    fold: Any
    version: int
    recorded_until: datetime | None
    occurred_until: date | None
    events: list[CaseEvent]
    head: Head


def _bounds(
    events: Sequence[CaseEvent], recorded: datetime | None, occurred: date | None
) -> tuple[datetime | None, date | None]:
    for event in events:
        if recorded is None or event.timestamp > recorded:
            recorded = event.timestamp
        day = event.occurred_on
        if occurred is None or day > occurred:
            occurred = day
    return recorded, occurred


class CaseLoader:
    """Case loader (asiakkuuden lataaja): the state and the plan, from snapshots."""

    def __init__(self, store: EventStore, interval: int | None = DEFAULT_SNAPSHOT_INTERVAL):
        if interval is not None and (type(interval) is not int or interval < 0):
            raise ValueError("snapshot_interval must be a whole number >= 0, or None")
        self._store = store
        self.interval = interval or 0
        self._short: dict[UUID, int] = {}
        """Cases this loader last read whole and found shorter than ``interval``: a
        snapshot is written only by a load that folded ``interval`` events, so such a case
        has none yet, and its next load need not ask (if it has grown meanwhile, reading
        it whole is still right, and writes its first snapshot). Bounded."""

    # --- the two folds ----------------------------------------------------------------

    def state(self, case_id: UUID) -> tuple[FamilyCase | None, Head]:
        """The decision state (None when no such case exists) and the chain's head."""
        start = self._start(
            case_id,
            "state",
            state_snapshots.STATE_SCHEMA,
            lambda data: state_snapshots.load(FamilyCase, data),
            None,
        )
        case = FamilyCase.project(start.fold, start.events)
        if case is not None and len(start.events) >= self.interval > 0:
            self._save(
                case_id, "state", state_snapshots.STATE_SCHEMA, start, state_snapshots.dump(case)
            )
        return case, start.head

    def plan(
        self, case_id: UUID, *, as_of: date | None = None, recorded_before: datetime | None = None
    ) -> CurrentPlan:
        """The current plan (as of a date, or as recorded before an instant);
        :class:`CaseNotFoundError` when there is no such case then."""

        def prefix(snapshot: Snapshot) -> bool:
            return (recorded_before is None or snapshot.recorded_until < recorded_before) and (
                as_of is None or snapshot.occurred_until <= as_of
            )

        start = self._start(case_id, "current_plan", plan_snapshots.PLAN_SCHEMA, _plan, prefix)
        events = events_to_fold(start.events, as_of=as_of, recorded_before=recorded_before)
        if start.fold is None and (not events or not isinstance(events[0], CaseOpened)):
            raise CaseNotFoundError(case_id)
        plan = plan_fold.fold_from(start.fold, events)  # current_plan.apply, in one pass
        if plan is None:
            raise CaseNotFoundError(case_id)
        current = as_of is None and recorded_before is None
        if current and len(start.events) >= self.interval > 0:
            self._save(
                case_id,
                "current_plan",
                plan_snapshots.PLAN_SCHEMA,
                start,
                plan_snapshots.dump(plan),
            )
        return plan

    # --- where a fold starts ------------------------------------------------------------

    def _start(
        self,
        case_id: UUID,
        kind: str,
        schema: int,
        load: Callable[[dict[str, Any]], Any],
        usable: Callable[[Snapshot], bool] | None,
    ) -> _Start:
        """The newest usable snapshot and the events after it, or every event."""
        if self.interval and case_id not in self._short:
            with storage_errors():
                snapshots = list(self._store.snapshot_store.newest(case_id, kind, schema))
            for snapshot in snapshots:
                if usable is not None and not usable(snapshot):
                    continue
                start = self._after(snapshot, load)
                if start is not None:
                    return start
        with storage_errors():
            events, head = self._store.case_events(case_id)
        _refuse_erased(case_id, events)
        if len(events) < self.interval:
            if len(self._short) >= _SHORT_CASES:
                self._short.clear()
            self._short[case_id] = len(events)
        else:
            self._short.pop(case_id, None)
        return _Start(None, 0, None, None, events, head)

    def _after(self, snapshot: Snapshot, load: Callable[[dict[str, Any]], Any]) -> _Start | None:
        with storage_errors():
            after = self._store.case_events_after(snapshot.case_id, snapshot.head)
        if after is None:
            return None  # the record does not carry this snapshot's head
        events, head = after
        _refuse_erased(snapshot.case_id, events)
        try:
            fold = load(snapshot.fold)
        except (ValueError, KeyError, TypeError, IndexError):
            logger.warning(
                "a %s snapshot of case %s at version %d does not decode; passed over",
                snapshot.kind,
                snapshot.case_id,
                snapshot.version,
            )
            return None
        return _Start(
            fold, snapshot.version, snapshot.recorded_until, snapshot.occurred_until, events, head
        )

    def _save(
        self, case_id: UUID, kind: str, schema: int, start: _Start, fold: dict[str, Any]
    ) -> None:
        recorded, occurred = _bounds(start.events, start.recorded_until, start.occurred_until)
        if recorded is None or occurred is None:
            return
        snapshot = Snapshot(
            case_id=case_id,
            kind=kind,
            version=start.head.version,
            head=start.head,
            recorded_until=recorded,
            occurred_until=occurred,
            fold=fold,
        )
        try:
            self._store.snapshot_store.save(snapshot, schema)
        except StorageError:  # a cache: the load has its result, the next one tries again
            logger.warning("a %s snapshot of case %s was not written", kind, case_id)


def _plan(data: dict[str, Any]) -> CurrentPlan:
    return plan_snapshots.load(data, decoder_for(CurrentPlan))


def _refuse_erased(case_id: UUID, events: Sequence[CaseEvent]) -> None:
    if events and isinstance(events[-1], CaseErased):
        raise CaseErasedError(case_id)
