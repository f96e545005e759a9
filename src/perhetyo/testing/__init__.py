"""Testing kit (testaustyökalut): helpers for users' tests of code built on perhetyo.

- :class:`FakeClock`: a settable clock to pass as ``FamilyCases(clock=...)``.
- ``an_actor()``, ``a_worker()``, ``a_child()``, ``a_guardian()``: valid sample values.
- :func:`open_sample_case`: a case opened with sample values.
- :func:`scenario`: given commands, when the test acts, then events or an error
  (``THE_CASE`` and ``created(n)`` stand for the ids the givens make).
- Hypothesis strategies (the ``testing`` extra; hypothesis is imported on first use):
  ``ids()``, ``texts()``, ``actors()``, ``person_refs()``, ``named_workers()``,
  ``open_case_commands()``; ``case_commands(history, today=...)``, one command the rules
  accept on a case with that history (the statutory steps too: service decisions and the
  orders citing them, children joining and leaving, a child's own worker, cancelled
  meetings); and ``command_sequences()``, a random valid life of
  one case that :meth:`CommandSequence.run` executes on any store (``with_real_ids`` swaps
  a drawn command's placeholder ids for real ones, to run the steps yourself, for example
  several cases' lives interleaved in one store); ``case_histories(...)``, steered lives
  (a pool of person ids, the children's bounds, a legal basis, closed or open) whose
  :meth:`CaseHistory.apply_to` replays them on any store.
- :class:`CaseStateMachine` (imported on first use: it subclasses hypothesis's
  ``RuleBasedStateMachine``): a state machine over the public API holding the library's
  invariants, to subclass with a service's own rules. See docs/testing.md.

The strategies draw from the case as the aggregate keeps it (``FamilyCase.project``, and the
aggregate's own decide methods), so they follow the rules without restating them.

Every value these strategies draw passes the command's shape check and the case's rules,
so a user's property test can drive perhetyo without knowing them::

    @given(sequence=command_sequences())
    def test_my_report_reads_any_case(sequence: CommandSequence) -> None:
        with FamilyCases("memory://", clock=FakeClock()) as cases:
            real_ids = sequence.run(cases)
            my_report(cases.history(real_ids[sequence.case_id], actor=an_actor()))
"""

from typing import TYPE_CHECKING, Any

from perhetyo.testing.case_strategies import case_commands
from perhetyo.testing.histories import CaseHistory, case_histories
from perhetyo.testing.openings import open_case_commands
from perhetyo.testing.samples import (
    FakeClock,
    a_child,
    a_guardian,
    a_worker,
    an_actor,
    open_sample_case,
)
from perhetyo.testing.scenario import THE_CASE, ExpectedEvent, Scenario, created, scenario
from perhetyo.testing.sequences import CommandSequence, command_sequences, with_real_ids
from perhetyo.testing.story import DEMO_READER, StoryClock, demo_case_id, record_demo_story
from perhetyo.testing.value_strategies import (
    DEFAULT_TODAY,
    actors,
    ids,
    named_workers,
    person_refs,
    texts,
)

if TYPE_CHECKING:
    from perhetyo.testing.machine import CaseStateMachine

__all__ = [
    "DEFAULT_TODAY",
    "DEMO_READER",
    "THE_CASE",
    "CaseHistory",
    "CaseStateMachine",
    "CommandSequence",
    "ExpectedEvent",
    "FakeClock",
    "Scenario",
    "StoryClock",
    "a_child",
    "a_guardian",
    "a_worker",
    "actors",
    "an_actor",
    "case_commands",
    "case_histories",
    "command_sequences",
    "created",
    "demo_case_id",
    "ids",
    "named_workers",
    "open_case_commands",
    "open_sample_case",
    "person_refs",
    "record_demo_story",
    "scenario",
    "texts",
    "with_real_ids",
]


def __getattr__(name: str) -> Any:
    """``CaseStateMachine``, imported on first use: it subclasses hypothesis's machine."""
    if name == "CaseStateMachine":
        try:
            from perhetyo.testing.machine import CaseStateMachine  # noqa: PLC0415 (lazy: hypothesis is optional)
        except ImportError as exc:
            if exc.name is not None and exc.name.split(".")[0] != "hypothesis":
                raise
            raise ImportError(
                "perhetyo.testing.CaseStateMachine needs hypothesis: "
                "pip install perhetyo[testing]"
            ) from exc
        return CaseStateMachine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
