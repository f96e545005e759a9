"""The typed user's service runs (mypy --strict checks it: see user_service.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from user_service import run

from perhetyo import FamilyCases
from perhetyo.testing import FakeClock

ROOT = Path(__file__).resolve().parents[2]


def test_the_typed_user_service_runs_on_the_in_memory_store() -> None:
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        summary = run(cases)
    assert summary == {
        "open": 1,
        "goals": 1,
        "achieved": 0,
        "events": 5,
        "audit_entries": 5,
        "deadlines": summary["deadlines"],
        "refused": 1,
    }


def test_mypy_checks_the_typed_user_service_strictly() -> None:
    """``make typecheck`` runs mypy --strict over these files: this module is in them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    assert "tests" in config["files"]
    assert "examples" in config["files"]
