"""The ``perhetyo`` command: the demo's printed story, what it stores, and clean errors."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from datetime import date, datetime
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner, Result

import perhetyo
from perhetyo import (
    CaseStatus,
    ClosureReason,
    DecisionOutcome,
    FamilyCases,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    PlanAgreed,
    Profession,
    RuleViolationError,
    ServiceKind,
    ServiceStatus,
    SuccessorKind,
)
from perhetyo.cli import (
    ERROR_EXIT_CODE,
    CommandGroup,
    Names,
    StoreUrl,
    app,
    fi_time,
    main,
    render_audit_trail,
    render_goal_progress,
    render_plan,
)
from perhetyo.persistence import DEFAULT_URL
from perhetyo.projections.sql import TABLE_NAMES
from perhetyo.testing import (
    DEMO_READER,
    FakeClock,
    StoryClock,
    an_actor,
    open_sample_case,
    record_demo_story,
)

# Wide, colourless output: assertions read whole lines, not Rich's wrapping or ANSI codes.
_ENV: Mapping[str, str | None] = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "PERHETYO_URL": None,
    "PERHETYO_VIEWS_URL": None,
}

EXPORT = ("export", "--actor", "reporter-1")
"""The export command with the exporting actor's id (an export is a logged read)."""


def _run(*args: str, env: Mapping[str, str | None] | None = None, on: typer.Typer = app) -> Result:
    return CliRunner().invoke(on, list(args), env={**_ENV, **(env or {})})


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'demo.db'}"


@pytest.fixture
def demo_output(demo_url: str) -> str:
    result = _run("demo", "--url", demo_url)
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_prints_the_client_plan_in_finnish(demo_output: str) -> None:
    for expected in (
        "Asiakassuunnitelma",
        "päättynyt 21.12.2020",
        "Päättymisen syy              tarve päättynyt",
        "Jatkuva asiakkuus            perhesosiaalityö",
        "Lakiperuste                  lastensuojelulaki",
        "Palvelutehtävä               lastensuojelu",
        "Vastaava sosiaalityöntekijä  Laura V. (sosiaalityöntekijä)",
        "Suunnitelman versio          2 (laadittu 21.10.2020)",
        "Aiemmat versiot              1 (19.8.2020)",
        "Tarkistetaan viimeistään     16.12.2020",
        "Sovitut asiat (versio 2)",
        "Eriävät näkemykset",
        "Huoltaja (isä) toivoo kotikäyntien päättyvän jo marraskuussa.",
        "Viikkotavoite vk 37",
        "perhekuntoutus",
        "Perhetuki Esimerkki Oy",
        "alkoi 1.9.2020",
        "päättyi 18.12.2020",
        "aloitustapaaminen",
        "verkostopalaveri",
        "välipalaveri",
        "loppupalaveri",
        "Lasten näkemykset",
        "Nyt ei enää jännitä iltaisin.",
    ):
        assert expected in demo_output, expected


def test_demo_prints_goal_progress_and_the_audit_trail(demo_output: str) -> None:
    after = demo_output.split("Tavoitteiden eteneminen", maxsplit=1)[1]
    progress, trail = after.split("Muutoshistoria", maxsplit=1)
    assert "T1 · koko perhe · Arkeen palaa säännöllinen päivärytmi" in progress
    assert "T3 · Eetu K. · Eetu käy koulua säännöllisesti" in progress
    assert "21.10.2020" in progress
    assert "Anna T." in progress
    assert "██████░░░░ 60 %" in progress
    assert "ei saavutettu" in progress
    assert "12.8.2020 11.40" in trail
    assert "Asiakkuus alkoi" in trail
    assert "Asiakassuunnitelma laadittu" in trail
    assert "tavoite T1: kesken, 40 %" in trail
    assert "perhekuntoutus tilattu (palvelu P1)" in trail
    assert "Asiakkuus päättyi" in trail
    assert "Kirjaajat" in trail
    assert "41 tapahtumaa" in demo_output


def test_demo_shows_finnish_labels_not_enum_values(demo_output: str) -> None:
    for raw in ("child_welfare_act", "in_progress", "family_rehabilitation", "no_longer_needed",
                "not_achieved", "social_worker"):
        assert raw not in demo_output


def test_demo_shows_the_decision_the_order_cites_and_the_child_who_joined(
    demo_output: str,
) -> None:
    assert "päätös 26.8.2020" in demo_output
    assert "(myönteinen)" in demo_output
    assert "Vauva K. (s. 2.10.2020)" in demo_output


def _demo_case_in(url: str) -> UUID:
    """The demo case's id, as the store finds it: replaying the story records nothing and
    returns the id of the case the store already holds."""
    clock = StoryClock()
    with FamilyCases(url=url, clock=clock) as cases:
        return record_demo_story(cases, clock)


def test_demo_stores_the_story_for_any_reader_of_the_same_file(demo_url: str) -> None:
    result = _run("demo", "--url", demo_url)
    assert result.exit_code == 0, result.output
    case_id = _demo_case_in(demo_url)

    with FamilyCases(url=demo_url) as cases:
        plan = cases.current_plan(case_id, actor=an_actor())
        events = cases.history(case_id, actor=an_actor())
        progress = cases.goal_progress(case_id, actor=an_actor())
        earlier = cases.current_plan(case_id, actor=an_actor(), as_of=date(2020, 9, 1))

    assert plan.status is CaseStatus.CLOSED
    assert plan.opened_on == date(2020, 8, 12)
    assert plan.closed_on == date(2020, 12, 21)
    assert plan.closure_reason is ClosureReason.NO_LONGER_NEEDED
    assert plan.successor is not None
    assert plan.successor.kind is SuccessorKind.FAMILY_SOCIAL_WORK
    assert plan.legal_basis is LegalBasis.CHILD_WELFARE_ACT
    assert plan.named_worker.profession is Profession.SOCIAL_WORKER
    assert len(plan.children) == 3  # a newborn joined in October
    assert [(m.child.id, m.joined_on) for m in plan.memberships][-1] == (
        "demo-child-3",
        date(2020, 10, 12),
    )
    assert plan.memberships[-1].not_heard_reason is not None
    assert len(plan.guardians) == 2
    assert plan.plan_version == 2
    assert plan.dissent
    assert [s.kind for s in plan.services] == [ServiceKind.FAMILY_REHABILITATION]
    assert plan.services[0].status is ServiceStatus.ENDED
    assert set(plan.child_views) == {child.id for child in plan.children} - {"demo-child-3"}
    [decision] = plan.decisions
    assert (decision.kind, decision.outcome) == (
        ServiceKind.FAMILY_REHABILITATION,
        DecisionOutcome.GRANTED,
    )
    assert plan.services[0].decision_id == decision.decision_id
    assert {m.kind for m in plan.meetings} >= {
        MeetingKind.OPENING, MeetingKind.NETWORK, MeetingKind.REVIEW, MeetingKind.CLOSING,
    }
    assert len(plan.goals) == 7
    assert sum(goal.child_id is not None for goal in plan.goals) == 2

    versions = [event for event in events if isinstance(event, PlanAgreed)]
    assert [v.plan_version for v in versions] == [1, 2]
    assert versions[0].dissent
    assert all(event.timestamp.year == 2020 for event in events)
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    assert all(e.timestamp.date() >= e.occurred_on for e in events)

    first_goal = progress[0]
    assert [u.progress for u in first_goal.updates] == [10, 40, 60, 100]
    assert first_goal.status is GoalStatus.ACHIEVED

    assert earlier.plan_version == 1
    assert earlier.services[0].status is ServiceStatus.ACTIVE


def test_running_the_demo_again_records_nothing(demo_url: str) -> None:
    first = _run("demo", "--url", demo_url)
    second = _run("demo", "--url", demo_url)

    assert first.exit_code == second.exit_code == 0
    assert "Kirjattu nyt     41 tapahtumaa" in first.output
    assert "Kirjattu nyt     ei mitään: tarina oli jo tallessa (41 tapahtumaa" in second.output
    case_id = _demo_case_in(demo_url)
    with FamilyCases(url=demo_url) as cases:
        assert len(cases.history(case_id, actor=an_actor())) == 41


def test_the_story_replays_without_the_command_line_and_the_store_finds_its_case() -> None:
    clock = StoryClock()
    with FamilyCases(url="memory://", clock=clock) as cases:
        first = record_demo_story(cases, clock)
        recorded = len(cases.history(first, actor=DEMO_READER))
        again = record_demo_story(cases, StoryClock())

        assert again == first
        assert len(cases.history(first, actor=DEMO_READER)) == recorded == 41
        assert cases.current_plan(first, actor=DEMO_READER).status is CaseStatus.CLOSED


def test_demo_writes_the_demo_file_and_ignores_perhetyo_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = _run("demo", env={"PERHETYO_URL": "postgresql://nobody@nowhere.invalid/real"})

    assert result.exit_code == 0, result.output
    assert (tmp_path / "perhetyo-demo.db").exists()
    assert not (tmp_path / "perhetyo.db").exists()


def test_demo_runs_on_an_in_memory_store() -> None:
    result = _run("demo", "--url", "memory://")

    assert result.exit_code == 0, result.output
    assert "Asiakkuus päättyi" in result.output


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("nosuch://somewhere", "configuration_error"),
        ("sqlite:///no/such/directory/demo.db", "configuration_error"),
    ],
)
def test_a_bad_url_exits_with_code_2_and_one_line(url: str, code: str) -> None:
    result = _run("demo", "--url", url)

    assert result.exit_code == ERROR_EXIT_CODE
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"perhetyo: virhe [{code}]: ")
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_an_unusable_store_exits_with_code_2_and_one_line(tmp_path: Path) -> None:
    result = _run("demo", "--url", f"sqlite:///{tmp_path}")  # a directory, not a file

    assert result.exit_code == ERROR_EXIT_CODE
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("perhetyo: virhe [storage_error]: ")


def test_errors_from_a_sub_app_become_one_line_too() -> None:
    root = typer.Typer(cls=CommandGroup)
    sub = typer.Typer()
    root.add_typer(sub, name="projections")

    @root.callback()
    def _root() -> None:
        """Root."""

    @sub.command()
    def status() -> None:
        raise RuleViolationError("goal 1 is refused\nfor a reason")

    result = _run("projections", "status", on=root)

    assert result.exit_code == ERROR_EXIT_CODE
    assert result.output == "perhetyo: virhe [rule_violation]: goal 1 is refused for a reason\n"


def test_store_url_option_reads_perhetyo_url_else_the_default() -> None:
    probe = typer.Typer(cls=CommandGroup)

    @probe.callback()
    def _root() -> None:
        """Root."""

    @probe.command()
    def where(url: StoreUrl = DEFAULT_URL) -> None:
        typer.echo(url)

    assert _run("where", on=probe).output == "sqlite:///perhetyo.db\n"
    assert _run("where", env={"PERHETYO_URL": "memory://"}, on=probe).output == "memory://\n"
    assert _run("where", "--url", "sqlite:///x.db", on=probe).output == "sqlite:///x.db\n"


@pytest.mark.parametrize(("flag", "debug"), [("-v", False), ("-vv", True)])
def test_verbose_shows_the_library_log_lines_on_stderr_for_that_command_only(
    flag: str, debug: bool, tmp_path: Path
) -> None:
    logger = logging.getLogger("perhetyo")
    before = (logger.level, list(logger.handlers))

    result = _run(flag, *EXPORT, "--url", "memory://", "--out", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert f"INFO perhetyo.reporting.export: exported {len(TABLE_NAMES)} tables as csv" in (
        result.stderr
    )
    assert ("DEBUG perhetyo.reporting.export: exported perhetyo_cases: 0 rows" in
            result.stderr) is debug
    assert (logger.level, list(logger.handlers)) == before


def test_without_verbose_the_library_logs_nothing(tmp_path: Path) -> None:
    result = _run(*EXPORT, "--url", "memory://", "--out", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "perhetyo.reporting" not in result.stderr


def test_help_lists_every_command() -> None:
    result = _run("--help")

    assert result.exit_code == 0
    for command in ("demo", "projections", "export"):
        assert command in result.output


def test_the_console_script_is_main() -> None:
    (script,) = entry_points(group="console_scripts", name="perhetyo")

    assert script.value == "perhetyo.cli:main"
    assert script.load() is main


def test_main_runs_the_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["perhetyo", "--help"])

    with pytest.raises(SystemExit) as exit_info:
        main()

    assert exit_info.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_record_times_are_shown_in_helsinki_time() -> None:
    assert fi_time(datetime.fromisoformat("2020-08-12T08:40:00+00:00")) == "12.8.2020 11.40"
    assert fi_time(datetime.fromisoformat("2020-12-21T08:15:00+00:00")) == "21.12.2020 10.15"


def test_the_demo_prints_a_sqlite_url_as_given(demo_url: str, demo_output: str) -> None:
    assert f"Tallennuspaikka  {demo_url}" in demo_output


@pytest.mark.postgres
def test_a_printed_store_url_never_shows_its_password(postgres_url: str) -> None:
    # The server trusts the test user, so any password connects.
    password = "pw-marker-7Q2"  # noqa: S105 (a marker to search the output for, no secret)
    parts = urlsplit(postgres_url)
    user = parts.username or "postgres"
    host = parts.netloc.rsplit("@", 1)[-1]
    url = urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))

    result = _run("demo", "--url", url)

    assert result.exit_code == 0, result.output
    assert password not in result.output
    assert f"Tallennuspaikka  {parts.scheme}://{user}:***@{host}" in result.output


def test_a_new_case_without_plan_goals_or_services_renders() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    with FamilyCases(url="memory://", clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        plan = cases.current_plan(case_id, actor=an_actor())
        events = cases.history(case_id, actor=an_actor())
        names = Names.of(plan, events)
        console.print(render_plan(plan, names))
        console.print(render_goal_progress(cases.goal_progress(case_id, actor=an_actor()), names))
        console.print(render_audit_trail(cases.audit_trail(case_id, actor=an_actor()), names))

    output = buffer.getvalue()
    for expected in ("voimassa", "Omatyöntekijä", "ei vielä laadittu", "ei sovittuja asioita",
                     "Tavoitteita ei ole asetettu.", "Palveluita ei ole tilattu.",
                     "Tapaamisia ei ole kirjattu.", "ei kirjattu", "Asiakkuus alkoi"):
        assert expected in output, expected


def test_version_prints_the_installed_version_and_runs_no_command() -> None:
    result = _run("--version")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"perhetyo {perhetyo.__version__}"
