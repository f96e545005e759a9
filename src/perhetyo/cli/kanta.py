"""The kanta command (Kanta-asiakirjat): a case's Kanta documents as JSON files.

::

    perhetyo kanta CASE_ID --actor ID --people people.json --codes codes.json
                   --context context.json --out DIR [--purpose TEXT] [--url URL]

A thin shell over :meth:`perhetyo.FamilyCases.kanta_documents`: it reads the host's three
files (formats in docs/kanta.md), produces the case's documents (a read of the case,
logged for ``--actor``), checks every one against its schema and only then writes them,
one file per document, each the structure's JSON body, into a private directory (0700)
with mode 0600 (:mod:`perhetyo.reporting.files`). If any document does not validate,
none is written. The files hold client data: names and identity codes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Final
from uuid import UUID

import typer
from rich.console import RenderableType

from perhetyo.application import FamilyCases
from perhetyo.cli.app import StoreUrl, make_console, require_existing_store
from perhetyo.cli.render import plain, titled_table
from perhetyo.errors import ConfigurationError, InvalidCommandError
from perhetyo.kanta import KantaCodes, KantaContext, KantaDocument, PersonIdentity, validate
from perhetyo.persistence import DEFAULT_URL
from perhetyo.reporting.files import create_exclusively, file_errors, open_private_directory
from perhetyo.values import Actor, contains_personal_identity_code

__all__ = ["KANTA_REMINDER", "file_name", "kanta", "read_codes", "read_context", "read_people",
           "write_documents"]

KANTA_REMINDER: Final = (
    "Huom: asiakirjat sisältävät asiakastietoja (nimiä ja henkilötunnuksia). Käsittele, "
    "säilytä ja hävitä tiedostot asiakastietoina."
)


def _read_json(path: Path, what: str) -> Any:
    """A file's JSON; a missing or unreadable file or bad JSON is a ConfigurationError that
    names the file only (never its content)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problem = type(exc).__name__
        raise ConfigurationError(f"cannot read the {what} file {path}: {problem}") from None
    try:
        return json.loads(text)
    except ValueError:
        raise ConfigurationError(f"the {what} file {path} is not valid JSON") from None


def _an_object(value: object, path: Path, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigurationError(f"the {what} file {path} must hold one JSON object")
    return value


def read_people(path: Path) -> dict[str, PersonIdentity]:
    """people.json: ``{person id: {"surname", "first_names", "personal_identity_code" |
    "temporary_id"}}``; a bad entry is refused naming its id and fields only."""
    people = _an_object(_read_json(path, "people"), path, "people")
    found: dict[str, PersonIdentity] = {}
    for person_id, fields in people.items():
        if contains_personal_identity_code(person_id):
            raise ConfigurationError(
                f"people file {path}: a key holds a personal identity code: key people by "
                "the registry's opaque ids"
            )
        if not isinstance(fields, dict):
            raise ConfigurationError(f"people file {path}: {person_id} must be an object")
        try:
            found[person_id] = PersonIdentity(**fields)
        except InvalidCommandError as exc:
            raise ConfigurationError(f"people file {path}: {person_id}: {exc}") from None
        except TypeError:
            raise ConfigurationError(f"people file {path}: {person_id} has bad fields") from None
    return found


def read_codes(path: Path) -> KantaCodes:
    """codes.json: ``{"EnumName.MEMBER": "code" | {"code": ..., "display": ...}}``."""
    return KantaCodes(_an_object(_read_json(path, "codes"), path, "codes"))


def read_context(path: Path) -> KantaContext:
    """context.json: the :class:`~perhetyo.kanta.KantaContext` fields (docs/kanta.md)."""
    fields = _an_object(_read_json(path, "context"), path, "context")
    try:
        return KantaContext(**fields)
    except TypeError:
        raise ConfigurationError(f"the context file {path} has bad fields") from None


def file_name(number: int, document: KantaDocument) -> str:
    """``NNN-<short>-<date>.json``: the order, the structure and the date; no personal data."""
    return f"{number:03d}-{document.short_name}-{document.occurred_on.isoformat()}.json"


def write_documents(documents: Sequence[KantaDocument], out: Path) -> list[Path]:
    """Validate every document, then write each body as one file (0600) into ``out``.

    A document that does not validate is refused (InvalidKantaDocumentError) before any
    file is written; an existing file is never overwritten (ConfigurationError).
    """
    for document in documents:
        validate(document)
    written: list[Path] = []
    fd = open_private_directory(out)
    try:
        for number, document in enumerate(documents, 1):
            name = file_name(number, document)
            data = json.dumps(document.body, ensure_ascii=False, indent=2).encode("utf-8")
            file_fd = create_exclusively(fd, out, name)
            with file_errors(out), os.fdopen(file_fd, "wb") as file:
                file.write(data + b"\n")
            written.append(out / name)
    finally:
        os.close(fd)
    return written


def _render(documents: Sequence[KantaDocument], paths: Sequence[Path]) -> RenderableType:
    table = titled_table("Kanta-asiakirjat", "Tiedosto", "Rakenne (OID)", "Asiakirja", "Päivä")
    for document, path in zip(documents, paths, strict=True):
        table.add_row(
            plain(path.name),
            plain(document.structure_oid),
            plain(document.title),
            document.occurred_on.isoformat(),
        )
    return table


def kanta(  # noqa: PLR0917 (typer reads the options from the signature)
    case_id: Annotated[UUID, typer.Argument(help="Asiakkuuden tunniste (UUID).")],
    out: Annotated[
        Path,
        typer.Option("--out", help="Hakemisto, johon asiakirjat kirjoitetaan (luodaan, 0700)."),
    ],
    actor: Annotated[
        str,
        typer.Option(
            "--actor",
            envvar="PERHETYO_ACTOR",
            show_envvar=True,
            help="Muodostajan tunniste (ei nimeä): kirjataan käyttölokiin asiakkuuden lukemisena.",
        ),
    ],
    people: Annotated[
        Path, typer.Option("--people", help="people.json: henkilöiden nimet ja tunnisteet.")
    ],
    codes: Annotated[
        Path, typer.Option("--codes", help="codes.json: kansallisten koodistojen koodiarvot.")
    ],
    context: Annotated[
        Path, typer.Option("--context", help="context.json: organisaation tiedot.")
    ],
    url: StoreUrl = DEFAULT_URL,
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="Käyttötarkoitus, joka kirjataan käyttölokiin."),
    ] = None,
) -> None:
    """Muodosta asiakkuuden Kanta-asiakirjat THL:n rakenteiden mukaisina JSON-tiedostoina.

    Jokainen asiakirja tarkistetaan rakenteen JSON-skeemaa vasten ennen kirjoittamista;
    jos yksikin ei ole rakenteen mukainen, mitään ei kirjoiteta. Tiedostot sisältävät
    asiakastietoja (nimiä, henkilötunnuksia); ne luodaan vain omistajan luettaviksi (0600).
    """
    registry = read_people(people)
    chosen_codes = read_codes(codes)
    chosen_context = read_context(context)
    reader = Actor(id=actor, name=actor)  # only the id is logged
    require_existing_store(url)
    with FamilyCases(url) as cases:
        documents = cases.kanta_documents(
            case_id,
            actor=reader,
            people=registry.get,
            codes=chosen_codes,
            context=chosen_context,
            purpose=purpose,
        )
    paths = write_documents(documents, out)
    console = make_console()
    console.print(_render(documents, paths))
    console.print(plain(KANTA_REMINDER, "bold yellow"), soft_wrap=True)
