"""The state machine's rules for the matter and its assessment (asia ja arviointi).

A mixin of :class:`test_case_machine.FamilyCasesMachine`: the same way of drawing (one
deliberate mistake at most, the outcome predicted by ``case_model``'s ``refusals_*`` from
the arguments alone), for ``record_pending``, ``start_assessment``, ``complete_assessment``
and ``decline_assessment``. Kept apart so that the machine's module stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from case_model import (
    CaseModel,
    Error,
    MatterModel,
    refusals_to_complete,
    refusals_to_pend,
    refusals_to_start_or_decline,
)
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, rule

from perhetyo import (
    DeadlineKind,
    FamilyCases,
    Initiation,
    LegalBasis,
    month_deadline,
    working_day_deadline,
)
from perhetyo.testing import an_actor

# The machine's mistakes (test_case_machine.py names them too: the same strings).
SHAPE = "bad shape"
UNKNOWN_CASE = "unknown case"
BEFORE_FLOOR = "date before the previous step"
BEFORE_OPENING = "date before the opening"
FUTURE = "date in the future"
ON_A_CASE = (SHAPE, UNKNOWN_CASE, BEFORE_OPENING, FUTURE)
IN_A_THREAD = (*ON_A_CASE, BEFORE_FLOOR, BEFORE_FLOOR)
STRANGER = "a child of no case or of another"
UNKNOWN_MATTER = "unknown matter id"

case_ids = Bundle("case_ids")
READER = an_actor("reader-1")


class MatterRules:
    """Rules of the matter and its assessment, mixed into the case machine."""

    if TYPE_CHECKING:
        models: dict[UUID, CaseModel]
        cases: FamilyCases
        touched: set[UUID]

        def begin(self, data: st.DataObject, *mistakes: str) -> str | None: ...
        def case_target(self, data: st.DataObject, case_id: UUID, mistake: str | None) -> UUID: ...
        def business_date(
            self,
            data: st.DataObject,
            model: CaseModel | None,
            floor: date | None,
            mistake: str | None,
        ) -> date: ...
        def text(self, data: st.DataObject, max_length: int = 2_000) -> tuple[str, str]: ...
        def common(self, data: st.DataObject) -> dict[str, Any]: ...
        def today(self) -> date: ...
        @staticmethod
        def child_id(data: st.DataObject, model: CaseModel | None, mistake: str | None) -> str: ...
        @staticmethod
        def shape(
            data: st.DataObject,
            mistake: str | None,
            date_field: str,
            specific: list[dict[str, Any]],
            *,
            on_a_case: bool = True,
        ) -> dict[str, Any] | None: ...
        def run(
            self,
            case_id: UUID,
            model: CaseModel | None,
            shape: dict[str, Any] | None,
            method: str,
            *,
            kwargs: dict[str, Any],
            rules: Callable[[CaseModel], set[Error]],
            targets: tuple[str, ...] = (),
        ) -> Any: ...

    @invariant()
    def each_matters_deadlines_follow_its_dates(self) -> None:
        """The assessment deadlines fall on the working-day calendar's dates counted from
        the matter's pending date, met by its own assessment's steps."""
        for case_id in self.touched:
            model = self.models[case_id]
            for deadline in self.cases.deadlines(case_id, actor=READER, on=self.today()):
                if deadline.matter_id is None:
                    assert deadline.kind is DeadlineKind.PLAN_REVIEW
                    continue
                matter = model.matters[deadline.matter_id]
                if deadline.kind is DeadlineKind.ASSESSMENT_START:
                    assert deadline.due_on == working_day_deadline(matter.pending_on)
                    assert deadline.met_on == (matter.started_on or matter.declined_on)
                else:
                    assert deadline.kind is DeadlineKind.ASSESSMENT_COMPLETION
                    assert deadline.due_on == month_deadline(matter.pending_on)
                    assert deadline.met_on == matter.completed_on
                    assert (deadline.voided_on == matter.declined_on) or model.closed_on

    def _matter_choice(
        self,
        data: st.DataObject,
        model: CaseModel | None,
        mistake: str | None,
        fits: Callable[[MatterModel], bool],
    ) -> tuple[UUID | None, MatterModel | None]:
        """A matter id to send (None: the latest) and the matter the model knows by it:
        mostly one that ``fits`` the step, when there is one."""
        if mistake == UNKNOWN_MATTER or model is None:
            return data.draw(st.uuids(), label="unknown matter id"), None
        fitting = [matter_id for matter_id, matter in model.matters.items() if fits(matter)]
        latest = list(model.matters)[-1]
        ids: list[UUID | None] = [None, *model.matters]
        if fitting and data.draw(st.integers(0, 3), label="a fitting matter") > 0:
            ids = [None if matter_id == latest else matter_id for matter_id in fitting]
        matter_id = data.draw(st.sampled_from(ids), label="matter")
        return matter_id, model.matter(matter_id)[1]

    @rule(case=case_ids, data=st.data())
    def record_pending(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        floor = max(m.pending_on for m in model.matters.values()) if model else None
        on = self.business_date(data, model, floor, mistake)
        kwargs: dict[str, Any] = {
            "pending_on": on,
            "initiated_by": data.draw(st.sampled_from(Initiation)),
            "special_support": data.draw(st.booleans()),
            "urgent": data.draw(st.booleans()),
            **self.common(data),
        }
        shape = self.shape(data, mistake, "pending_on", [{"initiated_by": "rumour"}])
        result = self.run(
            case_id,
            model,
            shape,
            "record_pending",
            kwargs=kwargs,
            rules=lambda model: refusals_to_pend(model, on, self.today()),
        )
        if not isinstance(result, UUID):
            return
        assert model is not None
        assert result not in model.matters
        model.recorded(on)
        model.matters[result] = MatterModel(on)

    def _start_or_decline(self, data: st.DataObject, case: UUID, method: str) -> None:
        mistake = self.begin(data, *IN_A_THREAD, UNKNOWN_MATTER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        matter_id, matter = self._matter_choice(
            data, model, mistake, lambda m: m.started_on is None and m.declined_on is None
        )
        on = self.business_date(data, model, matter.pending_on if matter else None, mistake)
        if method == "start_assessment":
            date_field = "started_on"
            kwargs: dict[str, Any] = {
                "special_support": data.draw(st.none() | st.booleans()),
                "child_welfare_need_assessed": data.draw(st.booleans()),
            }
        else:
            date_field = "decided_on"
            kwargs = {"reason": self.text(data)[0]}
        kwargs |= {date_field: on, "matter_id": matter_id, **self.common(data)}
        shape = self.shape(data, mistake, date_field, [{"matter_id": "not-a-uuid"}])
        outcome = self.run(
            case_id,
            model,
            shape,
            method,
            kwargs=kwargs,
            rules=lambda model: refusals_to_start_or_decline(model, matter_id, on, self.today()),
        )
        if outcome is not None:  # refused
            return
        assert model is not None
        assert matter is not None
        model.recorded(on)
        if method == "start_assessment":
            matter.started_on = on
        else:
            matter.declined_on = on

    @rule(case=case_ids, data=st.data())
    def start_assessment(self, case: UUID, data: st.DataObject) -> None:
        self._start_or_decline(data, case, "start_assessment")

    @rule(case=case_ids, data=st.data())
    def decline_assessment(self, case: UUID, data: st.DataObject) -> None:
        self._start_or_decline(data, case, "decline_assessment")

    @rule(case=case_ids, data=st.data())
    def complete_assessment(self, case: UUID, data: st.DataObject) -> None:
        mistake = self.begin(data, *IN_A_THREAD, UNKNOWN_MATTER, STRANGER)
        case_id = self.case_target(data, case, mistake)
        model = self.models.get(case_id)
        matter_id, matter = self._matter_choice(
            data, model, mistake, lambda m: m.started_on is not None and m.completed_on is None
        )
        on = self.business_date(data, model, matter.started_on if matter else None, mistake)
        views: dict[str, str] = {}
        reasons: dict[str, str] = {}
        for child in model.children if model else ():
            heard = data.draw(st.none() | st.booleans(), label=f"{child} heard")
            if heard is not None:
                (views if heard else reasons)[child] = self.text(data)[0]
        if mistake == STRANGER:
            reasons[self.child_id(data, model, mistake)] = "Ei tavoitettu"
        begins = data.draw(st.integers(0, 3), label="child welfare begins") == 3
        kwargs: dict[str, Any] = {
            "completed_on": on,
            "conclusions": self.text(data, 8_000)[0],
            "relationship_continues": data.draw(st.booleans()),
            "special_support": data.draw(st.booleans()),
            "child_welfare_begins": begins,
            "needs_named_worker": data.draw(st.booleans()),
            "plan_needed": data.draw(st.booleans()),
            "matter_id": matter_id,
            "child_views": views,
            "not_heard_reasons": reasons,
            **self.common(data),
        }
        shape = self.shape(
            data,
            mistake,
            "completed_on",
            [
                {"conclusions": ""},
                {"child_views": {"child-1": "v"}, "not_heard_reasons": {"child-1": "r"}},
                {"relationship_continues": None},
            ],
        )
        answered = set(views) | set(reasons)
        outcome = self.run(
            case_id,
            model,
            shape,
            "complete_assessment",
            kwargs=kwargs,
            rules=lambda model: refusals_to_complete(
                model,
                matter_id,
                on,
                answered=answered,
                child_welfare_begins=begins,
                today=self.today(),
            ),
        )
        if outcome is not None:  # refused
            return
        assert model is not None
        assert matter is not None
        model.recorded(on)
        matter.completed_on = on
        if begins:
            model.legal_basis = LegalBasis.CHILD_WELFARE_ACT
            model.child_welfare_from = on
