"""Luotettu purku (trusted decoding): stored events rebuilt without re-checking them.

Every stored event was validated when it was written, and the tamper-evident chain
(:mod:`perhetyo.persistence.chain`) refuses an edited one before it is decoded. What
``model_validate`` would run again on the way back only re-checks our own output: the
Python validators (the identity-code screen on ids, the NUL screen on text, the date
check) and the string constraints (lengths, patterns, stripping). :func:`decoder_for`
builds, once per event class, a pydantic-core validator from the class's own core schema
without those: types are still converted and checked in pydantic-core (dates, aware
datetimes, UUIDs, enumerations, ints, nested models, tuples; unknown fields refused,
required ones demanded), and each model is then made without calling its ``__init__``.

A payload that does not decode this way raises ``ValueError`` (pydantic's
``ValidationError``): the codec then validates it in full, and reports what is corrupt as
:class:`~perhetyo.errors.CorruptRecordError`, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from pydantic import BaseModel
from pydantic_core import SchemaValidator, core_schema

__all__ = ["Decoder", "JsonDecoder", "decoder_for", "json_decoder_for"]

Decoder = Callable[[dict[str, Any]], Any]
"""Stored JSON dict -> model (raises ValueError when the dict is not as we write it)."""

JsonDecoder = Callable[[bytes, Any, int], Any]
"""Stored JSON bytes, originator id (a UUID), version -> event (or ValueError)."""

_COLUMNS: Final = ("originator_id", "originator_version")
"""An event's fields that are stored as columns, not in its JSON."""
_VERSION: Final = "class_version"
"""The key of an event's class version in its stored JSON (when above 1)."""

_CONSTRAINTS: Final = frozenset(
    {"pattern", "min_length", "max_length", "strip_whitespace", "to_lower", "to_upper", "ge"}
)
"""Constraints of ``str`` and ``int`` schemas that only re-check our own output."""
_PYTHON_VALIDATORS: Final = frozenset({"function-after", "function-before", "function-wrap"})


def _maker(cls: type[BaseModel]) -> Callable[[tuple[dict[str, Any], Any, set[str]]], Any]:
    """Make a ``cls`` from validated fields, as ``model_construct`` does (no ``__init__``)."""
    new = object.__new__
    assign = object.__setattr__
    every = set(cls.model_fields)
    count = len(every)

    def make(validated: tuple[dict[str, Any], Any, set[str]]) -> Any:
        values, _, fields_set = validated
        if len(fields_set) == count:  # all set (as we write them): one set for all
            fields_set = every
        model = new(cls)
        assign(model, "__dict__", values)
        assign(model, "__pydantic_fields_set__", fields_set)
        assign(model, "__pydantic_extra__", None)
        assign(model, "__pydantic_private__", None)
        return model

    return make


def _trusted(node: Any) -> Any:
    """A copy of a core schema without Python validators and re-checking constraints.

    A ``model`` becomes its fields' schema (unknown fields refused) followed by
    :func:`_maker`: pydantic-core would otherwise reuse the class's own, full validator.
    """
    if isinstance(node, list):
        return [_trusted(item) for item in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if kind in _PYTHON_VALIDATORS:
        return _trusted(node["schema"])
    if kind == "model":
        fields = _trusted(node["schema"])
        fields["extra_behavior"] = "forbid"
        return core_schema.no_info_after_validator_function(
            _maker(node["cls"]), fields, ref=node.get("ref")
        )
    return {
        key: _trusted(value)
        for key, value in node.items()
        if not (kind in {"str", "int"} and key in _CONSTRAINTS)
    }


_DECODERS: dict[type[BaseModel], Decoder] = {}
"""Each event class's decoder, built on first use (classes are few)."""


def decoder_for(cls: type[BaseModel]) -> Decoder:
    """The trusted decoder of ``cls``: its stored JSON dict to a ``cls``."""
    decoder = _DECODERS.get(cls)
    if decoder is None:
        schema = cls.__pydantic_core_schema__
        decoder = SchemaValidator(_trusted(schema), schema.get("config")).validate_python
        _DECODERS[cls] = decoder
    return decoder


_JSON_DECODERS: dict[type[BaseModel], JsonDecoder | None] = {}


def json_decoder_for(cls: type[BaseModel]) -> JsonDecoder | None:
    """The trusted decoder of an event class straight from its stored JSON bytes (parsed
    and validated in pydantic-core, no dict in between), the originator columns added;
    None for a class whose schema is not a model (or a model with its definitions).

    A class with ``class_version`` > 1 decodes only JSON that carries its current
    ``class_version`` (as this version writes it); older JSON raises ``ValueError``, and
    the codec upcasts it on its dict path."""
    if cls in _JSON_DECODERS:
        return _JSON_DECODERS[cls]
    schema = cls.__pydantic_core_schema__
    definitions: list[Any] | None = None
    if schema.get("type") == "definitions":  # a model whose nested models are shared
        definitions = _trusted(schema["definitions"])
        schema = schema["schema"]
    decoder: JsonDecoder | None = None
    if schema.get("type") == "model":
        current: int = getattr(cls, "class_version", 1)
        fields = _trusted(schema["schema"])
        fields["extra_behavior"] = "forbid"
        for name in _COLUMNS:  # not in the JSON: given by the caller
            field = dict(fields["fields"][name])
            field["schema"] = core_schema.with_default_schema(field["schema"], default=None)
            fields["fields"] = {**fields["fields"], name: field}
        if current > 1:  # the stored class version, checked below (never a field)
            fields["fields"] = {
                **fields["fields"],
                _VERSION: core_schema.model_field(
                    core_schema.with_default_schema(core_schema.int_schema(), default=1)
                ),
            }
        top = fields if definitions is None else core_schema.definitions_schema(fields, definitions)
        validate = SchemaValidator(top, schema.get("config")).validate_json
        new = object.__new__
        assign = object.__setattr__
        every = set(cls.model_fields)
        count = len(every)

        def decode(data: bytes, originator_id: Any, version: int) -> Any:
            values, _, fields_set = validate(data)
            if current > 1:
                if values.pop(_VERSION) != current:
                    raise ValueError("an older class version: upcast first")
                fields_set.discard(_VERSION)
            values["originator_id"] = originator_id
            values["originator_version"] = version
            fields_set.update(_COLUMNS)
            if len(fields_set) == count:
                # Every field set, as we write them: one set shared by the class's events
                # (pydantic copies it before it changes it), not one more object each,
                # so a case's decoded events lie closer together in memory.
                fields_set = every
            model = new(cls)
            assign(model, "__dict__", values)
            assign(model, "__pydantic_fields_set__", fields_set)
            assign(model, "__pydantic_extra__", None)
            assign(model, "__pydantic_private__", None)
            return model

        decoder = decode
    _JSON_DECODERS[cls] = decoder
    return decoder
