"""Privacy commands (tietosuoja): erase a closed case (crypto-shredding)."""

from __future__ import annotations

from perhetyo.commands.base import CaseCommand
from perhetyo.values import ShortText

__all__ = ["EraseCase"]


class EraseCase(CaseCommand[None]):
    """Erase a closed case (hävitä asiakastiedot): record why, then destroy its data key.

    ``reason`` says why (for example the retention period that ended); it is stored
    encrypted under the store's erasure key and never shown in summaries.
    """

    reason: ShortText
