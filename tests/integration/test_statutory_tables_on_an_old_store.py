"""The statutory steps' tables on a store of release 0.1 (vanhan version tallenne).

Release 0.1's views have no decision column on services and none of the four tables of
the statutory steps: the first start adds the column and the tables, the case's children
read back as members since its opening, and new decisions, children and orders citing a
decision are stored as the live folds give them, before and after a rebuild.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import inspect

from perhetyo import ClosureReason, DecisionOutcome, FamilyCases, PersonRef, ServiceKind
from perhetyo.testing import FakeClock, a_child, a_worker, an_actor

from .test_release_0_1_store import CASE_ID, FIXTURE

SIBLING = PersonRef(id="child-2", display_name="Sisko S.")


def test_an_old_store_gains_the_new_tables_and_stores_the_statutory_steps(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "cases.db"
    shutil.copyfile(FIXTURE, copy)
    me = an_actor()

    with FamilyCases(f"sqlite:///{copy}", clock=FakeClock()) as cases:
        views = cases.stored_views
        # Release 0.1's tables lack columns that cannot be added (the matters' flags are
        # NOT NULL): the first update rebuilds them, counting the log's six events.
        assert cases.update_projections() == 6
        columns = {c["name"] for c in inspect(views.engine).get_columns("perhetyo_services")}
        assert "decision_id" in columns
        assert views.current_plan(CASE_ID) == cases.current_plan(CASE_ID, actor=me)
        [membership] = cases.current_plan(CASE_ID, actor=me).memberships
        assert (membership.child, membership.joined_on) == (a_child(), date(2020, 8, 12))

        decision = cases.decide_service(
            CASE_ID, kind=ServiceKind.SUPPORT_FAMILY, outcome=DecisionOutcome.GRANTED,
            decided_on=date(2020, 11, 2), legal_sections=["SHL 28 §"], reasoning="Perusteltu",
            decision_maker=a_worker(), actor=me,
        )
        cases.order_service(
            CASE_ID, kind=ServiceKind.SUPPORT_FAMILY, provider="Tukiperhe",
            ordered_on=date(2020, 11, 3), decision_id=decision, actor=me,
        )
        cases.add_child(CASE_ID, child=SIBLING, joined_on=date(2020, 11, 4), actor=me)
        cases.remove_child(
            CASE_ID, child_id="child-2", left_on=date(2020, 11, 30),
            reason=ClosureReason.MOVED_AWAY, not_heard_reason="Muutti pois", actor=me,
        )
        assert cases.update_projections() == 4
        live = cases.current_plan(CASE_ID, actor=me)
        assert views.current_plan(CASE_ID) == live
        assert [m.child.id for m in live.memberships] == ["child-1", "child-2"]

        assert cases.rebuild_projections() == 6 + 4
        assert views.current_plan(CASE_ID) == live
