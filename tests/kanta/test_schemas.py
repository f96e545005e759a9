"""The vendored schemas: one per structure produced, valid draft-07, with their licence."""

from __future__ import annotations

from importlib import resources

import pytest
from jsonschema import Draft7Validator

from perhetyo.kanta import CODE_SETS, STRUCTURES, KantaCodes, KantaContext
from perhetyo.kanta.validation import schema

SCHEMAS = resources.files("perhetyo.kanta").joinpath("schemas")


@pytest.mark.parametrize("oid", sorted(STRUCTURES))
def test_each_structure_has_its_vendored_draft_7_schema(oid: str) -> None:
    loaded = schema(oid)

    Draft7Validator.check_schema(loaded)
    assert loaded["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert loaded["sosmeta"]["oid"] == oid
    assert loaded["required"] == [STRUCTURES[oid].root]


def test_the_schemas_travel_with_their_licence_and_source() -> None:
    assert "MIT License" in SCHEMAS.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "juntunen-ai/sosmeta" in SCHEMAS.joinpath("SOURCE.md").read_text(encoding="utf-8")
    vendored = {path.name for path in SCHEMAS.iterdir() if path.name.endswith(".json")}
    assert vendored == {structure.schema_file for structure in STRUCTURES.values()}


def test_the_code_sets_are_the_ones_the_schemas_name() -> None:
    patterns = " ".join(
        str(schema(oid)) for oid in STRUCTURES
    )
    for code_set in CODE_SETS.values():
        assert code_set.oid.replace(".", "\\\\.") in patterns, code_set.oid


def test_the_testing_codes_and_context_are_obviously_fake() -> None:
    codes = KantaCodes.for_testing()
    assert all(code.code.startswith("TEST-") for code in codes.values())
    assert all(code.display.startswith("TESTI ") for code in codes.values())
    context = KantaContext.for_testing()
    assert context.signature_type_code == "TEST-SIGNATURE"
    assert context.contact_person.surname == "Testaaja"
