"""Errors (virheet): one tree, a one-line docstring and a stable, distinct code for each."""

from __future__ import annotations

import inspect

import pytest

import perhetyo
from perhetyo import errors

_ERROR_CLASSES = [
    cls
    for cls in vars(errors).values()
    if inspect.isclass(cls) and issubclass(cls, Exception) and cls.__module__ == errors.__name__
]
_NOT_ERRORS = {"FieldError"}  # the shape of one item of InvalidCommandError.errors


def test_every_error_class_is_exported() -> None:
    assert {cls.__name__ for cls in _ERROR_CLASSES} == set(errors.__all__) - _NOT_ERRORS
    assert set(errors.__all__) <= set(perhetyo.__all__)


@pytest.mark.parametrize("cls", _ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_has_a_one_line_docstring_and_is_a_perhetyo_error(cls: type) -> None:
    doc = cls.__dict__.get("__doc__")
    assert doc
    assert "\n" not in doc.strip()
    assert issubclass(cls, errors.PerhetyoError)


def test_every_error_has_its_own_code() -> None:
    codes = [cls.__dict__.get("code") for cls in _ERROR_CLASSES]

    assert all(isinstance(code, str) and code for code in codes)
    assert len(set(codes)) == len(codes) == len(_ERROR_CLASSES)


def test_errors_also_inherit_the_matching_builtin() -> None:
    assert issubclass(errors.InvalidCommandError, ValueError)
    assert issubclass(errors.ConfigurationError, ValueError)
    assert issubclass(errors.CaseNotFoundError, LookupError)


def test_every_rule_violation_is_a_perhetyo_error() -> None:
    rule_violations = [cls for cls in _ERROR_CLASSES if issubclass(cls, errors.RuleViolationError)]

    assert {cls.__name__ for cls in rule_violations} >= {
        "CaseClosedError",
        "CaseAlreadyExistsError",
        "WorkerNotQualifiedError",
        "DateOutOfRangeError",
        "OutOfOrderError",
        "UnknownChildError",
        "GoalNotFoundError",
        "GoalAlreadyFinalError",
        "ServiceNotFoundError",
        "ServiceLifecycleError",
        "ClosureIncompleteError",
        "RequestConflictError",
    }
    for cls in rule_violations:
        assert issubclass(cls, errors.PerhetyoError)
        assert not issubclass(cls, ValueError)


@pytest.mark.parametrize(
    "cls",
    [errors.ConcurrentUpdateError, errors.StorageError, errors.ProjectionError],
    ids=lambda cls: cls.__name__,
)
def test_operational_errors_are_not_rule_violations(cls: type) -> None:
    assert not issubclass(cls, errors.RuleViolationError)
    assert issubclass(cls, errors.PerhetyoError)


def test_case_not_found_names_only_the_case_id() -> None:
    error = errors.CaseNotFoundError("1234")

    assert error.case_id == "1234"
    assert str(error) == "case 1234 not found"
    assert error.code == "case_not_found"


def test_invalid_command_lists_locations_and_types() -> None:
    error = errors.InvalidCommandError(
        "SetGoal",
        [
            {"type": "string_too_short", "loc": ("description",), "msg": "m"},
            {"type": "value_error", "loc": (), "msg": "m"},
        ],
    )

    assert str(error) == (
        "SetGoal is invalid: description: string_too_short, (command): value_error"
    )
    assert error.command == "SetGoal"
