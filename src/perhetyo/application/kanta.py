"""Kanta-asiakirjat (Kanta documents): a case's facts in THL's national structures.

:meth:`KantaCalls.kanta_documents` is a read of the case (logged in the access log as
``AccessAction.KANTA``): it folds the case's events into one document per fact that has a
structure (:mod:`perhetyo.kanta`), each validated against THL's schema before it is
returned. The identities the host's ``people`` resolver gives are put into the documents
only: nothing of them is stored or logged.
"""

from __future__ import annotations

from uuid import UUID

from perhetyo.access import AccessAction
from perhetyo.application.core import CasesCore
from perhetyo.kanta import (
    KantaCodes,
    KantaContext,
    KantaDocument,
    PeopleResolver,
    documents_for_events,
)
from perhetyo.values import Actor

__all__ = ["KantaCalls"]


class KantaCalls(CasesCore):
    """Kanta-asiakirjat (Kanta documents): the read that derives them."""

    def kanta_documents(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        people: PeopleResolver,
        codes: KantaCodes,
        context: KantaContext,
        purpose: str | None = None,
    ) -> list[KantaDocument]:
        """Every Kanta document of the case, in recorded order, each valid by its schema.

        ``people`` maps a person's id (a child's, a worker's, an actor's) to their
        :class:`~perhetyo.kanta.PersonIdentity`; ``codes`` gives the code values of the
        national code sets, ``context`` the organisation's facts (docs/kanta.md). Raises
        UnknownPersonError, MissingKantaCodeError or ClientIdentityError on bad input;
        a case with no fact of a structure has no document of it. The read is logged
        before anything is returned.
        """
        if not isinstance(codes, KantaCodes) or not isinstance(context, KantaContext):
            raise TypeError("codes must be a KantaCodes and context a KantaContext")
        events = self._read(case_id, actor, purpose, None, None, action=AccessAction.KANTA)
        return documents_for_events(events, people=people, codes=codes, context=context)
