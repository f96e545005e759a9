"""Children's events (lasten asiakkuudet): a child joins the case, or leaves it.

Each child's client relationship is their own (Kanta's asiakkuusasiakirja is personal):
a child who joins a family's case later has their own start, and a child who leaves
before the case closes has their own end, with their view of it.
"""

from __future__ import annotations

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import BusinessDate, ClosureReason, PersonRef
from perhetyo.values import finnish_label as fi

__all__ = ["ChildJoined", "ChildLeft"]


class ChildJoined(CaseEvent):
    """Child joined the case (lapsen asiakkuus alkoi)."""

    TOPIC = "perhetyo.ChildJoined.v1"
    LABEL_FI = "Lapsen asiakkuus alkoi"
    LABEL_EN = "Child joined"
    LABEL_SV = "Barnets klientrelation inleddes"
    DATE_FIELD = "joined_on"

    child: PersonRef
    joined_on: BusinessDate

    def describe(self) -> Summary:
        """The child's id (never the name)."""
        return Summary(f"lapsi {self.child.id} tuli asiakkaaksi", f"child {self.child.id} joined")


class ChildLeft(CaseEvent):
    """Child left the case (lapsen asiakkuus päättyi), with the child's view of it."""

    TOPIC = "perhetyo.ChildLeft.v1"
    LABEL_FI = "Lapsen asiakkuus päättyi"
    LABEL_EN = "Child left"
    LABEL_SV = "Barnets klientrelation avslutades"
    DATE_FIELD = "left_on"

    child_id: str
    left_on: BusinessDate
    reason: ClosureReason
    view: str | None = None
    not_heard_reason: str | None = None

    def describe(self) -> Summary:
        """The child's id, the reason, and whether the child was heard (never the view)."""
        heard_fi = "näkemys kirjattu" if self.view is not None else "ei kuultu, syy kirjattu"
        heard_en = "view recorded" if self.view is not None else "not heard, reason given"
        return Summary(
            f"lapsen {self.child_id} asiakkuus päättyi: {fi(self.reason)}; {heard_fi}",
            f"child {self.child_id} left: {self.reason.value}; {heard_en}",
        )
