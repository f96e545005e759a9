"""The ``perhetyo`` app (sovellus): the Typer app, its error handling and shared options.

Every :class:`~perhetyo.errors.PerhetyoError` raised by any command or sub-command becomes
one line on stderr and exit code 2, never a traceback (:class:`CommandGroup`). A command
refuses its own bad input (an unknown format, an unusable directory) the same way, by
raising :class:`~perhetyo.errors.ConfigurationError`.

``--verbose``/``-v`` (``-vv``) shows the ``perhetyo`` loggers' INFO (DEBUG) records on
stderr: the program configures logging, the library never does.

The commands live in their own modules and are wired to ``app`` in
:mod:`perhetyo.cli`; this module knows none of them.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Final

import typer
from rich.console import Console
from typer.core import TyperGroup

from perhetyo import __version__
from perhetyo.errors import ConfigurationError, PerhetyoError
from perhetyo.persistence import settings_for_url

__all__ = [
    "ERROR_EXIT_CODE",
    "CommandGroup",
    "StoreUrl",
    "ViewsUrl",
    "app",
    "events_fi",
    "main",
    "make_console",
    "require_existing_store",
]

ERROR_EXIT_CODE: Final = 2
"""Exit code of a command refused by perhetyo (a PerhetyoError)."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


class CommandGroup(TyperGroup):
    """Command group (komentoryhmä): turns a PerhetyoError into one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a PerhetyoError from it (or a sub-app) ends the program cleanly."""
        try:
            return super().invoke(ctx)
        except PerhetyoError as exc:
            typer.echo(f"perhetyo: virhe [{exc.code}]: {_one_line(str(exc))}", err=True)
            raise typer.Exit(ERROR_EXIT_CODE) from None


app = typer.Typer(
    name="perhetyo",
    help="Perhesosiaalityön asiakkuudet tapahtumina (perhetyo).",
    cls=CommandGroup,
    no_args_is_help=True,
    add_completion=False,
    # A traceback's local variables may hold a client's data: never print them.
    pretty_exceptions_show_locals=False,
)


class _EchoHandler(logging.Handler):
    """Log records as lines on stderr, the stream of the moment (a test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            typer.echo(self.format(record), err=True)
        except Exception:  # logging must not end the command (logging.StreamHandler's idiom)
            self.handleError(record)


def _log_to_stderr(ctx: typer.Context, verbose: int) -> None:
    """Show the ``perhetyo`` loggers' records on stderr for this command, and no other logger's.

    Logging is configured here, by the program, never by the library. The previous level
    comes back when the command ends, so one process may run many commands (tests do).
    """
    logger = logging.getLogger("perhetyo")
    handler = _EchoHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    ctx.call_on_close(restore)


def _print_version(value: bool) -> None:
    """``--version``: print the installed version and stop before any command runs."""
    if value:
        typer.echo(f"perhetyo {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            metavar="",
            help="Kerro mitä tehdään (stderr): -v INFO, -vv DEBUG. Lokiriveillä ei ole "
            "asiakastietoja.",
        ),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Tulosta perhetyon versio ja lopeta.",
        ),
    ] = False,
) -> None:
    """The perhetyo command (perhetyo-komento); a callback keeps every command a subcommand."""
    if verbose:
        _log_to_stderr(ctx, verbose)


def main() -> None:
    """Command line (komentorivi): the ``perhetyo`` console script."""
    app()


# --- shared options ------------------------------------------------------------------------

StoreUrl = Annotated[
    str,
    typer.Option(
        "--url",
        envvar="PERHETYO_URL",
        show_envvar=True,
        help="Tallennuspaikka: sqlite:///polku, postgresql://käyttäjä@palvelin/kanta "
        "tai memory://.",
    ),
]
"""``--url`` of a command on the user's store: ``$PERHETYO_URL``, else the default given.

Use it as ``url: StoreUrl = DEFAULT_URL`` (``perhetyo.persistence.DEFAULT_URL``).
"""

ViewsUrl = Annotated[
    str | None,
    typer.Option(
        "--views-url",
        envvar="PERHETYO_VIEWS_URL",
        show_envvar=True,
        help="Raportointinäkymien tietokanta (mikä tahansa SQLAlchemyn URL), jos muu kuin "
        "tapahtumien oma kanta.",
    ),
]
"""``--views-url`` of a command on the stored views: ``$PERHETYO_VIEWS_URL``, else None
(the views live beside the events). Use it as ``views_url: ViewsUrl = None``."""


# --- shared output -------------------------------------------------------------------------


def make_console(*, stderr: bool = False) -> Console:
    """A console for data: no emoji codes, no automatic highlighting of numbers and ids."""
    return Console(highlight=False, emoji=False, log_path=False, stderr=stderr)


def events_fi(count: int) -> str:
    """A count of events in Finnish: 1 tapahtuma, 2 tapahtumaa."""
    return f"{count} tapahtuma" if count == 1 else f"{count} tapahtumaa"


def require_existing_store(url: str) -> None:
    """Refuse a SQLite file that does not exist: a mistyped path would make a new, empty store.

    The URL is parsed once, by :func:`perhetyo.persistence.settings_for_url`; other stores
    (and ``sqlite:///:memory:``) are left to :class:`~perhetyo.application.FamilyCases`.
    """
    path = settings_for_url(url).sqlite_path
    if path is not None and not path.is_file():
        raise ConfigurationError(f"no SQLite store at {path}: check --url")
