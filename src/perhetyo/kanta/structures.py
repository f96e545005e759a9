"""Document structures (asiakirjarakenteet): THL's structures perhetyo produces, by OID.

Each :class:`Structure` names one of THL's national document structures of
social-welfare client records: its OID with version (``1.2.246.537.6.1506.15007.2024.11.28``),
the short name these pages use (LPS), its Finnish title, the key of its body's root
object and the vendored schema file (``schemas/<oid>.json``, see ``schemas/SOURCE.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ASSESSMENT",
    "CANCELLATION",
    "CHILD_VIEW",
    "CLIENT_PLAN",
    "DISCLOSURE",
    "MATTER_PENDING",
    "MEETING",
    "NEGOTIATION",
    "SERVICE_DECISION",
    "SERVICE_ENDED",
    "SERVICE_STARTED",
    "STRUCTURES",
    "Structure",
]


@dataclass(frozen=True)
class Structure:
    """A national document structure (asiakirjarakenne): OID, short name, title, root key."""

    oid: str
    short: str
    title: str
    root: str
    requires_identity_code: bool = False
    """Whether every client must have a personal identity code (henkilötunnus REQ), as
    in PTA and LPS; the others take a temporary id instead."""

    @property
    def schema_file(self) -> str:
        """The vendored schema's file name."""
        return f"{self.oid}.json"


MATTER_PENDING: Final = Structure(
    "1.2.246.537.6.1506.19001.2023.10.30",
    "VT",
    "Merkintä asian vireilletulosta",
    "merkinta_asian_vireilletulosta",
)
ASSESSMENT: Final = Structure(
    "1.2.246.537.6.1506.1005.2023.9.8",
    "PTA",
    "Lapsen ja perheen palvelutarpeen arvio",
    "lapsen_ja_perheen_palvelutarpeen_arvio",
    requires_identity_code=True,
)
CLIENT_PLAN: Final = Structure(
    "1.2.246.537.6.1506.15007.2024.11.28",
    "LPS",
    "Lapsiperheiden palvelujen asiakassuunnitelma",
    "lapsiperheiden_palvelujen_asiakassuunnitelma",
    requires_identity_code=True,
)
SERVICE_DECISION: Final = Structure(
    "1.2.246.537.6.1506.11001.2023.9.8",
    "PP",
    "Lapsiperheiden palvelupäätös",
    "lapsiperheiden_palvelupaatos",
)
SERVICE_STARTED: Final = Structure(
    "1.2.246.537.6.1506.19002.2022.1.10",
    "SA",
    "Merkintä sosiaalipalvelun alkamisesta",
    "merkinta_sosiaalipalvelun_alkamisesta",
)
SERVICE_ENDED: Final = Structure(
    "1.2.246.537.6.1506.19012.2022.1.10",
    "SP",
    "Merkintä sosiaalipalvelun päättymisestä",
    "merkinta_sosiaalipalvelun_paattymisesta",
)
NEGOTIATION: Final = Structure(
    "1.2.246.537.6.1506.19004.2022.1.10",
    "NEU",
    "Merkintä neuvottelusta",
    "merkinta_neuvottelusta",
)
MEETING: Final = Structure(
    "1.2.246.537.6.1506.19005.2022.1.10",
    "TAP",
    "Merkintä tapaamisesta tai yhteydenotosta",
    "merkinta_tapaamisesta_tai_yhteydenotosta",
)
CANCELLATION: Final = Structure(
    "1.2.246.537.6.1506.19006.2022.9.28",
    "PER",
    "Merkintä neuvottelun, tapaamisen tai yhteydenoton peruuntumisesta",
    "merkinta_neuvottelun_tapaamisen_tai_yhteydenoton_peruuntumisesta",
)
CHILD_VIEW: Final = Structure(
    "1.2.246.537.6.1506.5005.2023.9.28",
    "MIE",
    "Sosiaalihuollon mielipiteen selvittämisasiakirja",
    "sosiaalihuollon_mielipiteen_selvittamisasiakirja",
)
DISCLOSURE: Final = Structure(
    "1.2.246.537.6.1506.19010.2023.9.8",
    "LUO",
    "Merkintä asiakastietojen luovuttamisesta",
    "merkinta_asiakastietojen_luovuttamisesta",
)

STRUCTURES: Final[dict[str, Structure]] = {
    structure.oid: structure
    for structure in (
        MATTER_PENDING,
        ASSESSMENT,
        CLIENT_PLAN,
        SERVICE_DECISION,
        SERVICE_STARTED,
        SERVICE_ENDED,
        NEGOTIATION,
        MEETING,
        CANCELLATION,
        CHILD_VIEW,
        DISCLOSURE,
    )
}
"""Every structure perhetyo produces, by its OID (with version)."""
