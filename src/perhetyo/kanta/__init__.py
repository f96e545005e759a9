"""Kanta documents (Kanta-asiakirjat): a case's facts in THL's national structures.

A welfare county archives its social-welfare client records in Kanta in THL's national
document structures. perhetyo derives one document per fact that has a structure from a
case's events (:meth:`perhetyo.FamilyCases.kanta_documents`), and checks each against THL's
own JSON Schema (:func:`validate`). The host gives what the events do not hold: people's
identities (:class:`PersonIdentity`, never stored), the code values of the national code
sets (:class:`KantaCodes`) and the organisation's facts (:class:`KantaContext`). See
docs/kanta.md.

This package imports nothing of the application: the application imports it.
"""

from perhetyo.kanta.codes import CODE_SETS, CodeSet, KantaCode, KantaCodes, Urgency
from perhetyo.kanta.context import ContactPerson, KantaContext, Organisation, PostalAddress
from perhetyo.kanta.document import KantaDocument
from perhetyo.kanta.people import PeopleResolver, PersonIdentity
from perhetyo.kanta.produce import documents_for_events
from perhetyo.kanta.structures import STRUCTURES, Structure
from perhetyo.kanta.validation import validate

__all__ = [
    "CODE_SETS",
    "STRUCTURES",
    "CodeSet",
    "ContactPerson",
    "KantaCode",
    "KantaCodes",
    "KantaContext",
    "KantaDocument",
    "Organisation",
    "PeopleResolver",
    "PersonIdentity",
    "PostalAddress",
    "Structure",
    "Urgency",
    "documents_for_events",
    "validate",
]
