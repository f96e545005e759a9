"""Event store (tapahtumavarasto): eventsourcing's application, set up from a URL alone.

:class:`EventStore` is eventsourcing's ``Application`` with its environment taken from
:class:`~perhetyo.persistence.store.StoreSettings` only (``os.environ`` is never read) and
our pydantic mapper; :func:`setup_lock` serialises stores starting on one PostgreSQL
database. A case is read with :meth:`EventStore.case_events` (its events checked against
the tamper-evident chain, and the chain's head) and written with :meth:`EventStore.append`
(new events sealed over that head): one read per command, as before the chain.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.utils import Environment, EnvType

from perhetyo.events import CaseEvent
from perhetyo.persistence.chain import Chain, Head, stored_head
from perhetyo.persistence.cipher import PayloadCipher
from perhetyo.persistence.codec import OrjsonTranscoder, PydanticMapper
from perhetyo.persistence.keyring import KeyRing
from perhetyo.persistence.snapshots import SnapshotStore
from perhetyo.persistence.store import StoreSettings, advisory_key, postgres_connection

__all__ = ["EventStore", "setup_lock"]


@contextlib.contextmanager
def setup_lock(settings: StoreSettings) -> Iterator[None]:
    """Serialise stores starting on one PostgreSQL database, and create the schema.

    eventsourcing creates its tables, types and functions on every start; two processes
    doing it at once fail ("tuple concurrently updated"). A session advisory lock makes
    them take turns; the schema named in the URL is created under the same lock.
    """
    if settings.kind != "postgresql":
        yield
        return
    from psycopg import sql  # noqa: PLC0415 (only PostgreSQL stores need the driver)

    with postgres_connection(settings) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (advisory_key("perhetyo.setup"),))
        try:
            if settings.postgres_schema is not None:
                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(settings.postgres_schema)
                    )
                )
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (advisory_key("perhetyo.setup"),))


class EventStore(Application[UUID]):
    """eventsourcing's application, configured from the URL's settings only.

    ``chain_key`` keys the tamper-evident chain (None: plain SHA-256 tags). With a
    ``keyring`` that holds a master key, every payload is encrypted under its case's data
    key (:mod:`perhetyo.persistence.cipher`).
    """

    name = "FamilyCases"
    mapper: PydanticMapper

    def __init__(
        self,
        settings: StoreSettings,
        keyring: KeyRing | None = None,
        *,
        chain_key: bytes | None = None,
    ) -> None:
        self._settings = settings
        self._keyring = keyring
        self.chain = Chain(chain_key)
        try:
            super().__init__()
        except BaseException:
            factory = getattr(self, "factory", None)
            if factory is not None:  # do not leave connections open until collected
                factory.close()
            raise
        self.snapshot_store = SnapshotStore(
            self.factory.aggregate_recorder(purpose="snapshots"), self.chain, self.mapper.sealer
        )

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only what the URL implies: ``os.environ`` is never read."""
        return Environment(name, dict(self._settings.env))

    def construct_mapper(self) -> PydanticMapper:
        """Our pydantic mapper with the orjson transcoder (and the key ring's cipher)."""
        keyring = self._keyring
        return PydanticMapper(
            transcoder=OrjsonTranscoder(),
            cipher=self.factory.cipher(),
            compressor=self.factory.compressor(),
            chain=self.chain,
            sealer=PayloadCipher(keyring) if keyring is not None and keyring.encrypted else None,
        )

    def case_events(self, case_id: UUID) -> tuple[list[CaseEvent], Head]:
        """One case's events, in order, and the chain's head: one read of the store.

        The whole case is checked against the chain before any event of it is decoded;
        a break raises :class:`~perhetyo.errors.TamperedRecordError`.
        """
        stored = list(self.recorder.select_events(case_id))
        head = self.mapper.verified(case_id, stored)
        return self.mapper.to_domain_events(stored), head

    def case_events_after(
        self, case_id: UUID, head: Head
    ) -> tuple[list[CaseEvent], Head] | None:
        """The case's events after ``head`` (a snapshot's), and the chain's head now.

        Reads from the head's own version on: when the event stored there does not carry
        ``head`` (the snapshot does not belong to this record), None, and the caller
        folds from the first event. The events after it are checked against the chain,
        continuing from ``head``; a break raises :class:`TamperedRecordError`.
        """
        stored = list(self.recorder.select_events(case_id, gt=head.version - 1))
        if not stored or stored_head(stored[0]) != head:
            return None
        after = stored[1:]
        now = self.mapper.verified(case_id, after, head)
        return self.mapper.to_domain_events(after), now

    def append(self, events: Sequence[CaseEvent], head: Head) -> None:
        """Store one case's new events, sealed over ``head`` (the head its load returned).

        A writer that appended meanwhile makes the insert conflict on the version (the
        command is then decided again from a fresh load, so from the fresh head).
        """
        self.recorder.insert_events(self.mapper.to_stored_events(events, head))
