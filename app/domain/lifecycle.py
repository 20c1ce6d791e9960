"""The asset lifecycle, declared once as data.

One class-level ``transitions`` machine (``model=None``, no auto transitions) answers which triggers
may follow a state. Asset creation is modelled as leaving the pseudo-state ``new``, which is not a
state an asset can be in; ``GET /lifecycle`` shows those two triggers with an empty source.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from transitions.extensions.diagrams import GraphMachine
from transitions.extensions.diagrams_mermaid import Graph


class State(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PROCURED = "procured"
    DEPLOYED = "deployed"
    MAINTAINED = "maintained"
    RETIRED = "retired"


NEW = "new"  # pseudo-state before the first event
TERMINAL = (State.REJECTED, State.RETIRED)
INITIAL = (State.REQUESTED, State.PROCURED)
NON_TERMINAL = [s.value for s in State if s not in TERMINAL]
IN_SERVICE = [State.PROCURED.value, State.DEPLOYED.value, State.MAINTAINED.value]

# (trigger, source states, destination); a destination of None leaves the state unchanged.
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "request", "source": [NEW], "dest": State.REQUESTED.value},
    {"trigger": "register", "source": [NEW], "dest": State.PROCURED.value},
    {"trigger": "approve", "source": [State.REQUESTED.value], "dest": State.APPROVED.value},
    {
        "trigger": "reject",
        "source": [State.REQUESTED.value, State.APPROVED.value],
        "dest": State.REJECTED.value,
    },
    {"trigger": "procure", "source": [State.APPROVED.value], "dest": State.PROCURED.value},
    {"trigger": "deploy", "source": [State.PROCURED.value], "dest": State.DEPLOYED.value},
    {"trigger": "reassign", "source": [State.DEPLOYED.value], "dest": State.DEPLOYED.value},
    {"trigger": "return", "source": [State.DEPLOYED.value], "dest": State.PROCURED.value},
    {"trigger": "start_maintenance", "source": [State.DEPLOYED.value], "dest": State.MAINTAINED.value},
    {"trigger": "complete_maintenance", "source": [State.MAINTAINED.value], "dest": State.DEPLOYED.value},
    {"trigger": "record_cost", "source": IN_SERVICE, "dest": None},
    {"trigger": "correct", "source": NON_TERMINAL, "dest": None},
    {"trigger": "retire", "source": IN_SERVICE, "dest": State.RETIRED.value},
]

TRIGGERS = [t["trigger"] for t in TRANSITIONS]

MACHINE = GraphMachine(
    model=None,
    states=[NEW, *(s.value for s in State)],
    transitions=TRANSITIONS,
    initial=NEW,
    auto_transitions=False,
    graph_engine="mermaid",
    title="ITAM asset lifecycle",
)


# The machine is fixed once built, so what it allows from each state is read from it once: asking it
# per command (``get_triggers`` walks every event of the machine) was a tenth of a bulk import's CPU.
_ALLOWED: dict[str, tuple[str, ...]] = {
    source: tuple(t for t in TRIGGERS if t in set(MACHINE.get_triggers(source)))
    for source in (NEW, *(s.value for s in State))
}


def allowed_triggers(state: State | None) -> list[str]:
    """Triggers that may follow ``state`` (None: the asset does not exist yet), in declaration order."""
    return list(_ALLOWED[state.value if state else NEW])


def is_allowed(state: State | None, trigger: str) -> bool:
    return trigger in _ALLOWED[state.value if state else NEW]


def describe() -> dict[str, Any]:
    """The machine as ``GET /lifecycle`` returns it."""
    transitions = [
        {
            "trigger": t["trigger"],
            "source": [s for s in t["source"] if s != NEW],
            "dest": t["dest"],
        }
        for t in TRANSITIONS
    ]
    return {
        "states": [s.value for s in State],
        "initial": [s.value for s in INITIAL],
        "terminal": [s.value for s in TERMINAL],
        "transitions": transitions,
        "mermaid": Graph(MACHINE).get_graph().source,  # type: ignore[arg-type]
    }
