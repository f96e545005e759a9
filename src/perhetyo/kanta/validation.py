"""Schema validation (rakenteen tarkistus): a document against THL's own JSON Schema.

Every structure's schema (draft-07) is vendored in ``schemas/`` (see ``SOURCE.md``) and
checked with jsonschema's :class:`~jsonschema.Draft7Validator`. A failure is an
:class:`~perhetyo.errors.InvalidKantaDocumentError` that names the JSON paths and the
failing schema keywords, never the values there (they are personal data).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator

from perhetyo.errors import InvalidKantaDocumentError
from perhetyo.kanta.document import KantaDocument
from perhetyo.kanta.structures import STRUCTURES

__all__ = ["problems", "schema", "validate", "validator"]

_MAX_PROBLEMS = 20


@functools.cache
def schema(structure_oid: str) -> dict[str, Any]:
    """The vendored JSON Schema of a structure (KeyError for one perhetyo does not produce)."""
    structure = STRUCTURES[structure_oid]
    text = resources.files("perhetyo.kanta").joinpath("schemas", structure.schema_file)
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def validator(structure_oid: str) -> Draft7Validator:
    """A draft-07 validator of the structure's schema (the schema itself checked once)."""
    loaded = schema(structure_oid)
    Draft7Validator.check_schema(loaded)
    return Draft7Validator(loaded)


def problems(structure_oid: str, body: dict[str, Any]) -> list[str]:
    """Where ``body`` fails the structure's schema: ``path: keyword`` lines, no values."""
    found = sorted(
        validator(structure_oid).iter_errors(body), key=lambda error: list(error.absolute_path)
    )
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.validator}"
        for error in found[:_MAX_PROBLEMS]
    ]


def validate(document: KantaDocument) -> None:
    """Check ``document.body`` against its structure's schema (jsonschema, draft-07).

    Raises :class:`~perhetyo.errors.InvalidKantaDocumentError` naming the failing paths
    and keywords (never the values) when it does not validate, or when perhetyo has no
    schema for the structure.
    """
    if document.structure_oid not in STRUCTURES:
        raise InvalidKantaDocumentError(document.structure_oid, ["(root): unknown structure"])
    found = problems(document.structure_oid, document.body)
    if found:
        raise InvalidKantaDocumentError(document.structure_oid, found)
