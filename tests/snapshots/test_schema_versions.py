"""The snapshots' schema versions are pinned to the shapes they were set for.

When this test fails, a field of the decision state or of the current plan changed:
raise ``STATE_SCHEMA`` (perhetyo/aggregates/state_snapshots.py) or ``PLAN_SCHEMA``
(perhetyo/projections/plan_snapshots.py), then pin the new fingerprint here with it, so
that snapshots of the old shape are ignored rather than half-read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from perhetyo.aggregates import state_snapshots
from perhetyo.aggregates.state import CaseState
from perhetyo.projections import CurrentPlan, plan_snapshots

PINNED = {
    (state_snapshots.STATE_SCHEMA, "state"): "ce54da2db71ac36d",
    (plan_snapshots.PLAN_SCHEMA, "plan"): "eededbdcbd5d1b3b",
}


def _without_words(node: Any) -> Any:
    """A JSON schema without its titles and descriptions (docs are not the shape)."""
    if isinstance(node, dict):
        return {
            key: _without_words(value)
            for key, value in node.items()
            if key not in {"title", "description"}
        }
    if isinstance(node, list):
        return [_without_words(item) for item in node]
    return node


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def test_the_state_schema_version_matches_the_state() -> None:
    fields = [(field.name, str(field.type)) for field in dataclasses.fields(CaseState)]
    assert PINNED.get((state_snapshots.STATE_SCHEMA, "state")) == _digest(fields)


def test_the_plan_schema_version_matches_the_plan() -> None:
    schema = _without_words(CurrentPlan.model_json_schema())
    assert PINNED.get((plan_snapshots.PLAN_SCHEMA, "plan")) == _digest(schema)
