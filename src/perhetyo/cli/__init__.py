"""Command line (komentorivi): the ``perhetyo`` command, built with Typer and Rich.

::

    perhetyo [-v|-vv] COMMAND ...   (-v: INFO log lines on stderr, -vv: DEBUG)
    perhetyo demo [--url sqlite:///perhetyo-demo.db]
    perhetyo projections update|rebuild|status|run [--url URL] [--views-url URL]
    perhetyo export --out DIR [--format csv|jsonl|parquet] [--no-update] [--url URL]
    perhetyo report CASE_ID --out FILE.html --actor ID [--purpose TEXT] [--on DATE] [--url URL]
    perhetyo kanta CASE_ID --actor ID --people FILE --codes FILE --context FILE --out DIR
    perhetyo verify [--url URL] [--case ID] [--heads FILE] [--write-heads FILE]
    perhetyo retention erase-due --on DATE --dry-run [--url URL]
    perhetyo rotate-key [--url URL] [--generate]   (keys from the environment or stdin)
    perhetyo stats --year YYYY [--format table|csv|json] [--url URL]
    perhetyo caseload --on YYYY-MM-DD [--limit 30] [--format table|csv|json] [--url URL]

The package has one module per part, so that a new command knows where its pieces go:

- :mod:`~perhetyo.cli.app`: the Typer ``app``, ``main``, the error handling
  (:class:`CommandGroup`: every PerhetyoError becomes one line on stderr and exit code 2)
  and the shared options (``StoreUrl``: ``--url``, default ``$PERHETYO_URL``);
- :mod:`~perhetyo.cli.render`: pure functions from read models to Rich renderables;
- one module per command or sub-app: :mod:`~perhetyo.cli.demo`,
  :mod:`~perhetyo.cli.projections`, :mod:`~perhetyo.cli.export`, :mod:`~perhetyo.cli.kanta`,
  :mod:`~perhetyo.cli.integrity` (verify), :mod:`~perhetyo.cli.retention`,
  :mod:`~perhetyo.cli.keys` (rotate-key), :mod:`~perhetyo.cli.report` (the case report),
  :mod:`~perhetyo.cli.stats` (stats, caseload).

Every command is a thin shell over library functions: the demo story is
:mod:`perhetyo.testing.story`, the export :mod:`perhetyo.reporting.export`, the stored
views :class:`~perhetyo.application.FamilyCases`; what stays here is parsing options,
progress bars and printing.

The commands are wired to ``app`` here, and only here.
"""

from __future__ import annotations

from perhetyo.cli import (
    demo,
    export,
    integrity,
    kanta,
    keys,
    projections,
    report,
    retention,
    stats,
)
from perhetyo.cli.app import (
    ERROR_EXIT_CODE,
    CommandGroup,
    FinnishCommand,
    StoreUrl,
    ViewsUrl,
    app,
    main,
)
from perhetyo.cli.demo import DEMO_URL
from perhetyo.cli.render import (
    Names,
    fi,
    fi_date,
    fi_time,
    render_audit_trail,
    render_goal_progress,
    render_plan,
    render_status,
)

__all__ = [
    "DEMO_URL",
    "ERROR_EXIT_CODE",
    "CommandGroup",
    "FinnishCommand",
    "Names",
    "StoreUrl",
    "ViewsUrl",
    "app",
    "fi",
    "fi_date",
    "fi_time",
    "main",
    "render_audit_trail",
    "render_goal_progress",
    "render_plan",
    "render_status",
]

# The submodules stay reachable as perhetyo.cli.demo, ...: no command function shadows them.
app.command(cls=FinnishCommand)(demo.demo)
app.add_typer(projections.projections_app, name="projections")
app.command(cls=FinnishCommand)(export.export)
app.command(cls=FinnishCommand)(kanta.kanta)
app.command(cls=FinnishCommand)(integrity.verify)
app.command(cls=FinnishCommand)(report.report)
app.add_typer(retention.retention_app, name="retention")
app.command(name="rotate-key", cls=FinnishCommand)(keys.rotate_key)
app.command(name="stats", cls=FinnishCommand)(stats.stats)
app.command(name="caseload", cls=FinnishCommand)(stats.caseload)
