"""Suunnitelman tilannekuva (a snapshot of the current plan): the fold to JSON and back.

:func:`dump` turns a :class:`~perhetyo.projections.current_plan.CurrentPlan` into a
JSON-ready dict and :func:`load` validates it back whole, as a stored event is read (the
``stored`` context: dates from ISO strings, today's rules not re-judged); anything that
does not validate raises ``ValueError`` and the caller folds from the first event.

:data:`PLAN_SCHEMA` is the plan's schema version: raise it whenever a field of the plan
(or of a view inside it) is added, removed or changes meaning, so that older snapshots
are ignored rather than half-read (a test pins the fields it was set for).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from perhetyo.projections.current_plan import CurrentPlan

__all__ = ["PLAN_SCHEMA", "dump", "load"]

PLAN_SCHEMA: Final = 1
"""The version of :class:`CurrentPlan`'s snapshot shape (see the module docstring)."""

_STORED: Final = {"stored": True}


def dump(plan: CurrentPlan) -> dict[str, Any]:
    """The plan as a JSON-ready dict."""
    return plan.model_dump(mode="json")


def load(
    data: dict[str, Any], decode: Callable[[dict[str, Any]], Any] | None = None
) -> CurrentPlan:
    """The plan ``dump`` made, validated whole (or ``ValueError``: nothing half-read).

    ``decode`` is a faster decoder of stored plans (the trusted decoder of
    :mod:`perhetyo.persistence.trusted`: types checked, our own output not re-checked).
    """
    if decode is not None:
        plan = decode(data)
        if not isinstance(plan, CurrentPlan):
            raise TypeError("not a plan")
        return plan
    return CurrentPlan.model_validate(data, context=_STORED)
