"""The key commands (avaimet): rotate the master key of an encrypted store.

::

    PERHETYO_MASTER_KEY=old PERHETYO_NEW_MASTER_KEY=new perhetyo rotate-key --url URL
    printf '%s\\n%s\\n' "$OLD" "$NEW" | perhetyo rotate-key --url URL
    PERHETYO_MASTER_KEY=old perhetyo rotate-key --url URL --generate   # prints the new key

Keys are never command-line arguments: a process's arguments are visible to every user of
the machine (``ps``) and end up in shell histories. Each key comes from its environment
variable (``PERHETYO_MASTER_KEY``, ``PERHETYO_NEW_MASTER_KEY``) or, when that is not set, a
line of standard input (the old key first). ``--generate`` makes the new key and prints it
on standard output, its only output there; everything else goes to standard error.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Final

import typer

from perhetyo.application import FamilyCases
from perhetyo.cli.app import StoreUrl, require_existing_store
from perhetyo.errors import MasterKeyError
from perhetyo.persistence import DEFAULT_URL
from perhetyo.persistence.keyring import MASTER_KEY_VARIABLE, generate_key

__all__ = ["NEW_MASTER_KEY_VARIABLE", "key_from", "rotate_key"]

NEW_MASTER_KEY_VARIABLE: Final = "PERHETYO_NEW_MASTER_KEY"


def key_from(variable: str, what: str) -> str:
    """A key from its environment variable, else a line of standard input."""
    value = os.environ.get(variable)
    if value:
        return value
    line = sys.stdin.readline().strip()
    if not line:
        raise MasterKeyError(f"no {what}: set {variable} or give it as a line of standard input")
    return line


def rotate_key(
    url: StoreUrl = DEFAULT_URL,
    generate: Annotated[
        bool,
        typer.Option(
            "--generate",
            help="Luo uusi avain ja tulosta se (vain se) vakiotulosteeseen.",
        ),
    ] = False,
) -> None:
    """Vaihda salatun tallennuspaikan pääavain (pääavaimen kierrätys).

    Vanha avain luetaan ympäristömuuttujasta PERHETYO_MASTER_KEY ja uusi muuttujasta
    PERHETYO_NEW_MASTER_KEY, tai kumpikin vakiosyötteen rivinä (vanha ensin). Avaimia ei
    anneta komentorivillä. Jokaisen asiakkuuden avain kääritään uudelleen yhdessä
    transaktiossa; sen jälkeen vain uusi avain avaa tallennuspaikan. Pysäytä muut
    prosessit ensin.
    """
    require_existing_store(url)
    old = key_from(MASTER_KEY_VARIABLE, "current master key")
    new = generate_key() if generate else key_from(NEW_MASTER_KEY_VARIABLE, "new master key")
    with FamilyCases(url=url, master_key=old) as cases:
        count = cases.rotate_master_key(new)
    if generate:
        typer.echo(new)
    typer.echo(f"pääavain vaihdettu: {count} avainta kääritty uudelleen", err=True)
