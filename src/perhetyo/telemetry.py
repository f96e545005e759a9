"""Telemetry (telemetria): OpenTelemetry spans and metrics of commands, reads and projections.

Only OpenTelemetry's API is used (the ``perhetyo[otel]`` extra); the host configures the
SDK and its exporters. Without the API installed every hook here is a no-op. perhetyo
never sets a provider of its own: until the host sets one, OpenTelemetry's proxies drop
everything.

What is recorded (the names are a contract; docs/host-services.md lists them):

- a span per command, ``perhetyo.command.<Command>`` (``perhetyo.command.SetGoal``), and
  per read, ``perhetyo.read.<action>`` (``perhetyo.read.current_plan``,
  ``perhetyo.read.find``), with the attributes ``perhetyo.command`` or
  ``perhetyo.read``, ``perhetyo.case_id`` (an opaque UUID) and ``perhetyo.outcome``
  (``ok`` or the error's stable ``code``); a lookup adds ``perhetyo.cases_found``;
- ``perhetyo.command.duration`` (histogram, s; by command and outcome),
  ``perhetyo.read.duration`` (histogram, s; by read and outcome),
  ``perhetyo.command.lock_wait`` (histogram, s: the wait for the case's turn),
  ``perhetyo.command.conflicts`` (counter, by ``perhetyo.conflict``: ``busy_case``, a
  command that waited more than :data:`BUSY_WAIT_SECONDS` for another writer, or
  ``append``, a save lost to a writer that does not lock and decided again);
- ``perhetyo.projection.batch_size`` (histogram, events) and ``perhetyo.projection.lag``
  (histogram, s: from the newest event of a batch being recorded to the batch committing),
  by ``perhetyo.view`` (``live``, ``rebuild`` or ``subscriber:<name>``).

Privacy: attributes are names of code, ids, codes and counts, never a client's data. No
exception is recorded on a span (its message is not ours to vet): a failed span's status
is ERROR with the error's code as its description.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Concatenate, Final, ParamSpec, TypeVar
from uuid import UUID

from perhetyo.errors import PerhetyoError

try:
    from opentelemetry import metrics as _metrics
    from opentelemetry import trace as _trace
except ImportError:  # pragma: no cover (the otel extra is not installed: no-op hooks)
    _OTEL = False
else:
    _OTEL = True

__all__ = [
    "BUSY_WAIT_SECONDS",
    "INSTRUMENTATION_NAME",
    "SpanRecord",
    "command_span",
    "conflict",
    "enabled",
    "projection_batch",
    "read_span",
    "timed_lock",
    "traced_command",
    "traced_read",
]

INSTRUMENTATION_NAME: Final = "perhetyo"
"""The tracer's and the meter's instrumentation scope."""

BUSY_WAIT_SECONDS: Final = 0.005
"""A wait for the case's lock longer than this counts as a conflict waited on (an
uncontended lock is taken in well under a millisecond on SQLite, about one round trip on
PostgreSQL)."""

OK: Final = "ok"
INTERNAL_ERROR: Final = "internal_error"
"""The outcome of a call that failed with an error outside perhetyo's tree."""

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
C = TypeVar("C")


def enabled() -> bool:
    """Whether OpenTelemetry's API is installed (the ``otel`` extra)."""
    return _OTEL


class _Instruments:
    """The tracer and the metric instruments, made once (OpenTelemetry's proxies bind them
    to the host's providers whenever those are set)."""

    def __init__(self) -> None:
        self.tracer = _trace.get_tracer(INSTRUMENTATION_NAME)
        meter = _metrics.get_meter(INSTRUMENTATION_NAME)
        self.command_duration = meter.create_histogram(
            "perhetyo.command.duration", unit="s", description="Time to run a command"
        )
        self.read_duration = meter.create_histogram(
            "perhetyo.read.duration", unit="s", description="Time to read (and log) a read"
        )
        self.lock_wait = meter.create_histogram(
            "perhetyo.command.lock_wait", unit="s", description="Wait for the case's turn"
        )
        self.conflicts = meter.create_counter(
            "perhetyo.command.conflicts",
            unit="{conflict}",
            description="Commands that waited for, or lost a race to, another writer",
        )
        self.batch_size = meter.create_histogram(
            "perhetyo.projection.batch_size",
            unit="{event}",
            description="Events applied by one batch of a stored projection or subscriber",
        )
        self.lag = meter.create_histogram(
            "perhetyo.projection.lag",
            unit="s",
            description="From the newest event of a batch being recorded to its commit",
        )


@functools.cache
def _instruments() -> _Instruments:
    return _Instruments()


class SpanRecord:
    """What a running span may still learn (an id found later, a count): ids and counts."""

    def __init__(self, span: Any = None) -> None:
        self._span = span

    def case(self, case_id: UUID) -> None:
        """The case the call is about (an opaque UUID)."""
        if self._span is not None:
            self._span.set_attribute("perhetyo.case_id", str(case_id))

    def found(self, count: int) -> None:
        """How many cases a lookup found."""
        if self._span is not None:
            self._span.set_attribute("perhetyo.cases_found", count)


_NO_SPAN: Final = SpanRecord()


@contextlib.contextmanager
def _span(kind: str, name: str, case_id: UUID | None) -> Iterator[SpanRecord]:
    instruments = _instruments()
    histogram = instruments.command_duration if kind == "command" else instruments.read_duration
    started = time.perf_counter()
    outcome = OK
    with instruments.tracer.start_as_current_span(
        f"perhetyo.{kind}.{name}",
        attributes={f"perhetyo.{kind}": name},
        record_exception=False,  # an exception's message is not ours to vet
        set_status_on_exception=False,
    ) as span:
        record = SpanRecord(span)
        if case_id is not None:
            record.case(case_id)
        try:
            yield record
        except BaseException as exc:
            outcome = exc.code if isinstance(exc, PerhetyoError) else INTERNAL_ERROR
            span.set_status(_trace.Status(_trace.StatusCode.ERROR, outcome))
            raise
        finally:
            span.set_attribute("perhetyo.outcome", outcome)
            histogram.record(
                time.perf_counter() - started,
                {f"perhetyo.{kind}": name, "perhetyo.outcome": outcome},
            )


def command_span(
    name: str, case_id: UUID | None = None
) -> contextlib.AbstractContextManager[SpanRecord]:
    """A span and a duration for one command (``name``: the command model's class name)."""
    if not _OTEL:
        return contextlib.nullcontext(_NO_SPAN)
    return _span("command", name, case_id)


def read_span(
    action: str, case_id: UUID | None = None
) -> contextlib.AbstractContextManager[SpanRecord]:
    """A span and a duration for one read (``action``: its access-log action's value)."""
    if not _OTEL:
        return contextlib.nullcontext(_NO_SPAN)
    return _span("read", action, case_id)


def traced_command(
    method: Callable[Concatenate[S, C, P], R],
) -> Callable[Concatenate[S, C, P], R]:
    """Run a command-handling method (its first argument the command model) in a span.

    The case id is the command's ``case_id``, or for an opening the id it returns.
    """
    if not _OTEL:
        return method

    @functools.wraps(method)
    def traced(self: S, command: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
        case_id = getattr(command, "case_id", None)
        given = case_id if isinstance(case_id, UUID) else None
        with command_span(type(command).__name__, given) as span:
            result = method(self, command, *args, **kwargs)
            if given is None and isinstance(result, UUID):
                span.case(result)
            return result

    return traced


def traced_read(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a read of one case (``_read(case_id, ..., action=...)``) in a span."""
    if not _OTEL:
        return method

    @functools.wraps(method)
    def traced(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        action = kwargs.get("action")
        name = str(getattr(action, "value", action))
        case_id = args[0] if args and isinstance(args[0], UUID) else None
        with read_span(name, case_id):
            return method(self, *args, **kwargs)

    return traced


@contextlib.contextmanager
def timed_lock(hold: contextlib.AbstractContextManager[None]) -> Iterator[None]:
    """Enter the case's lock ``hold``, measuring the wait for it (a busy case: a conflict)."""
    if not _OTEL:
        with hold:
            yield
        return
    started = time.perf_counter()
    with hold:
        waited = time.perf_counter() - started
        instruments = _instruments()
        instruments.lock_wait.record(waited)
        if waited > BUSY_WAIT_SECONDS:
            instruments.conflicts.add(1, {"perhetyo.conflict": "busy_case"})
        yield


def conflict(kind: str) -> None:
    """Count one conflict of ``kind`` (``append``: a save lost to a non-locking writer)."""
    if _OTEL:
        _instruments().conflicts.add(1, {"perhetyo.conflict": kind})


def projection_batch(view: str, applied: int, newest_recorded_at: datetime | None) -> None:
    """Record one committed batch of ``view``: its size and its lag behind the log."""
    if not _OTEL:
        return
    instruments = _instruments()
    attributes = {"perhetyo.view": view}
    instruments.batch_size.record(applied, attributes)
    if newest_recorded_at is not None:
        lag = (datetime.now(UTC) - newest_recorded_at).total_seconds()
        instruments.lag.record(max(lag, 0.0), attributes)
