"""The lifecycle machine against SPEC section 1, pair by pair.

The expected table below is copied from the SPEC, not derived from ``lifecycle.TRANSITIONS``.
"""

from __future__ import annotations

import json

import pytest

from app.domain import lifecycle
from app.domain.lifecycle import State

NEW = None  # the asset does not exist yet
NON_TERMINAL = ("requested", "approved", "procured", "deployed", "maintained")
IN_SERVICE = ("procured", "deployed", "maintained")

# SPEC section 1, in table order: trigger -> (states it may follow, destination; None = unchanged).
SPEC_TABLE: dict[str, tuple[tuple[str | None, ...], str | None]] = {
    "request": ((NEW,), "requested"),
    "register": ((NEW,), "procured"),
    "approve": (("requested",), "approved"),
    "reject": (("requested", "approved"), "rejected"),
    "procure": (("approved",), "procured"),
    "deploy": (("procured",), "deployed"),
    "reassign": (("deployed",), "deployed"),
    "return": (("deployed",), "procured"),
    "start_maintenance": (("deployed",), "maintained"),
    "complete_maintenance": (("maintained",), "deployed"),
    "record_cost": (IN_SERVICE, None),
    "correct": (NON_TERMINAL, None),
    "retire": (IN_SERVICE, "retired"),
}
SPEC_STATES = ["requested", "approved", "rejected", "procured", "deployed", "maintained", "retired"]
STATES: list[State | None] = [None, *(State(s) for s in SPEC_STATES)]


def state_id(state: State | None) -> str:
    return "new" if state is None else state.value


def spec_allows(state: State | None, trigger: str) -> bool:
    sources, _ = SPEC_TABLE[trigger]
    return (state.value if state else None) in sources


PAIRS = [
    pytest.param(state, trigger, id=f"{state_id(state)}-{trigger}")
    for state in STATES
    for trigger in SPEC_TABLE
]


def test_the_machine_knows_exactly_the_thirteen_triggers_of_the_spec_in_table_order():
    assert list(SPEC_TABLE) == lifecycle.TRIGGERS


def test_the_machine_knows_exactly_the_seven_states_of_the_spec():
    assert [s.value for s in State] == SPEC_STATES


@pytest.mark.parametrize(("state", "trigger"), PAIRS)
def test_a_trigger_is_allowed_exactly_when_the_spec_table_allows_it(state, trigger):
    assert lifecycle.is_allowed(state, trigger) is spec_allows(state, trigger)


@pytest.mark.parametrize("state", STATES, ids=state_id)
def test_allowed_triggers_lists_what_the_spec_allows_in_table_order(state):
    expected = [trigger for trigger in SPEC_TABLE if spec_allows(state, trigger)]
    assert lifecycle.allowed_triggers(state) == expected


@pytest.mark.parametrize("state", [State.REJECTED, State.RETIRED], ids=state_id)
def test_nothing_may_follow_a_terminal_state(state):
    assert lifecycle.allowed_triggers(state) == []


def test_an_unknown_trigger_is_never_allowed():
    assert not any(lifecycle.is_allowed(state, "teleport") for state in STATES)


@pytest.fixture(scope="module")
def described():
    return lifecycle.describe()


class TestDescribe:
    """What GET /api/v1/lifecycle returns."""

    def test_it_has_exactly_the_documented_keys(self, described):
        assert set(described) == {"states", "initial", "terminal", "transitions", "mermaid"}

    def test_it_lists_the_seven_states(self, described):
        assert described["states"] == SPEC_STATES

    def test_the_initial_states_are_requested_and_procured(self, described):
        assert described["initial"] == ["requested", "procured"]

    def test_the_terminal_states_are_rejected_and_retired(self, described):
        assert sorted(described["terminal"]) == ["rejected", "retired"]

    def test_every_trigger_is_listed_exactly_once_in_table_order(self, described):
        assert [t["trigger"] for t in described["transitions"]] == list(SPEC_TABLE)

    def test_each_transition_has_only_trigger_source_and_dest(self, described):
        for transition in described["transitions"]:
            assert set(transition) == {"trigger", "source", "dest"}

    @pytest.mark.parametrize("trigger", ["request", "register"])
    def test_the_creation_triggers_have_an_empty_source(self, described, trigger):
        (transition,) = [t for t in described["transitions"] if t["trigger"] == trigger]
        assert transition["source"] == []

    @pytest.mark.parametrize("trigger", ["record_cost", "correct"])
    def test_triggers_that_keep_the_state_have_a_null_dest(self, described, trigger):
        (transition,) = [t for t in described["transitions"] if t["trigger"] == trigger]
        assert transition["dest"] is None

    @pytest.mark.parametrize("trigger", list(SPEC_TABLE))
    def test_each_transition_has_the_source_and_dest_of_the_spec_table(self, described, trigger):
        (transition,) = [t for t in described["transitions"] if t["trigger"] == trigger]
        sources, dest = SPEC_TABLE[trigger]
        assert sorted(transition["source"]) == sorted(s for s in sources if s is not None)
        assert transition["dest"] == dest

    def test_approve_leads_to_approved(self, described):
        (transition,) = [t for t in described["transitions"] if t["trigger"] == "approve"]
        assert transition["dest"] == "approved"

    def test_no_source_or_dest_names_a_state_outside_the_spec(self, described):
        named = {s for t in described["transitions"] for s in t["source"]}
        named |= {t["dest"] for t in described["transitions"] if t["dest"] is not None}
        assert named <= set(SPEC_STATES)

    def test_the_mermaid_text_is_a_state_diagram_that_mentions_every_state(self, described):
        mermaid = described["mermaid"]
        assert isinstance(mermaid, str)
        assert "stateDiagram" in mermaid
        for state in SPEC_STATES:
            assert state in mermaid

    def test_the_mermaid_text_draws_every_trigger(self, described):
        for trigger in SPEC_TABLE:
            assert trigger in described["mermaid"]

    def test_describe_returns_plain_json_values(self, described):
        assert json.loads(json.dumps(described)) == described
