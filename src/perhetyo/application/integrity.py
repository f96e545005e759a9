"""Eheys (integrity): the store checked against its tamper-evident chain.

``verify_integrity`` reads stored bytes and checks tags; it decodes no event and returns no
personal data (ids, versions and tags only), so it records no access.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from perhetyo.application.core import CasesCore
from perhetyo.persistence import storage_errors
from perhetyo.persistence.integrity import IntegrityReport, verify_store

__all__ = ["IntegrityCalls"]


class IntegrityCalls(CasesCore):
    """Eheys (integrity): ``verify_integrity`` over every case or one."""

    def verify_integrity(
        self,
        case_id: UUID | None = None,
        *,
        expected_heads: Mapping[UUID, tuple[int, str]] | None = None,
    ) -> IntegrityReport:
        """Check every case (or one) against the chain, and against anchored heads.

        ``expected_heads`` maps case ids to ``(version, tag hex)`` as an earlier report's
        ``heads`` gave them (kept outside the database): a case whose stored head is
        behind its anchored head, or differs from it, is broken. With ``case_id`` only
        that case is read (and only its anchored head checked); an unknown case raises
        :class:`~perhetyo.errors.CaseNotFoundError`.
        """
        self._check_not_closed()
        with storage_errors():
            return verify_store(
                self._store.recorder,
                self._store.chain,
                case_id,
                expected_heads=expected_heads,
            )
