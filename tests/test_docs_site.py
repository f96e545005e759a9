"""The documentation site (mkdocs.yml) is whole: every page in its nav, every command documented.

``make docs`` builds the site with ``--strict`` (CI runs it after ``make test``); these
tests check what the build cannot: that no page is left out of the nav, and that the
commands page keeps up with the facade.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from perhetyo import FamilyCases, commands
from perhetyo.aggregates.case import FamilyCase

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MKDOCS = ROOT / "mkdocs.yml"
COMMANDS_PAGE = DOCS / "commands.md"

_NAV_PAGE = re.compile(r"^\s*- (?:[^:\n]+: )?(?P<page>[\w./-]+\.md)\s*$", re.MULTILINE)


def nav_pages() -> list[str]:
    """The pages the nav of mkdocs.yml names, in order."""
    text = MKDOCS.read_text(encoding="utf-8")
    return [match.group("page") for match in _NAV_PAGE.finditer(text.split("\nnav:", 1)[1])]


def command_class(method_name: str) -> type[commands.Command[Any]] | None:
    """The command model a facade method of this name builds, if it records an event."""
    found = getattr(commands, "".join(part.title() for part in method_name.split("_")), None)
    if found is commands.OpenCase:
        return found
    if (
        inspect.isclass(found)
        and issubclass(found, commands.CaseCommand)
        and FamilyCase.decider(found) is not None
    ):
        return found
    return None


def command_methods() -> list[str]:
    """The public methods of FamilyCases that record an event (one per command model)."""
    return sorted(
        name
        for name, _ in inspect.getmembers(FamilyCases, inspect.isfunction)
        if not name.startswith("_") and command_class(name) is not None
    )


def test_every_page_is_in_the_nav() -> None:
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.glob("*.md")}

    missing = sorted(pages - set(nav_pages()))

    assert not missing, f"add each to the nav of mkdocs.yml (`- Title: page.md`): {missing}"


def test_the_nav_names_each_existing_page_once() -> None:
    pages = nav_pages()

    assert pages[0] == "index.md"
    assert len(pages) == len(set(pages))
    assert [page for page in pages if not (DOCS / page).is_file()] == []


def test_the_facade_has_a_method_for_every_command_model_with_rules() -> None:
    models = [getattr(commands, name) for name in commands.__all__]
    decided = {
        model
        for model in models
        if inspect.isclass(model)
        and model is not commands.CaseCommand
        and issubclass(model, commands.CaseCommand)
        and FamilyCase.decider(model) is not None
    }

    documented = {command_class(name) for name in command_methods()}

    assert decided | {commands.OpenCase} == documented
    assert "assign_named_worker" in command_methods()


@pytest.mark.parametrize("method", command_methods())
def test_every_command_of_the_facade_is_on_the_commands_page(method: str) -> None:
    text = COMMANDS_PAGE.read_text(encoding="utf-8")
    model = command_class(method)
    assert model is not None

    assert f"| `{method}` | [`{model.__name__}`][perhetyo.{model.__name__}] |" in text, (
        f"docs/commands.md: add a row for {method} (its model, event and errors)"
    )
    assert re.search(rf"^\s*(?:\w+ = )?(?:cases|private)\.{method}\(", text, re.MULTILINE), (
        f"docs/commands.md: add {method} to its group's example"
    )


def test_the_api_reference_renders_the_public_facade() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")

    assert "\n::: perhetyo\n" in text
    assert "\n::: perhetyo.FamilyCases\n" in text


def _sphinx_roles() -> Any:
    path = DOCS / "_ext" / "sphinx_roles.py"
    spec = importlib.util.spec_from_file_location("sphinx_roles", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sphinx_roles_in_docstrings_become_optional_references() -> None:
    rewrite = _sphinx_roles().rewrite

    shown = rewrite("Raises :class:`~perhetyo.errors.CaseClosedError`; see :mod:`perhetyo`::")

    assert shown == (
        'Raises <autoref identifier="perhetyo.errors.CaseClosedError" optional>'
        "<code>CaseClosedError</code></autoref>; see "
        '<autoref identifier="perhetyo" optional><code>perhetyo</code></autoref>:'
    )
