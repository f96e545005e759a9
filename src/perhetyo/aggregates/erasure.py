"""Asiakastietojen hävittäminen (erasing a case): the rule and the event that records it."""

from __future__ import annotations

from datetime import datetime

from perhetyo.aggregates.state import CaseState, applies, decides
from perhetyo.commands import EraseCase
from perhetyo.errors import ErasureRefusedError
from perhetyo.events import CaseErased, ErasureSummary
from perhetyo.time import today_in

__all__ = ["ErasureRules"]


class ErasureRules(CaseState):
    """Asiakastietojen hävittäminen (erasing a case): only a closed case, and only once.

    Erasing is more than recording an event: the application destroys the case's data key
    after it, so :meth:`perhetyo.FamilyCases.erase_case` (and ``execute(EraseCase(...))``)
    calls this with the summary it folded from the case's events; called without one, it
    refuses. A case already erased cannot be loaded at all
    (:class:`~perhetyo.errors.CaseErasedError`), so "only once" holds before this runs.
    """

    __slots__ = ()

    @decides(EraseCase)
    def erase_case(
        self, command: EraseCase, now: datetime, summary: ErasureSummary | None = None
    ) -> None:
        """Record that the case is erased (hävitä asiakastiedot); a closed case only."""
        if self.is_open:
            raise ErasureRefusedError(f"case {self.id} is open: only a closed case is erased")
        if summary is None:
            raise ErasureRefusedError("a case is erased through FamilyCases.erase_case")
        self._record(
            CaseErased,
            command,
            now,
            erased_on=max(today_in(now), self.latest_on),
            reason=command.reason,
            summary=summary,
        )

    @applies(CaseErased)
    def _erased(self, event: CaseErased) -> None:
        """Nothing more is decided on an erased case: it can no longer be loaded."""
