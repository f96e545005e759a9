"""Without hypothesis installed, the kit's plain parts work and its hypothesis parts say
which extra to install."""

from __future__ import annotations

import subprocess
import sys

BLOCK_HYPOTHESIS = """
import sys

class NoHypothesis:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "hypothesis":
            raise ImportError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoHypothesis())
"""


def run(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_HYPOTHESIS + script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def test_importing_the_state_machine_names_the_testing_extra() -> None:
    out = run(
        """
try:
    from perhetyo.testing import CaseStateMachine
except ImportError as exc:
    print(exc)
"""
    )
    assert "pip install perhetyo[testing]" in out
    assert "CaseStateMachine" in out


def test_case_histories_say_which_extra_when_drawn_without_hypothesis() -> None:
    out = run(
        """
from perhetyo.testing import case_histories
try:
    case_histories()
except ImportError as exc:
    print(exc)
"""
    )
    assert "install perhetyo[testing]" in out


def test_scenarios_and_samples_run_without_hypothesis() -> None:
    out = run(
        """
from datetime import date
from perhetyo import LegalBasis, commands as c
from perhetyo.events import GoalSet
from perhetyo.testing import a_child, a_worker, an_actor, scenario

opening = c.OpenCase(children=[a_child()], legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
                     named_worker=a_worker(), opened_on=date(2020, 8, 12), actor=an_actor())
scenario().given(opening).when(
    lambda cases, case_id: cases.set_goal(case_id, description="Arki", set_on=date(2020, 9, 1),
                                          actor=an_actor())
).then_events([GoalSet])
print("scenario ran", "hypothesis" in sys.modules)
"""
    )
    assert "scenario ran False" in out
