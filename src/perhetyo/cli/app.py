"""The ``perhetyo`` app (sovellus): the Typer app, its error handling and shared options.

Every :class:`~perhetyo.errors.PerhetyoError` raised by any command or sub-command becomes
one line on stderr and exit code 2, never a traceback (:class:`CommandGroup`). A command
refuses its own bad input (an unknown format, an unusable directory) the same way, by
raising :class:`~perhetyo.errors.ConfigurationError`.

``--verbose``/``-v`` (``-vv``) shows the ``perhetyo`` loggers' INFO (DEBUG) records on
stderr: the program configures logging, the library never does.

The help is in Finnish throughout (:class:`FinnishHelp`): wire every command with
``cls=FinnishCommand`` and every sub-app with ``cls=CommandGroup``. A docstring's
paragraphs are re-flowed to the terminal's width (its source line breaks are not kept),
and Typer's own words (usage, panels, defaults) are Finnish.

The commands live in their own modules and are wired to ``app`` in
:mod:`perhetyo.cli`; this module knows none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any, Final

import typer
import typer.rich_utils
from rich.console import Console
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from perhetyo import __version__
from perhetyo.errors import ConfigurationError, PerhetyoError
from perhetyo.persistence import settings_for_url

__all__ = [
    "ERROR_EXIT_CODE",
    "PLACEHOLDERS",
    "CommandGroup",
    "FinnishCommand",
    "FinnishHelp",
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


HELP_OPTION_TEXT: Final = "Näytä tämä ohje ja lopeta."

_TYPER_WORDS: Final = {
    "ARGUMENTS_PANEL_TITLE": "Argumentit",
    "OPTIONS_PANEL_TITLE": "Valinnat",
    "COMMANDS_PANEL_TITLE": "Komennot",
    "ERRORS_PANEL_TITLE": "Virhe",
    "DEFAULT_STRING": "[oletus: {}]",
    "ENVVAR_STRING": "[muuttuja: {}]",
    "REQUIRED_LONG_STRING": "[pakollinen]",
    "DEPRECATED_STRING": "(vanhentunut) ",
    "ABORTED_TEXT": "Keskeytetty.",
    "RICH_HELP": "Ohje: [blue]'{command_path} {help_option}'[/]",
}
"""Typer's own words in the help, in Finnish. Typer keeps them as module constants of
``typer.rich_utils`` (no per-app setting), so the program sets them when it starts."""


PLACEHOLDERS: Final = {
    "<str>": "TEKSTI",
    "<path>": "POLKU",
    "<UUID>": "TUNNISTE",
    "<int>": "LUKU",
    "<float>": "LUKU",
    "<%Y-%m-%d>": "VVVV-KK-PP",
}
"""Finnish placeholders for Typer's type labels, for an option that names none itself."""


def reflow(text: str | None) -> str | None:
    """``text`` with each paragraph on one line, for the terminal to wrap at its width.

    Paragraphs are separated by a blank line; a paragraph starting with ``\\b`` (Click's
    "keep my line breaks") is kept as it is.
    """
    if text is None:
        return None
    return "\n\n".join(
        part if part.lstrip().startswith("\b") else part.replace("\n", " ")
        for part in text.split("\n\n")
    )


class FinnishHelp:
    """Suomenkielinen ohje (Finnish help): the mixin of every command and command group.

    Re-flows the help's paragraphs, says "Käyttö:" for "Usage:" (and "[VALINNAT]" for
    "[OPTIONS]"), gives ``--help`` a Finnish text and a flag no placeholder. An option that
    takes a value may name its own placeholder (``metavar="URL"``, ``"HAKEMISTO"``, ...);
    otherwise Typer's type label (``<str>``, ``<path>``) becomes a Finnish one
    (:data:`PLACEHOLDERS`).
    """

    help: str | None
    params: list[Any]
    options_metavar: str | None

    def _finnish(self) -> None:
        self.help = reflow(self.help)
        self.options_metavar = "[VALINNAT]"
        for param in self.params:
            if isinstance(param, TyperOption) and param.metavar is None:
                param.metavar = "" if param.is_flag else _placeholder(param)
            elif isinstance(param, TyperArgument) and (label := _placeholder(param)):
                # An argument's metavar is its name; Typer asks this method for its type label.
                param.display_type_rich = _constant(label)  # type: ignore[method-assign]

    def get_usage(self, ctx: Any) -> str:
        """The usage line, in Finnish."""
        usage: str = super().get_usage(ctx)  # type: ignore[misc]
        return usage.replace("Usage:", "Käyttö:", 1)

    def get_help_option(self, ctx: Any) -> Any:
        """``--help``, with a Finnish text and no placeholder."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
            option.metavar = ""
        return option


def _constant(label: str) -> Callable[..., str]:
    """A ``display_type_rich`` that shows ``label``, whatever it is asked."""

    def shown(*args: Any, **kwargs: Any) -> str:
        return label

    return shown


def _placeholder(param: TyperOption | TyperArgument) -> str | None:
    """The Finnish placeholder for a parameter's type label (None: Typer's own is kept)."""
    shown = getattr(param, "display_type_rich", None)
    if shown is None:  # an older Typer shows no type label
        return None
    try:
        label = shown(ctx=None)  # the label of a choice needs a context: none here
    except (AttributeError, TypeError):
        return None
    return PLACEHOLDERS.get(label) if isinstance(label, str) else None


class FinnishCommand(FinnishHelp, TyperCommand):
    """Komento (a command) whose help is Finnish: ``app.command(cls=FinnishCommand)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._finnish()


class CommandGroup(FinnishHelp, TyperGroup):
    """Command group (komentoryhmä): turns a PerhetyoError into one line and exit code 2.

    Its help is Finnish, like :class:`FinnishCommand`'s.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._finnish()
        self.subcommand_metavar = "KOMENTO [ARGUMENTIT]..."

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a PerhetyoError from it (or a sub-app) ends the program cleanly."""
        try:
            return super().invoke(ctx)
        except PerhetyoError as exc:
            typer.echo(f"perhetyo: virhe [{exc.code}]: {_one_line(str(exc))}", err=True)
            raise typer.Exit(ERROR_EXIT_CODE) from None


for _name, _words in _TYPER_WORDS.items():
    setattr(typer.rich_utils, _name, _words)

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
        metavar="URL",
        envvar="PERHETYO_URL",
        show_envvar=True,
        help="Tallennuspaikka: sqlite:///polku, memory:// tai postgresql://... "
        "(PostgreSQL).",
    ),
]
"""``--url`` of a command on the user's store: ``$PERHETYO_URL``, else the default given.

Use it as ``url: StoreUrl = DEFAULT_URL`` (``perhetyo.persistence.DEFAULT_URL``).
"""

ViewsUrl = Annotated[
    str | None,
    typer.Option(
        "--views-url",
        metavar="URL",
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
