"""The documentation is true: its code runs, and the glossary and catalogue cover the API."""

from __future__ import annotations

import inspect
import os
import re
from enum import StrEnum
from pathlib import Path

import pytest

import perhetyo
from perhetyo.events import EVENT_CLASSES
from perhetyo.values import finnish_label

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DOC_FILES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
NOT_RUN = "# not run"
"""A block whose first line is this is shown, not run (for example a PostgreSQL URL)."""

_FENCE = re.compile(r"^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?:#[^)]*)?\)")
README_TOP = """\
# perhetyo

```sh
make demo   # sets up .venv, records the blog post's story into perhetyo-demo.db, prints it
make test   # sets up .venv, runs ruff, mypy --strict and every test
```
"""


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """Each ```python block of ``path`` with the line its code starts on."""
    text = path.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start("code")) + 1, match.group("code"))
        for match in _FENCE.finditer(text)
    ]


def public_classes() -> list[str]:
    return [name for name in perhetyo.__all__ if inspect.isclass(getattr(perhetyo, name))]


def glossary_rows() -> list[list[str]]:
    """The cells of the glossary's table rows (header and separator left out)."""
    lines = (DOCS / "glossary.md").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def _label(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", DOC_FILES, ids=_label)
def test_python_blocks_run_in_order_in_one_namespace(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    saved_environment = dict(os.environ)
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    try:
        for line, code in python_blocks(path):
            if code.lstrip().startswith(NOT_RUN):
                continue
            # Pad with blank lines so that a traceback points at the line in the document.
            compiled = compile("\n" * (line - 1) + code, str(path), "exec")
            exec(compiled, namespace)  # noqa: S102 (running the documentation is the test)
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)


@pytest.mark.parametrize("name", ["README.md", "docs/quickstart.md", "docs/concepts.md"])
def test_pages_with_code_have_runnable_blocks(name: str) -> None:
    blocks = python_blocks(ROOT / name)
    runnable = [code for _, code in blocks if not code.lstrip().startswith(NOT_RUN)]
    assert runnable
    assert len(blocks) - len(runnable) <= 1  # "# not run" is for the rare block that cannot


def test_readme_starts_with_the_two_make_commands() -> None:
    assert (ROOT / "README.md").read_text(encoding="utf-8").startswith(README_TOP)


@pytest.mark.parametrize("path", DOC_FILES, ids=_label)
def test_links_between_pages_resolve(path: Path) -> None:
    for match in _LINK.finditer(path.read_text(encoding="utf-8")):
        assert (path.parent / match.group("target")).is_file(), match.group("target")


def test_glossary_is_one_table_of_four_columns() -> None:
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    tables = re.findall(r"(?:^\|.*\n)+", text, re.MULTILINE)
    assert len(tables) == 1
    assert tables[0].startswith("| English | Finnish | definition | legal source |")
    assert all(len(row) == 4 and all(row) for row in glossary_rows())


def test_every_public_class_is_in_the_glossary() -> None:
    first_column = {row[0].strip("`") for row in glossary_rows()}

    missing = sorted(set(public_classes()) - first_column)

    assert not missing, f"add to docs/glossary.md: {', '.join(missing)}"


def test_the_glossary_names_only_public_names() -> None:
    named = [row[0].strip("`") for row in glossary_rows() if row[0].startswith("`")]

    assert sorted(set(named) - set(perhetyo.__all__)) == []
    assert len(named) == len(set(named))


def _enumerations() -> list[type[StrEnum]]:
    classes = (getattr(perhetyo, name) for name in public_classes())
    return [cls for cls in classes if issubclass(cls, StrEnum)]


def test_the_glossary_gives_each_enumeration_member_its_finnish_label() -> None:
    """Members sharing a value (``OTHER`` is ``"other"`` thrice) keep their own labels."""
    rows = {row[0].strip("`"): row for row in glossary_rows()}
    for enum in _enumerations():
        for member in enum:
            assert f"{member.name} ({finnish_label(member)})" in rows[enum.__name__][2]


def test_the_glossary_marks_the_yearly_review_as_not_verified() -> None:
    plan = next(row for row in glossary_rows() if row[1] == "asiakassuunnitelma")
    assert "**not verified**" in plan[2]


def test_concepts_lists_every_event_with_its_topic_and_labels() -> None:
    text = (DOCS / "concepts.md").read_text(encoding="utf-8")
    for topic, event_class in EVENT_CLASSES.items():
        row = f"| `{event_class.__name__}` | `{topic}` | {event_class.LABEL_FI} | "
        assert row + f"{event_class.LABEL_EN} | `{event_class.DATE_FIELD}` |" in text, topic
