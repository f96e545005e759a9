"""Asian arvot (the matter's values): how a matter became pending, and its deadlines.

The enumerations of the matter (asia), its service-needs assessment and their statutory
deadlines, with their Finnish and Swedish labels. They live apart from
:mod:`perhetyo.values` only to keep that module readable; it imports them, merges the
labels into ``FINNISH_LABELS`` and ``SWEDISH_LABELS`` and re-exports the names, so import
them from ``perhetyo`` or ``perhetyo.values``. This module imports nothing of perhetyo.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = ["FINNISH", "SWEDISH", "DeadlineKind", "DeadlineStatus", "Initiation"]


class Initiation(StrEnum):
    """How the matter became pending (vireilletulon tapa): Kanta's VT and PTA structures."""

    APPLICATION = "application"
    CHILD_WELFARE_NOTIFICATION = "child_welfare_notification"
    NOTIFICATION = "notification"
    CONTACT_REQUEST = "contact_request"
    CLIENT_CONTACT = "client_contact"
    OWN_INITIATIVE = "own_initiative"
    OTHER = "other"


class DeadlineKind(StrEnum):
    """Kind of statutory deadline (määräajan laji)."""

    ASSESSMENT_START = "assessment_start"
    ASSESSMENT_COMPLETION = "assessment_completion"
    PLAN_REVIEW = "plan_review"


class DeadlineStatus(StrEnum):
    """Where a deadline stands on a date (määräajan tila)."""

    MET = "met"
    MET_LATE = "met_late"
    OPEN = "open"
    OVERDUE = "overdue"
    VOID = "void"


FINNISH: Final[dict[type[StrEnum], dict[StrEnum, str]]] = {
    Initiation: {
        Initiation.APPLICATION: "hakemus",
        Initiation.CHILD_WELFARE_NOTIFICATION: "lastensuojeluilmoitus",
        Initiation.NOTIFICATION: "ilmoitus sosiaalihuollon tarpeesta",
        Initiation.CONTACT_REQUEST: "yhteydenottopyyntö",
        Initiation.CLIENT_CONTACT: "asiakkaan oma yhteydenotto",
        Initiation.OWN_INITIATIVE: "viranomaisen oma aloite",
        Initiation.OTHER: "muu",
    },
    DeadlineKind: {
        DeadlineKind.ASSESSMENT_START: "palvelutarpeen arvioinnin aloittaminen",
        DeadlineKind.ASSESSMENT_COMPLETION: "palvelutarpeen arvioinnin valmistuminen",
        DeadlineKind.PLAN_REVIEW: "asiakassuunnitelman tarkistaminen",
    },
    DeadlineStatus: {
        DeadlineStatus.MET: "toteutui ajallaan",
        DeadlineStatus.MET_LATE: "toteutui myöhässä",
        DeadlineStatus.OPEN: "avoinna",
        DeadlineStatus.OVERDUE: "myöhässä",
        DeadlineStatus.VOID: "rauennut",
    },
}
"""Finnish labels of the matter's enumerations."""

SWEDISH: Final[dict[type[StrEnum], dict[StrEnum, str]]] = {
    Initiation: {
        Initiation.APPLICATION: "ansökan",
        Initiation.CHILD_WELFARE_NOTIFICATION: "barnskyddsanmälan",
        Initiation.NOTIFICATION: "anmälan om behov av socialvård",
        Initiation.CONTACT_REQUEST: "begäran om kontakt",
        Initiation.CLIENT_CONTACT: "klientens egen kontakt",
        Initiation.OWN_INITIATIVE: "myndighetens eget initiativ",
        Initiation.OTHER: "annat",
    },
    DeadlineKind: {
        DeadlineKind.ASSESSMENT_START: "inledande av servicebehovsbedömningen",
        DeadlineKind.ASSESSMENT_COMPLETION: "slutförande av servicebehovsbedömningen",
        DeadlineKind.PLAN_REVIEW: "översyn av klientplanen",
    },
    DeadlineStatus: {
        DeadlineStatus.MET: "uppfylld i tid",
        DeadlineStatus.MET_LATE: "uppfylld för sent",
        DeadlineStatus.OPEN: "öppen",
        DeadlineStatus.OVERDUE: "försenad",
        DeadlineStatus.VOID: "förfallen",
    },
}
"""Swedish labels of the matter's enumerations."""
