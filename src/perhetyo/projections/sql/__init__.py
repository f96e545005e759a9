"""Stored projections in SQL (raportointinäkymät): the folds kept as tables for reporting.

One idea per module, imports pointing inward (the folds know nothing of this package):

- :mod:`.schema`: the five read-model tables and the tracking table;
- :mod:`.rows`: read models to rows and back, and the row writer;
- :mod:`.tracking`: positions advanced by compare-and-set; ``SQLTrackingRecorder``;
- :mod:`.runner`: the batch runner (read, decode, fold, write, advance: one transaction);
- :mod:`.views`: ``StoredViews``, the wiring, catching up, status and reading back;
- :mod:`.rebuild`: a rebuild beside the live tables, and the switch-over;
- :mod:`.worker`: the long-running worker loop and ``PostgresWorkerSession``.

Everything here logs to ``logging.getLogger("perhetyo.projections")``: counts, positions
and case ids, never a client's data or a database URL.
"""


from perhetyo.projections.sql.rebuild import REBUILD_BATCH_SIZE, RebuildStatus
from perhetyo.projections.sql.runner import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CACHE_SIZE,
    ProjectionRunner,
)
from perhetyo.projections.sql.schema import PROJECTIONS, TABLE_NAMES, TRACKING_TABLE, ViewTables
from perhetyo.projections.sql.tracking import SQLTrackingRecorder
from perhetyo.projections.sql.views import WRITE, ProjectionStatus, StoredViews
from perhetyo.projections.sql.worker import PostgresWorkerSession, WorkerSession

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_CACHE_SIZE",
    "PROJECTIONS",
    "REBUILD_BATCH_SIZE",
    "TABLE_NAMES",
    "TRACKING_TABLE",
    "WRITE",
    "PostgresWorkerSession",
    "ProjectionRunner",
    "ProjectionStatus",
    "RebuildStatus",
    "SQLTrackingRecorder",
    "StoredViews",
    "ViewTables",
    "WorkerSession",
]
