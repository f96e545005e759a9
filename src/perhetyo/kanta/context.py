"""Organisation facts (organisaation tiedot): what a structure needs beyond the case.

A service decision (PP) names a contact person with a postal address and a phone number,
appeal instructions and the authority to appeal to, and a signature; every document may
name its author's service unit. None of that is in a case's events: the host gives it as a
:class:`KantaContext`, one per organisation (a welfare county, or its unit). It holds no
client data. :meth:`KantaContext.for_testing` gives obviously fake values.
"""

from __future__ import annotations

from typing import Self

from perhetyo.values import Oid, ShortText, Text, ValueModel

__all__ = ["ContactPerson", "KantaContext", "Organisation", "PostalAddress"]


class PostalAddress(ValueModel):
    """Postal address (postiosoite): street address, postcode and post office."""

    street: ShortText
    """Lähiosoite, e.g. "PL 100" or "Esimerkkikatu 1"."""
    postcode: ShortText
    """Postinumero, e.g. "00100"."""
    post_office: ShortText
    """Postitoimipaikka, e.g. "HELSINKI"."""

    def as_body(self) -> dict[str, str]:
        """The structure's shape: lahiosoite, postinumero, postitoimipaikka."""
        return {
            "lahiosoite": self.street,
            "postinumero": self.postcode,
            "postitoimipaikka": self.post_office,
        }


class ContactPerson(ValueModel):
    """Contact person (lisätietojen antaja): whom a decision's client asks for more."""

    surname: ShortText
    first_names: ShortText
    title: ShortText | None = None
    """Job title (tehtävänimike)."""
    postal_address: PostalAddress
    phone: ShortText
    email: ShortText | None = None


class Organisation(ValueModel):
    """An authority (viranomainen) named in a decision: the appeal authority, by name."""

    name: ShortText
    postal_address: PostalAddress | None = None
    phone: ShortText | None = None
    email: ShortText | None = None


class KantaContext(ValueModel):
    """Organisation facts for Kanta documents (Kanta-asiakirjojen organisaatiotiedot).

    Field by field (each is printed into the documents named):

    - ``service_unit_oid``, ``service_unit_name``: the service unit (palveluyksikkö) in
      THL's SOTE organisation register (code set 1.2.246.537.6.202), for an author whose
      :class:`~perhetyo.Actor` has no ``unit_oid`` of its own (every structure's Laatija);
    - ``contact_person``: who gives more information on a decision, with a postal address
      and a phone number (PP: Lisätietojen antaja, required);
    - ``appeal_instructions``: the appeal instructions' text (PP: Muutoksenhaku, Ohjeteksti);
    - ``appeal_authority``: the authority appealed to (PP: Viranomainen), optional;
    - ``appeal_period``: the time limit to appeal, e.g. "30 päivää tiedoksisaannista"
      (PP: Määräaika), optional;
    - ``signature_type_code``, ``signature_type_display``: the decision's signature type,
      a code of eArkisto's code set 1.2.246.537.5.40161 (PP: Allekirjoitus, required),
      as your archive practice records it.
    """

    service_unit_oid: Oid | None = None
    service_unit_name: ShortText | None = None
    contact_person: ContactPerson
    appeal_instructions: Text
    appeal_authority: Organisation | None = None
    appeal_period: ShortText | None = None
    signature_type_code: ShortText
    signature_type_display: ShortText

    @classmethod
    def for_testing(cls) -> Self:
        """Obviously fake organisation facts, for tests and the demo: never for Kanta."""
        address = PostalAddress(street="Testikatu 1", postcode="00000", post_office="TESTILÄ")
        return cls(
            service_unit_oid="1.2.246.10.0.0.0",
            service_unit_name="TESTI palveluyksikkö",
            contact_person=ContactPerson(
                surname="Testaaja",
                first_names="Testi",
                title="TESTI sosiaalityöntekijä",
                postal_address=address,
                phone="+358 00 000 0000",
            ),
            appeal_instructions="TESTI: tähän organisaation oikaisuvaatimusohje.",
            appeal_authority=Organisation(name="TESTI hyvinvointialue", postal_address=address),
            appeal_period="TESTI 30 päivää",
            signature_type_code="TEST-SIGNATURE",
            signature_type_display="TESTI allekirjoitus",
        )
