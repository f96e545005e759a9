"""Privacy in the logs (yksityisyys lokeissa): no name or free text ever reaches a log line.

The whole demo story is recorded, projected, rebuilt and read with the ``perhetyo``
logger at DEBUG; every name and free text of the story (taken from its own events) is
then searched for in every captured line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from perhetyo import FamilyCases
from perhetyo.testing import DEMO_READER, StoryClock, record_demo_story

_NOT_PERSONAL_KEYS = frozenset(
    {"id", "request_id", "request_digest", "timestamp", "originator_id", "profession"}
)
"""Keys whose values are ids, digests, times or codes: opaque, never a name or free text."""


def _is_code(value: str) -> bool:
    """An enumeration's stored value: lower-case ASCII letters and underscores."""
    return value.isascii() and value.replace("_", "").isalpha() and value.islower()


def _personal_texts(value: Any, key: str = "") -> Iterator[str]:
    """Every string leaf of an event's dump that is a name or free text."""
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            yield from _personal_texts(inner, str(inner_key))
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _personal_texts(inner, key)
    elif (
        isinstance(value, str)
        and key not in _NOT_PERSONAL_KEYS
        and not key.endswith(("_id", "_on", "_date"))
        and len(value) >= 4
        and not _is_code(value)
    ):
        yield value


def test_the_whole_story_logs_no_name_or_free_text_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = StoryClock()
    url = f"sqlite:///{tmp_path / 'story.db'}"
    with (
        caplog.at_level(logging.DEBUG, logger="perhetyo"),
        FamilyCases(url, clock=clock) as cases,
    ):
        case_id = record_demo_story(cases, clock)
        cases.update_projections()
        cases.rebuild_projections()
        cases.current_plan(case_id, actor=DEMO_READER, purpose="tarkistus")
        events = cases.history(case_id, actor=DEMO_READER)
    texts = {
        text
        for event in events
        for text in _personal_texts(event.model_dump(mode="json", exclude={"actor"}))
    } | {event.actor.name for event in events}

    assert len(texts) > 30  # the story's names, views, notes and agreements
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    leaked = sorted(text for text in texts if text in logged)
    assert leaked == []
