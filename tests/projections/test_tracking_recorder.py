"""eventsourcing's own test case for a TrackingRecorder judges ours."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import TrackingRecorder
from eventsourcing.tests.persistence import TrackingRecorderTestCase
from sqlalchemy import MetaData, create_engine
from sqlalchemy.pool import StaticPool

from perhetyo.projections.sql import SQLTrackingRecorder
from perhetyo.projections.sql.schema import tracking_table


class TestSQLTrackingRecorderOnSQLite(TrackingRecorderTestCase):
    """The reusable contract tests, on an in-memory SQLite database per test."""

    def create_recorder(self) -> TrackingRecorder:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        metadata = MetaData()
        table = tracking_table(metadata)
        metadata.create_all(engine)
        return SQLTrackingRecorder(engine, table, "live")


def test_two_views_keep_separate_positions() -> None:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    metadata = MetaData()
    table = tracking_table(metadata)
    metadata.create_all(engine)
    live = SQLTrackingRecorder(engine, table, "live")
    rebuild = SQLTrackingRecorder(engine, table, "rebuild")
    from eventsourcing.persistence import Tracking  # noqa: PLC0415

    live.insert_tracking(Tracking("FamilyCases", 10))
    rebuild.insert_tracking(Tracking("FamilyCases", 3))
    assert live.max_tracking_id("FamilyCases") == 10
    assert rebuild.max_tracking_id("FamilyCases") == 3


@pytest.mark.postgres
def test_the_contract_holds_on_postgresql(postgres_url: str) -> None:
    """The same contract on PostgreSQL, through the views engine a store would use."""
    from perhetyo.persistence import settings_for_url, views_engine  # noqa: PLC0415

    settings = settings_for_url(postgres_url)
    engine = views_engine(settings)
    from perhetyo import FamilyCases  # noqa: PLC0415

    FamilyCases(postgres_url).close()  # creates the schema
    metadata = MetaData(schema=settings.postgres_schema)
    table = tracking_table(metadata)
    metadata.create_all(engine)

    class OnPostgres(TrackingRecorderTestCase):
        def create_recorder(self) -> TrackingRecorder:
            with engine.begin() as conn:
                conn.execute(table.delete())
            return SQLTrackingRecorder(engine, table, "live")

    for name in ("test_insert_tracking", "test_wait"):
        result = OnPostgres(name).run()
        assert result is not None
        assert result.wasSuccessful(), result.failures + result.errors
    engine.dispose()
