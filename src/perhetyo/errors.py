"""Errors (virheet): the exception tree of perhetyo.

Every error the library raises is a :class:`PerhetyoError` with a stable ``code``.
Messages carry field names, ids and codes, never a client's personal data::

    PerhetyoError
    ├── InvalidCommandError(ValueError)     bad input; .errors is pydantic's list, no inputs
    ├── ConfigurationError(ValueError)      a bad URL or setting
    │   └── MasterKeyError                  a master key missing, malformed or wrong for the store
    ├── CaseNotFoundError(LookupError)      no such case (or not yet, for as_of/recorded_before)
    ├── CaseErasedError(LookupError)        the case was erased (its data key destroyed)
    ├── RuleViolationError                  the command breaks a rule of the case
    │   ├── CaseClosedError
    │   ├── CaseAlreadyExistsError
    │   ├── WorkerNotQualifiedError
    │   ├── DateOutOfRangeError
    │   ├── OutOfOrderError
    │   ├── UnknownChildError
    │   ├── GoalNotFoundError
    │   ├── GoalAlreadyFinalError
    │   ├── ServiceNotFoundError
    │   ├── ServiceLifecycleError
    │   ├── ClosureIncompleteError
    │   ├── ErasureRefusedError
    │   ├── RequestConflictError
    │   ├── EntryNotFoundError             a correction points at no earlier event
    │   ├── DisclosureBannedError          a disclosure to a person a minor's ban covers
    │   ├── DecisionNotFoundError
    │   ├── DecisionNotApplicableError
    │   ├── ChildAlreadyInCaseError
    │   ├── LastChildError
    │   ├── MatterNotFoundError
    │   ├── AssessmentLifecycleError
    │   └── ChildWelfareConflictError
    ├── ConcurrentUpdateError               the case stayed busy past lock_timeout; retry
    ├── StorageError                        the database failed or is unreachable; .reason
    │   └── StoreClosedError                the FamilyCases was closed
    ├── CorruptRecordError                  a stored event cannot be read; .case_id, .version
    │   └── TamperedRecordError             a stored event fails the tamper-evident chain
    ├── ProjectionError                     a stored projection could not be updated
    └── KantaError                          a Kanta document cannot be made (perhetyo.kanta)
        ├── UnknownPersonError(LookupError)     the people resolver does not know an id
        ├── MissingKantaCodeError(LookupError)  no code value for an enum member
        ├── ClientIdentityError(ValueError)     a client's identity code or temporary id
        └── InvalidKantaDocumentError(ValueError)  a body fails its structure's schema
"""

from __future__ import annotations

from typing import ClassVar, TypedDict

__all__ = [
    "AssessmentLifecycleError",
    "CaseAlreadyExistsError",
    "CaseClosedError",
    "CaseErasedError",
    "CaseNotFoundError",
    "ChildAlreadyInCaseError",
    "ChildWelfareConflictError",
    "ClientIdentityError",
    "ClosureIncompleteError",
    "ConcurrentUpdateError",
    "ConfigurationError",
    "CorruptRecordError",
    "DateOutOfRangeError",
    "DecisionNotApplicableError",
    "DecisionNotFoundError",
    "DisclosureBannedError",
    "EntryNotFoundError",
    "ErasureRefusedError",
    "FieldError",
    "GoalAlreadyFinalError",
    "GoalNotFoundError",
    "InvalidCommandError",
    "InvalidKantaDocumentError",
    "KantaError",
    "LastChildError",
    "MasterKeyError",
    "MatterNotFoundError",
    "MissingKantaCodeError",
    "OutOfOrderError",
    "PerhetyoError",
    "ProjectionError",
    "RequestConflictError",
    "RuleViolationError",
    "ServiceLifecycleError",
    "ServiceNotFoundError",
    "StorageError",
    "StoreClosedError",
    "TamperedRecordError",
    "UnknownChildError",
    "UnknownPersonError",
    "WorkerNotQualifiedError",
]


class FieldError(TypedDict):
    """One shape error (kenttävirhe): where, what kind, and pydantic's message; no input."""

    type: str
    loc: tuple[int | str, ...]
    msg: str


class PerhetyoError(Exception):
    """Base of every error raised by perhetyo (perhetyon virhe)."""

    code: ClassVar[str] = "perhetyo_error"


class InvalidCommandError(PerhetyoError, ValueError):
    """The command's shape is invalid (virheellinen komento): see ``errors``."""

    code = "invalid_command"

    def __init__(self, command: str, errors: list[FieldError]) -> None:
        self.command = command
        self.errors = errors
        fields = ", ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(command)'}: {error['type']}"
            for error in errors
        )
        super().__init__(f"{command} is invalid: {fields}")


class ConfigurationError(PerhetyoError, ValueError):
    """A URL or setting is not understood (virheellinen asetus)."""

    code = "configuration_error"


class MasterKeyError(ConfigurationError):
    """The master key (pääavain) is missing, malformed, or not the store's; nothing written."""

    code = "master_key"


class CaseErasedError(PerhetyoError, LookupError):
    """The case was erased (asiakkuus hävitetty): its data key destroyed; ``case_id`` names it."""

    code = "case_erased"

    def __init__(self, case_id: object) -> None:
        self.case_id = case_id
        super().__init__(f"case {case_id} was erased: its records can no longer be read")


class CaseNotFoundError(PerhetyoError, LookupError):
    """No case has this id (asiakkuutta ei löydy), or none yet at the asked time."""

    code = "case_not_found"

    def __init__(self, case_id: object) -> None:
        self.case_id = case_id
        super().__init__(f"case {case_id} not found")


class RuleViolationError(PerhetyoError):
    """The command breaks a rule of the case (sääntörikkomus); nothing was recorded."""

    code = "rule_violation"


class CaseClosedError(RuleViolationError):
    """The case is closed (asiakkuus on päättynyt): nothing more is recorded on it."""

    code = "case_closed"


class CaseAlreadyExistsError(RuleViolationError):
    """A case with this id already exists (asiakkuus on jo olemassa)."""

    code = "case_already_exists"


class WorkerNotQualifiedError(RuleViolationError):
    """The named worker's profession does not allow the role (ei kelpoinen omatyöntekijäksi)."""

    code = "worker_not_qualified"


class DateOutOfRangeError(RuleViolationError):
    """Date out of range (päivämäärä ei kelpaa): before the opening, future, or before set."""

    code = "date_out_of_range"


class OutOfOrderError(RuleViolationError):
    """A date is earlier than an earlier step of the same thread (väärä järjestys)."""

    code = "out_of_order"


class UnknownChildError(RuleViolationError):
    """The child id is not one of this case's children (tuntematon lapsi)."""

    code = "unknown_child"


class GoalNotFoundError(RuleViolationError):
    """The goal id is not a goal of this case (tavoitetta ei löydy)."""

    code = "goal_not_found"


class GoalAlreadyFinalError(RuleViolationError):
    """Goal already final (tavoite on jo päätetty): it takes no more updates."""

    code = "goal_already_final"


class ServiceNotFoundError(RuleViolationError):
    """The service id is not a service of this case (palvelua ei löydy)."""

    code = "service_not_found"


class ServiceLifecycleError(RuleViolationError):
    """The service is not in a state that allows this step (palvelun tila ei salli)."""

    code = "service_lifecycle"


class ClosureIncompleteError(RuleViolationError):
    """Closure incomplete (päättäminen kesken): a service runs or a child's view is missing."""

    code = "closure_incomplete"


class ErasureRefusedError(RuleViolationError):
    """The case cannot be erased (hävittäminen estetty): it is open, or the store has no key."""

    code = "erasure_refused"


class RequestConflictError(RuleViolationError):
    """Request conflict (pyyntötunniste jo käytetty): the id came with other arguments."""

    code = "request_conflict"


class EntryNotFoundError(RuleViolationError):
    """No earlier entry has this version (korjattavaa merkintää ei löydy)."""

    code = "entry_not_found"


class DisclosureBannedError(RuleViolationError):
    """A minor's ban covers the recipient, or cannot be checked (luovutuskielto)."""

    code = "disclosure_banned"


class DecisionNotFoundError(RuleViolationError):
    """The decision id is not a service decision of this case (päätöstä ei löydy)."""

    code = "decision_not_found"


class DecisionNotApplicableError(RuleViolationError):
    """The decision does not cover this order (päätös ei kata tilausta): denied, other, expired."""

    code = "decision_not_applicable"


class ChildAlreadyInCaseError(RuleViolationError):
    """The child is already in this case (lapsi on jo asiakkuudessa): joining twice."""

    code = "child_already_in_case"


class LastChildError(RuleViolationError):
    """The last child cannot leave the case (viimeinen lapsi): close the case instead."""

    code = "last_child"


class MatterNotFoundError(RuleViolationError):
    """No such matter in the case (asiaa ei löydy), or the case has no matter pending."""

    code = "matter_not_found"


class AssessmentLifecycleError(RuleViolationError):
    """The assessment step does not fit (arvioinnin vaihe): twice, or not started yet."""

    code = "assessment_lifecycle"


class ChildWelfareConflictError(RuleViolationError):
    """The case is already under the Child Welfare Act (jo lastensuojelun asiakkuus)."""

    code = "child_welfare_conflict"


class ConcurrentUpdateError(PerhetyoError):
    """The case stayed busy past the lock timeout (samanaikainen päivitys); retry later."""

    code = "concurrent_update"


class StorageError(PerhetyoError):
    """The event store or the database failed or is unreachable (tallennusvirhe): ``reason``."""

    code = "storage_error"
    # ``reason`` is a stable code saying why, without secrets: connection_refused,
    # host_unknown, database_missing, authentication_failed, permission_denied, timeout,
    # locked, pool_exhausted, disk_full, not_a_database, read_only, schema_missing,
    # tls_failed, rejected, closed or other (perhetyo.persistence.errors.REASONS).

    def __init__(self, message: str, *, reason: str = "other") -> None:
        self.reason = reason
        super().__init__(message)


class StoreClosedError(StorageError):
    """The store was closed (tallennus suljettu): open a new FamilyCases."""

    code = "store_closed"

    def __init__(self, message: str = "the store is closed: open a new FamilyCases") -> None:
        super().__init__(message, reason="closed")


class CorruptRecordError(PerhetyoError):
    """A stored event cannot be read (vioittunut tallenne); named by case and version only."""

    code = "corrupt_record"

    def __init__(self, case_id: object, version: object, problem: str) -> None:
        self.case_id = case_id
        self.version = version
        self.problem = problem
        super().__init__(f"stored event {version} of case {case_id} cannot be read: {problem}")


class TamperedRecordError(CorruptRecordError):
    """A stored event fails its chain check (muutettu tallenne); its content is never read."""

    code = "tampered_record"

    def __init__(self, case_id: object, version: object) -> None:
        super().__init__(case_id, version, "it fails the tamper-evident chain check")


class ProjectionError(PerhetyoError):
    """A stored projection could not be updated or rebuilt (näkymävirhe)."""

    code = "projection_error"


class KantaError(PerhetyoError):
    """A Kanta document cannot be made (Kanta-asiakirjaa ei voi muodostaa); ids only."""

    code = "kanta_error"


class UnknownPersonError(KantaError, LookupError):
    """The people resolver does not know this person (tuntematon henkilö): ``person_id``."""

    code = "kanta_unknown_person"

    def __init__(self, person_id: str) -> None:
        self.person_id = person_id
        super().__init__(
            f"the people resolver does not know person {person_id}: give their surname, "
            "first names and (for a client) a personal identity code or a temporary id"
        )


class MissingKantaCodeError(KantaError, LookupError):
    """No code value for an enum member (koodiarvo puuttuu): ``member`` and ``code_set``."""

    code = "kanta_code_missing"

    def __init__(self, member: str, code_set: str, code_set_name: str) -> None:
        self.member = member
        self.code_set = code_set
        super().__init__(
            f"no code value for {member} in the national code set {code_set} "
            f"({code_set_name}): add it to the KantaCodes, from the national code server"
        )


class ClientIdentityError(KantaError, ValueError):
    """A client's identity is not enough for the structure (asiakkaan tunniste puuttuu)."""

    code = "kanta_client_identity"

    def __init__(self, person_id: str, problem: str) -> None:
        self.person_id = person_id
        super().__init__(f"client {person_id}: {problem}")


class InvalidKantaDocumentError(KantaError, ValueError):
    """A document fails its structure's schema (ei rakenteen mukainen): paths, no values."""

    code = "kanta_invalid_document"

    def __init__(self, structure_oid: str, problems: list[str]) -> None:
        self.structure_oid = structure_oid
        self.problems = problems
        super().__init__(
            f"the document does not validate against structure {structure_oid}: "
            + "; ".join(problems)
        )
