"""``perhetyo kanta``: one JSON file per document, mode 0600, none written if one is invalid."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from uuid import UUID

import pytest
from jsonschema import Draft7Validator
from typer.testing import CliRunner, Result

from perhetyo import FamilyCases, InvalidKantaDocumentError, KantaDocument
from perhetyo.application.kanta import KantaCalls
from perhetyo.cli import ERROR_EXIT_CODE, app
from perhetyo.cli.kanta import write_documents
from perhetyo.kanta import STRUCTURES, KantaCodes, KantaContext, validate
from perhetyo.kanta.validation import schema
from perhetyo.testing import DEMO_READER, StoryClock, record_demo_story

from .support import CODES, CONTEXT, IDENTITY_CODE, Everyone

_ENV = {"COLUMNS": "200", "NO_COLOR": "1", "PERHETYO_URL": None}


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=_ENV)


@pytest.fixture
def demo(tmp_path: Path) -> tuple[str, UUID, list[str]]:
    """A demo store on a SQLite file, its case id and the host files' options."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    clock = StoryClock()
    with FamilyCases(url, clock=clock) as cases:
        case_id = record_demo_story(cases, clock)
        events = cases.history(case_id, actor=DEMO_READER)
    ids = {event.actor.id for event in events} | {"demo-sw-1"}
    for event in events:
        ids |= {child.id for child in getattr(event, "children", ())}
        child = getattr(event, "child", None)
        if child is not None:
            ids.add(child.id)
    people = {
        person_id: {"surname": "Meikäläinen", "first_names": "Testi"}
        | ({"personal_identity_code": IDENTITY_CODE} if "child" in person_id else {})
        for person_id in sorted(ids)
    }
    files = tmp_path / "host"
    files.mkdir()
    (files / "people.json").write_text(json.dumps(people), encoding="utf-8")
    (files / "codes.json").write_text(
        json.dumps({key: code.code for key, code in KantaCodes.for_testing().items()}),
        encoding="utf-8",
    )
    (files / "context.json").write_text(
        KantaContext.for_testing().model_dump_json(), encoding="utf-8"
    )
    options = [
        "--url", url, "--actor", "archivist-1",
        "--people", str(files / "people.json"),
        "--codes", str(files / "codes.json"),
        "--context", str(files / "context.json"),
    ]
    return url, case_id, options


def test_kanta_writes_one_valid_file_per_document_with_mode_0600(
    demo: tuple[str, UUID, list[str]], tmp_path: Path
) -> None:
    url, case_id, options = demo
    out = tmp_path / "out"

    result = _run("kanta", str(case_id), *options, "--out", str(out))

    assert result.exit_code == 0, result.output
    files = sorted(out.iterdir())
    with FamilyCases(url) as cases:
        expected = cases.kanta_documents(
            case_id, actor=DEMO_READER, people=Everyone(), codes=CODES, context=CONTEXT
        )
    assert [file.name for file in files] == [
        f"{n:03d}-{d.short_name}-{d.occurred_on.isoformat()}.json"
        for n, d in enumerate(expected, 1)
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        short = file.name.split("-")[1]
        body = json.loads(file.read_text(encoding="utf-8"))
        oid = next(oid for oid, known in STRUCTURES.items() if known.short == short)
        assert not list(Draft7Validator(schema(oid)).iter_errors(body))
    assert "1.2.246.537.6.1506.15007.2024.11.28" in result.output
    assert IDENTITY_CODE not in result.output


def test_kanta_refuses_a_people_file_without_a_person(
    demo: tuple[str, UUID, list[str]], tmp_path: Path
) -> None:
    _url, case_id, options = demo
    people = Path(options[options.index("--people") + 1])
    registry = json.loads(people.read_text(encoding="utf-8"))
    del registry["demo-child-2"]
    people.write_text(json.dumps(registry), encoding="utf-8")
    out = tmp_path / "out"

    result = _run("kanta", str(case_id), *options, "--out", str(out))

    assert result.exit_code == ERROR_EXIT_CODE
    assert "kanta_unknown_person" in result.output
    assert "demo-child-2" in result.output
    assert not out.exists() or not list(out.iterdir())


def test_kanta_refuses_bad_json_naming_the_file_only(
    demo: tuple[str, UUID, list[str]], tmp_path: Path
) -> None:
    _url, case_id, options = demo
    codes = Path(options[options.index("--codes") + 1])
    codes.write_text("{SALAINEN", encoding="utf-8")

    result = _run("kanta", str(case_id), *options, "--out", str(tmp_path / "out"))

    assert result.exit_code == ERROR_EXIT_CODE
    assert "codes.json is not valid JSON" in " ".join(result.output.split())
    assert "SALAINEN" not in result.output


def test_kanta_writes_nothing_when_one_document_does_not_validate(
    demo: tuple[str, UUID, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _url, case_id, options = demo
    produce = KantaCalls.kanta_documents

    def one_broken(self: KantaCalls, *args: object, **kwargs: object) -> list[KantaDocument]:
        documents = produce(self, *args, **kwargs)  # type: ignore[arg-type]
        last = documents[-1]
        broken = last.model_copy(update={"body": {last.structure.root: {}}})
        return [*documents[:-1], broken]

    monkeypatch.setattr(KantaCalls, "kanta_documents", one_broken)
    out = tmp_path / "out"

    result = _run("kanta", str(case_id), *options, "--out", str(out))

    assert result.exit_code == ERROR_EXIT_CODE
    assert "kanta_invalid_document" in result.output
    assert not out.exists()


def test_write_documents_refuses_an_invalid_document_before_writing_any(
    tmp_path: Path,
) -> None:
    clock = StoryClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = record_demo_story(cases, clock)
        documents = cases.kanta_documents(
            case_id, actor=DEMO_READER, people=Everyone(), codes=CODES, context=CONTEXT
        )
    for document in documents:
        validate(document)
    broken = documents[0].model_copy(update={"body": {}})

    with pytest.raises(InvalidKantaDocumentError):
        write_documents([*documents, broken], tmp_path / "out")

    assert not (tmp_path / "out").exists()
