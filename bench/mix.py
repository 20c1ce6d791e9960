"""The command mix that the HTTP clients and the in-process writers both send.

Each client takes one asset at a time through a life: request (a requester), approve (an approver,
never the requester: separation of duties holds), procure (procurement, with a unique asset tag and
serial number, so the tag check runs), deploy (a technician), then six to ten of: a maintenance
cycle (start, complete with a cost), a recorded cost, a reassignment; and three lives in ten end in
a retirement. About 13 commands per asset, each appending one event (no approval policy is set, so
every request waits for a person). Deterministic per (seed, client).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.api import schemas
from bench import fleet

REQUESTER, APPROVER, PROCUREMENT, TECHNICIAN = "requester", "approver", "procurement", "technician"
ROLES = (REQUESTER, APPROVER, PROCUREMENT, TECHNICIAN)
OWNERS = 5000


@dataclass(frozen=True)
class Step:
    trigger: str
    role: str
    path: str  # after /api/v1/assets, with {id} for the asset
    body: dict[str, Any]


# The API's own body schemas turn a step into a domain command (for the in-process writers).
BODIES: dict[str, type[Any]] = {
    "request": schemas.RequestBody,
    "approve": schemas.ApproveBody,
    "procure": schemas.ProcureBody,
    "deploy": schemas.DeployBody,
    "start_maintenance": schemas.StartMaintenanceBody,
    "complete_maintenance": schemas.CompleteMaintenanceBody,
    "record_cost": schemas.CostBody,
    "reassign": schemas.ReassignBody,
    "retire": schemas.RetireBody,
}


def command(step: Step) -> Any:
    return BODIES[step.trigger](**step.body).command()


def life(rng: random.Random, serial: int, tag_prefix: str) -> Iterator[Step]:
    """The steps of one asset's life, in order."""
    it = fleet.item(rng, serial, tag_prefix)
    yield Step(
        "request",
        REQUESTER,
        "",
        {
            "category": it.category,
            "model": it.model,
            "department": it.department,
            "estimated_cost": str(it.cost),
            "justification": "replacement for a device past its useful life",
        },
    )
    yield Step("approve", APPROVER, "/{id}/approve", {"comment": "within budget"})
    yield Step(
        "procure",
        PROCUREMENT,
        "/{id}/procure",
        {
            "vendor": it.vendor,
            "purchase_cost": str(it.cost),
            "acquired_on": it.acquired_on.isoformat(),
            "serial_number": it.serial_number,
            "asset_tag": it.asset_tag,
            "order_number": f"PO-{serial}",
        },
    )
    yield Step(
        "deploy",
        TECHNICIAN,
        "/{id}/deploy",
        {"owner": fleet.person(rng, OWNERS), "location": fleet.office(rng)},
    )
    for _ in range(rng.randint(6, 10)):
        pick = rng.random()
        if pick < 0.25:
            yield Step(
                "start_maintenance",
                TECHNICIAN,
                "/{id}/maintenance/start",
                {
                    "kind": rng.choice(("preventive", "repair", "upgrade")),
                    "ticket": f"INC-{rng.randrange(10**6)}",
                },
            )
            yield Step(
                "complete_maintenance",
                TECHNICIAN,
                "/{id}/maintenance/complete",
                {"cost": f"{rng.randrange(0, 400)}.{rng.randrange(100):02d}", "notes": "done"},
            )
        elif pick < 0.7:
            yield Step(
                "record_cost",
                TECHNICIAN,
                "/{id}/costs",
                {
                    "kind": rng.choice(("operating", "license", "support", "energy")),
                    "amount": f"{rng.randrange(5, 300)}.{rng.randrange(100):02d}",
                    "description": "monthly charge",
                },
            )
        else:
            yield Step(
                "reassign",
                TECHNICIAN,
                "/{id}/reassign",
                {"owner": fleet.person(rng, OWNERS), "location": fleet.office(rng), "reason": "team move"},
            )
    if rng.random() < 0.3:
        yield Step(
            "retire",
            PROCUREMENT,
            "/{id}/retire",
            {"disposition": rng.choice(("refurbish", "recycle", "donate")), "data_sanitized": True},
        )


def lives(seed: int, client: int, tag_prefix: str) -> Iterator[tuple[int, Iterator[Step]]]:
    """Endless lives for one client: (serial, steps)."""
    rng = random.Random(seed * 1_000_003 + client)
    serial = 0
    while True:
        serial += 1
        yield serial, life(rng, serial, f"{tag_prefix}C{client}")
