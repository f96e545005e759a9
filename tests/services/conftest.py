"""Telemetry fixtures: OpenTelemetry's SDK with in-memory exporters, set once per process.

OpenTelemetry lets a process set its tracer and meter providers once; every test here
shares them and reads only what it produced (spans cleared before each test, metrics
compared before and after).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@dataclass(frozen=True)
class Point:
    """One metric data point: the metric's name, its attributes and the point itself."""

    metric: str
    attributes: dict[str, Any]
    point: Any


@dataclass(frozen=True)
class Telemetry:
    """The in-memory span exporter and metric reader every test of this process shares."""

    spans: InMemorySpanExporter
    reader: InMemoryMetricReader

    def finished(self) -> tuple[ReadableSpan, ...]:
        return self.spans.get_finished_spans()

    def points(self) -> list[Point]:
        data = self.reader.get_metrics_data()
        if data is None:
            return []
        return [
            Point(metric.name, dict(point.attributes or {}), point)
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
            for point in metric.data.data_points
        ]

    def count(self, metric: str, **attributes: Any) -> int:
        """A counter's value, or a histogram's count, summed over points with the given
        attributes."""
        total = 0
        for found in self.points():
            if found.metric != metric:
                continue
            if any(found.attributes.get(key) != value for key, value in attributes.items()):
                continue
            count = getattr(found.point, "count", None)  # a histogram's; a counter has a value
            total += int(found.point.value if count is None else count)
        return total


_SHARED: list[Telemetry] = []


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """The process's in-memory telemetry, with no finished spans left from other tests."""
    if not _SHARED:
        exporter = InMemorySpanExporter()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(tracer_provider)
        reader = InMemoryMetricReader()
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
        _SHARED.append(Telemetry(exporter, reader))
    shared = _SHARED[0]
    shared.spans.clear()
    yield shared
    shared.spans.clear()
