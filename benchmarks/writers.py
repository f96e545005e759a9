"""Concurrent writers (rinnakkaiset kirjoittajat): PostgreSQL, 4 writer processes against 1.

A writer process (forked) sets up 10 cases of its own (perhetyo: opened with a goal; bare:
eventsourcing aggregates), waits until every writer is ready, sends its commands
round-robin to its cases and reports its seconds. :func:`scaling` runs 1 and then 4 such
processes, releases them together and takes the wall time until the last one finishes:
the scaling is the 4 writers' commands per second over one writer's.

perhetyo's command is ``update_goal`` (load, decide, save one event); the floor is bare
eventsourcing's: an aggregate with one event, ``repository.get`` + trigger + ``save``, in
the same database, schema of its own. Both store in the same notification log design
(eventsourcing's PostgreSQL recorder locks the events table for each insert), so the
floor's scaling is what the design allows. The schemas are dropped when the run ends.
"""

from __future__ import annotations

import multiprocessing
import secrets
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

CASES = 10


class Counter(Aggregate):
    """The floor's aggregate (laskuri): one event that adds one."""

    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self) -> None:
        self.count += 1


class _Bare(Application[UUID]):
    """Bare eventsourcing: no codec, no chain, no views."""


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    query.append(("schema", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _bare_env(url: str, schema: str, *, create: bool = False) -> dict[str, str]:
    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "localhost",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_SCHEMA": schema,
        "CREATE_TABLE": "y" if create else "n",
    }


def _perhetyo_writer(url: str, commands: int, go: Any) -> float:
    from perhetyo import FamilyCases, GoalStatus  # noqa: PLC0415 (only this side needs it)
    from perhetyo.testing import an_actor, open_sample_case  # noqa: PLC0415

    me = an_actor()
    with FamilyCases(url) as cases:
        ids = [open_sample_case(cases) for _ in range(CASES)]
        goals = [
            cases.set_goal(case_id, description="Tavoite", set_on=date(2020, 8, 12), actor=me)
            for case_id in ids
        ]
        go.wait()
        started = time.perf_counter()
        for n in range(commands):
            cases.update_goal(
                ids[n % CASES],
                goals[n % CASES],
                status=GoalStatus.IN_PROGRESS,
                progress=n % 101,
                updated_on=date(2020, 9, 1) + timedelta(days=n // CASES),
                actor=me,
            )
        return time.perf_counter() - started


def _bare_writer(url: str, commands: int, go: Any) -> float:
    schema = dict(parse_qsl(urlsplit(url).query))["schema"]
    app = _Bare(env=_bare_env(url, schema))
    ids = []
    for _ in range(CASES):
        counter = Counter()
        app.save(counter)
        ids.append(counter.id)
    go.wait()
    started = time.perf_counter()
    for n in range(commands):
        counter = app.repository.get(ids[n % CASES])
        counter.increment()
        app.save(counter)
    seconds = time.perf_counter() - started
    app.close()
    return seconds


def _writer(side: str, url: str, commands: int, go: Any, done: Any) -> None:
    """One writer process: set up, wait for ``go``, run, put its seconds on ``done``."""
    run = {"perhetyo": _perhetyo_writer, "bare": _bare_writer}[side]
    try:
        done.put(run(url, commands, go))
    except BaseException:
        go.abort()  # the others (and the parent) stop waiting
        done.put(None)
        raise


def _run_writers(side: str, url: str, writers: int, commands: int) -> float:
    """Commands per second of ``writers`` processes released together (wall time). The
    processes are forked from this one (it has imported everything, opened nothing), so
    starting them costs no imports."""
    context = multiprocessing.get_context("fork")
    go = context.Barrier(writers + 1)
    done = context.Queue()
    procs = [
        context.Process(target=_writer, args=(side, url, commands, go, done))
        for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    go.wait(timeout=120)  # every writer has set up its cases
    started = time.perf_counter()
    results = [done.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - started
    for proc in procs:
        proc.join()
    if any(result is None for result in results) or any(p.exitcode for p in procs):
        raise RuntimeError(f"a {side} writer failed")
    return writers * commands / wall


def _drop(url: str, schemas: list[str]) -> None:
    import psycopg  # noqa: PLC0415 (PostgreSQL only)
    from psycopg import sql  # noqa: PLC0415

    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(scheme="postgresql", query=""))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _create(url: str, schema: str) -> None:
    import psycopg  # noqa: PLC0415 (PostgreSQL only)
    from psycopg import sql  # noqa: PLC0415

    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(scheme="postgresql", query=""))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def _prepare(side: str, url: str, schema_url: str, schema: str) -> None:
    """Create the schema's tables once, before the writers start (creating them in
    several processes at once races in PostgreSQL's catalog)."""
    if side == "bare":
        _create(url, schema)
        _Bare(env=_bare_env(url, schema, create=True)).close()
        return
    from perhetyo import FamilyCases  # noqa: PLC0415 (only this side needs it)

    with FamilyCases(schema_url):
        pass


def scaling(url: str, commands: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    """Per side, commands/s with 1 and with 4 writers, ``rounds`` alternating rounds, each
    round in fresh schemas (dropped at the end)."""
    result: dict[str, dict[str, list[float]]] = {
        side: {"1": [], "4": []} for side in ("perhetyo", "bare")
    }
    schemas: list[str] = []
    try:
        for _ in range(rounds):
            for side in ("bare", "perhetyo"):
                for writers in (1, 4):
                    schema = f"perhetyo_bench_{secrets.token_hex(6)}"
                    schemas.append(schema)
                    schema_url = _with_schema(url, schema)
                    _prepare(side, url, schema_url, schema)
                    per_second = _run_writers(side, schema_url, writers, commands)
                    result[side][str(writers)].append(per_second)
    finally:
        _drop(url, schemas)
    return result
