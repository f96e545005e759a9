"""Figures on PostgreSQL (PostgreSQL-tilastot), and no personal data in any figure.

The PostgreSQL test reuses the suite's schema-per-test fixture (``postgres_url``).
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from figures.helpers import READER, all_events, assert_stored_equals_fold
from figures.year import clock_after, generate_year
from perhetyo import FamilyCases, InvalidCommandError, generate_key
from perhetyo.projections import caseload_from_events

MARKER = "QxFigurePrivacyMarker"


@pytest.mark.postgres
def test_postgres_gives_the_folds_figures(postgres_url: str) -> None:
    with FamilyCases(postgres_url, clock=clock_after(2024)) as cases:
        case_ids = generate_year(cases, year=2024, n_cases=80, seed=3)
        figures = assert_stored_equals_fold(cases, case_ids, 2024)
        assert assert_stored_equals_fold(cases, case_ids, 2023).children > 0
        for on in (date(2024, 1, 1), date(2024, 6, 30), date(2024, 12, 31)):
            loads = cases.caseload(on=on, actor=READER, limit=2)
            assert loads == caseload_from_events(all_events(cases, case_ids), on=on, limit=2)
    assert figures.children > 80
    assert any(half.matters for half in figures.assessments)


@pytest.mark.parametrize("master_key", [None, generate_key()], ids=["plain", "encrypted"])
def test_no_name_or_text_reaches_figures_logs_or_errors(
    master_key: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="perhetyo")
    with FamilyCases("memory://", clock=clock_after(2024), master_key=master_key) as cases:
        case_ids = generate_year(cases, year=2024, n_cases=30, seed=5, marker=MARKER)
        figures = assert_stored_equals_fold(cases, case_ids, 2024)
        loads = cases.caseload(on=date(2024, 12, 31), actor=READER)
        with pytest.raises(InvalidCommandError) as refused:
            cases.statistics(year=MARKER, actor=READER)  # type: ignore[arg-type]  # on purpose
    shown = [
        repr(figures),
        figures.model_dump_json(),
        repr(loads),
        *(load.model_dump_json() for load in loads),
        str(refused.value),
        repr(refused.value.errors),
        caplog.text,
    ]
    assert figures.children > 0
    assert not [text for text in shown if MARKER in text]
