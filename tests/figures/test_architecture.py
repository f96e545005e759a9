"""The figures' folds import only events and values (arkkitehtuuri), like every fold."""

from __future__ import annotations

import pytest

from test_architecture import SRC, perhetyo_imports


@pytest.mark.parametrize("name", ["statistics.py", "caseload.py"])
def test_the_figures_folds_import_only_events_values_and_other_folds(name: str) -> None:
    allowed = (
        "perhetyo.events",
        "perhetyo.values",
        "perhetyo.record_values",
        "perhetyo.projections.current_plan",
        "perhetyo.projections.deadlines",
        "perhetyo.projections.statistics",
    )
    imports = perhetyo_imports(SRC / "projections" / name)
    assert all(module.startswith(allowed) for module in imports), imports
