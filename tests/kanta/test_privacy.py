"""Producing documents writes no identity to the store or the logs (tietosuoja).

A marker is planted in every name and identity code the people resolver gives; the
documents carry it (they are for the archive), but no stored byte, log line at DEBUG,
access-log entry or error message does.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from perhetyo import FamilyCases, PersonIdentity, UnknownPersonError
from perhetyo.kanta import validate
from perhetyo.testing import StoryClock, record_demo_story
from perhetyo.testing.story import DEMO_READER

from .support import CODES, CONTEXT

MARKER = "MERKKIJONO"
IDENTITY_CODE = "010203A9987"  # a code of its own, with a valid check character


def _marked(person_id: str) -> PersonIdentity:
    return PersonIdentity(
        surname=f"{MARKER}suku",
        first_names=f"{MARKER}etu",
        personal_identity_code=IDENTITY_CODE,
    )


def _everything_stored(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file())


def test_the_identities_go_into_the_documents_and_nowhere_else(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = tmp_path / "store"
    store.mkdir()
    clock = StoryClock()
    url = f"sqlite:///{store / 'cases.db'}"
    with caplog.at_level(logging.DEBUG, logger="perhetyo"), FamilyCases(url, clock=clock) as cases:
        case_id = record_demo_story(cases, clock)
        documents = cases.kanta_documents(
            case_id, actor=DEMO_READER, people=_marked, codes=CODES, context=CONTEXT,
            purpose="Kanta-arkistointi",
        )
        cases.update_projections()
        entries = cases.access_log(case_id, actor=DEMO_READER)

    assert documents
    for document in documents:
        validate(document)
    assert MARKER in str([document.body for document in documents])
    assert IDENTITY_CODE in str([document.body for document in documents])
    for document in documents:  # a document's repr leaves its body out
        assert MARKER not in repr(document)
        assert IDENTITY_CODE not in repr(document)
    raw = _everything_stored(store)
    for secret in (MARKER, IDENTITY_CODE):
        assert secret.encode() not in raw
        assert secret not in caplog.text
        assert secret not in str(entries)
    assert caplog.records  # the store logged, and none of it carries an identity


def test_an_error_while_producing_carries_no_identity(caplog: pytest.LogCaptureFixture) -> None:
    clock = StoryClock()

    def only_children(person_id: str) -> PersonIdentity | None:
        return _marked(person_id) if person_id.startswith("demo-child") else None

    with caplog.at_level(logging.DEBUG, logger="perhetyo"), FamilyCases(
        "memory://", clock=clock
    ) as cases:
        case_id = record_demo_story(cases, clock)
        with pytest.raises(UnknownPersonError) as raised:
            cases.kanta_documents(
                case_id, actor=DEMO_READER, people=only_children, codes=CODES, context=CONTEXT
            )

    for text in (str(raised.value), repr(raised.value)):
        assert MARKER not in text
        assert IDENTITY_CODE not in text
    assert raised.value.__cause__ is None
    assert MARKER not in caplog.text
