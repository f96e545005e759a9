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
    allowed = ("perhetyo.events", "perhetyo.values")
    assert all(module.startswith(allowed) for module in perhetyo_imports(path))


@pytest.mark.parametrize("name", ["current_plan.py", "goal_progress.py", "audit_trail.py"])
def test_the_folds_import_only_events_and_values(name: str) -> None:
    allowed = ("perhetyo.events", "perhetyo.values")
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
