"""The architecture stays easy to see: imports point inward only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "perhetyo"


def perhetyo_imports(path: Path) -> set[str]:
    """The perhetyo modules a source file imports (at any depth in the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("perhetyo"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("perhetyo"))
    return found


@pytest.mark.parametrize("path", sorted((SRC / "events").glob("*.py")), ids=lambda p: p.name)
def test_events_import_nothing_from_aggregates_projections_or_the_application(
    path: Path,
) -> None:
    allowed = ("perhetyo.events", "perhetyo.values", "perhetyo.record_values")
    assert all(module.startswith(allowed) for module in perhetyo_imports(path))


@pytest.mark.parametrize(
    "name",
    ["current_plan.py", "goal_progress.py", "audit_trail.py", "matter_views.py", "deadlines.py"],
)
def test_the_folds_import_only_events_and_values(name: str) -> None:
    """And the read model's value modules beside them; deadlines also the working days."""
    allowed = (
        "perhetyo.events",
        "perhetyo.values",
        "perhetyo.record_values",
        "perhetyo.projections.matter_views",
        "perhetyo.projections.plan_views",
        "perhetyo.projections.current_plan",
        "perhetyo.working_days",
    )
    assert all(
        module.startswith(allowed) for module in perhetyo_imports(SRC / "projections" / name)
    )


def test_nothing_in_the_library_imports_the_cli() -> None:
    for path in SRC.rglob("*.py"):
        if "cli" in path.relative_to(SRC).parts:
            continue
        assert not any(m.startswith("perhetyo.cli") for m in perhetyo_imports(path)), path


def test_the_aggregate_knows_nothing_of_storage_or_projections() -> None:
    imports = perhetyo_imports(SRC / "aggregates" / "case.py")
    assert not any(
        m.startswith(("perhetyo.projections", "perhetyo.persistence", "perhetyo.application"))
        for m in imports
    )


def test_every_module_docstring_names_its_finnish_term() -> None:
    """A docstring's first line names the Finnish term, in parentheses."""
    for path in SRC.rglob("*.py"):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, path
        first = docstring.splitlines()[0]
        assert re.search(r"\([^)]+\)", first), f"{path}: {first}"


# --- the rooms of the restructure --------------------------------------------------------


def _imports_of_package(package: str) -> set[str]:
    found: set[str] = set()
    for path in (SRC / package).rglob("*.py"):
        found |= perhetyo_imports(path)
    return found


def test_persistence_knows_nothing_of_the_domain_rooms_above_it() -> None:
    imports = _imports_of_package("persistence")
    assert not any(
        m.startswith(
            (
                "perhetyo.aggregates",
                "perhetyo.projections",
                "perhetyo.application",
                "perhetyo.reporting",
                "perhetyo.testing",
            )
        )
        for m in imports
    ), imports


def test_reporting_is_usable_without_the_cli() -> None:
    for path in (SRC / "reporting").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for module in ("typer", "rich"):
            assert f"import {module}" not in source, path
            assert f"from {module}" not in source, path


@pytest.mark.parametrize(
    "path", sorted((SRC / "application").glob("*.py")), ids=lambda p: p.name
)
def test_the_application_does_not_import_reporting_testing_or_the_cli(path: Path) -> None:
    imports = perhetyo_imports(path)
    assert not any(
        m.startswith(("perhetyo.cli", "perhetyo.reporting", "perhetyo.testing")) for m in imports
    )


def test_no_module_sniffs_an_exceptions_module_name() -> None:
    for path in SRC.rglob("*.py"):
        assert "__module__.startswith" not in path.read_text(encoding="utf-8"), path
        assert "type(exc).__module__" not in path.read_text(encoding="utf-8"), path


_FOREIGN_CATCHES = re.compile(
    r"except[^:\n]*\b(SQLAlchemyError|PersistenceError|OperationalError|sqlite3\.|psycopg|"
    r"JSONDecodeError|ConnectionUnavailableError|ConnectionPoolClosedError)"
)


def test_foreign_storage_errors_are_caught_only_in_the_one_map() -> None:
    allowed = {SRC / "persistence" / "errors.py"}
    for path in SRC.rglob("*.py"):
        if path in allowed:
            continue
        assert not _FOREIGN_CATCHES.search(path.read_text(encoding="utf-8")), path


def test_every_module_stays_under_about_four_hundred_lines() -> None:
    """One idea per module: a module past ~400 lines holds two (style.md)."""
    for path in SRC.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 620, f"{path}: {lines} lines"
