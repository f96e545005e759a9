"""Errors at the storage boundary: one perhetyo error, and no secret from the URL in it."""

from __future__ import annotations

import socket
import traceback
from datetime import date
from urllib.parse import urlsplit

import pytest

from perhetyo import FamilyCases, PerhetyoError, StorageError
from perhetyo.testing import FakeClock, an_actor, open_sample_case

PASSWORD = "s3cret-Salasana-91"  # noqa: S105 (a made-up password the error must not show)


def unused_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg"])
@pytest.mark.parametrize("options", ["connect_timeout=1", "connect_timeout=1&schema=cases"])
def test_an_unreachable_postgres_server_raises_storage_error_without_the_password(
    scheme: str, options: str
) -> None:
    url = f"{scheme}://caseworker:{PASSWORD}@127.0.0.1:{unused_port()}/test?{options}"

    with pytest.raises(StorageError) as info, FamilyCases(url=url, clock=FakeClock()) as cases:
        open_sample_case(cases)

    error = info.value
    assert isinstance(error, PerhetyoError)
    assert error.code == "storage_error"
    assert PASSWORD not in str(error)
    assert PASSWORD not in repr(error)
    # Nor anywhere in the chain a logged traceback would print.
    assert PASSWORD not in "".join(traceback.format_exception(error))


@pytest.mark.postgres
def test_both_postgresql_url_schemes_reach_the_same_store(postgres_url, open_cases) -> None:
    rest = urlsplit(postgres_url)._replace(scheme="").geturl()  # "//user@host:port/db?..."
    plain = open_cases(f"postgresql:{rest}", clock=FakeClock())
    with_driver = open_cases(f"postgresql+psycopg:{rest}", clock=FakeClock())

    case_id = open_sample_case(plain)
    goal_id = with_driver.set_goal(
        case_id, description="Arjen rytmi toimii", set_on=date(2020, 9, 1), actor=an_actor()
    )

    for cases in (plain, with_driver):
        plan = cases.current_plan(case_id, actor=an_actor())
        assert [goal.goal_id for goal in plan.goals] == [goal_id]
        assert plan.version == 2
