"""Configuration (asetukset): the store URL, the clock, and what is not a command."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    ConfigurationError,
    FamilyCases,
    InvalidCommandError,
    LegalBasis,
    SetGoal,
)
from perhetyo.commands import ReadCase
from perhetyo.persistence.libpq import (
    REFUSED_LIBPQ_VARIABLES,
    libpq_parameters,
    refuse_redirecting_environment,
)
from perhetyo.persistence.store import settings_for_url
from perhetyo.testing import FakeClock, a_child, a_worker, open_sample_case

from .helpers import TODAY, history, set_a_goal


def _open_with_request_id(cases: FamilyCases, actor: Actor) -> UUID:
    return cases.open_case(
        children=[a_child()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=date(2020, 8, 12),
        actor=actor,
        request_id="open-1",
    )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://x",
        "sqlite:///nonexistent-dir/x.db",
        42,
        "",
        "memory:",
        "postgresql://user@host/",
        "postgresql://user@host/db?sslmode=sometimes",
        "postgresql://user@host/db?hostaddr=10.0.0.1",
        "postgresql://user@host/db?schema=1bad",
        "postgresql://user@host/db?schema=cases%0A",
        "postgresql://user@host/db?schema=cases&schema=other",
        "postgresql://user@host/db?connect_timeout=%C2%B2",
        "postgresql://user@host/db?connect_timeout=0",
        "postgresql://user@host/db?options=-csearch_path%3Devil",
        "sqlite:///cases.db?foo=1",
        "sqlite:///cases.db?timeout=30&mode=ro",
        "sqlite:///cases.db?timeout=soon",
        "sqlite:///cases.db?timeout=1&timeout=2",
        "sqlite://user:pw@/cases.db",
        "sqlite://host/cases.db",
    ],
)
def test_a_store_url_that_is_not_understood_is_refused(url: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        FamilyCases(url=url)  # type: ignore[arg-type]

    assert isinstance(info.value, ValueError)


def test_a_sqlite_file_in_an_existing_directory_is_a_store(tmp_path: Path, actor: Actor) -> None:
    with FamilyCases(url=f"sqlite:///{tmp_path / 'cases.db'}", clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)

        assert len(cases.history(case_id, actor=actor)) == 1
    assert (tmp_path / "cases.db").exists()


def test_stray_environment_variables_do_not_redirect_a_memory_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, actor: Actor
) -> None:
    stray = tmp_path / "stray.db"
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("SQLITE_DBNAME", str(stray))
    monkeypatch.setenv("FAMILYCASES_PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("FAMILYCASES_SQLITE_DBNAME", str(stray))

    with FamilyCases(url="memory://", clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        assert len(cases.history(case_id, actor=actor)) == 1

    assert not stray.exists()


def test_a_clock_returning_a_naive_datetime_refuses_a_command_and_records_nothing(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    aware = clock.current
    clock.current = datetime(2020, 12, 31, 10, 0)  # noqa: DTZ001 (the misconfiguration under test)

    with pytest.raises(ConfigurationError):
        set_a_goal(cases, case_id, actor=actor)
    with pytest.raises(ConfigurationError):  # a read's access entry needs a time too
        history(cases, case_id)

    clock.current = aware
    assert len(history(cases, case_id)) == 1


def test_a_clock_returning_a_naive_datetime_refuses_an_opening(actor: Actor) -> None:
    naive = datetime(2020, 12, 31, 10, 0)  # noqa: DTZ001 (the misconfiguration under test)
    with FamilyCases(url="memory://", clock=lambda: naive) as cases:
        with pytest.raises(ConfigurationError):
            _open_with_request_id(cases, actor)

        with pytest.raises(LookupError):
            cases.history(cases.case_id_for_request("open-1"), actor=actor)


def test_a_clock_returning_something_else_than_a_datetime_is_a_configuration_error(
    actor: Actor,
) -> None:
    not_a_datetime = "2020-12-31"
    with FamilyCases(url="memory://", clock=lambda: not_a_datetime) as cases:  # type: ignore[arg-type, return-value]
        with pytest.raises(ConfigurationError):
            _open_with_request_id(cases, actor)

        with pytest.raises(LookupError):
            cases.history(cases.case_id_for_request("open-1"), actor=actor)


def test_now_is_the_clock_in_utc() -> None:
    clock = FakeClock(datetime(2021, 6, 1, 12, 0, tzinfo=UTC))
    with FamilyCases(url="memory://", clock=clock) as cases:
        assert cases.now() == datetime(2021, 6, 1, 12, 0, tzinfo=UTC)
        assert cases.now().tzinfo is UTC


def test_executing_something_that_is_not_a_command_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    read = ReadCase(case_id=case_id, actor=actor)

    with pytest.raises(ConfigurationError):
        cases.execute(read)  # type: ignore[arg-type]

    assert len(history(cases, case_id)) == 1


def test_execute_runs_a_command_model_like_its_method(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = cases.execute(SetGoal(case_id=case_id, description="Ok", set_on=TODAY, actor=actor))

    assert isinstance(goal_id, UUID)
    assert cases.current_plan(case_id, actor=actor).goals[0].goal_id == goal_id


def test_the_fake_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2020, 1, 1))  # noqa: DTZ001 (the refused input under test)


def test_a_command_model_needs_an_actor() -> None:
    with pytest.raises(InvalidCommandError):
        SetGoal(case_id=UUID(int=1), description="Ok", set_on=TODAY)  # type: ignore[call-arg]


PASSWORD = "s3cretPW"  # noqa: S105 (a made-up password no repr may show)


def test_a_store_s_settings_never_show_the_password() -> None:
    settings = settings_for_url(f"postgresql://caseworker:{PASSWORD}@db.example/cases")

    assert PASSWORD not in repr(settings)
    assert PASSWORD not in str(settings)
    assert PASSWORD not in settings.shown_url
    assert settings.shown_url == "postgresql://caseworker:***@db.example/cases"


def test_a_postgres_url_s_options_become_explicit_libpq_parameters() -> None:
    settings = settings_for_url(
        "postgresql+psycopg://caseworker@db.example:6543/cases?schema=perhe&connect_timeout=3"
        "&sslmode=verify-full&sslrootcert=/etc/ca.pem&sslcert=/etc/c.pem&sslkey=/etc/c.key"
    )

    parameters = libpq_parameters(settings)

    assert parameters["dbname"] == "cases"
    assert parameters["host"] == "db.example"
    assert parameters["port"] == "6543"
    assert parameters["user"] == "caseworker"
    assert parameters["password"] == ""  # never PGPASSWORD; ~/.pgpass is libpq's own
    assert parameters["hostaddr"] == ""
    assert parameters["connect_timeout"] == "3"
    assert parameters["options"] == "-c search_path=perhe"
    assert parameters["sslmode"] == "verify-full"
    assert parameters["sslrootcert"] == "/etc/ca.pem"
    assert parameters["sslcert"] == "/etc/c.pem"
    assert parameters["sslkey"] == "/etc/c.key"
    assert parameters["application_name"] == "perhetyo"
    assert "service" not in parameters


def test_a_postgres_url_without_tls_options_prefers_tls_like_libpq() -> None:
    parameters = libpq_parameters(settings_for_url("postgresql://u@h/db"))

    assert parameters["sslmode"] == "prefer"
    assert parameters["options"] == "-c search_path=public"
    assert parameters["connect_timeout"] == "5"


def test_a_sqlite_url_s_timeout_is_its_only_option_and_not_part_of_the_path(
    tmp_path: Path,
) -> None:
    settings = settings_for_url(f"sqlite:///{tmp_path / 'cases.db'}?timeout=7")

    assert settings.sqlite_path == tmp_path / "cases.db"
    assert settings.sqlite_timeout == 7
    assert settings.env["SQLITE_DBNAME"] == str(tmp_path / "cases.db")
    assert settings.env["SQLITE_LOCK_TIMEOUT"] == "7"


@pytest.mark.parametrize("variable", REFUSED_LIBPQ_VARIABLES)
def test_a_service_variable_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "")

    with pytest.raises(ConfigurationError, match=variable):
        refuse_redirecting_environment()
