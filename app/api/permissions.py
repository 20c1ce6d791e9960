"""Who may do what (SPEC section 3). Admins may do everything; reads are open to every role."""

from __future__ import annotations

from app.apikeys import ROLES, Principal

ADMIN = "admin"
ANY_ROLE = frozenset(ROLES)

PERMISSIONS: dict[str, frozenset[str]] = {
    "request": frozenset({"requester"}),
    "register": frozenset({"procurement"}),
    "approve": frozenset({"approver"}),
    "reject": frozenset({"approver"}),
    "procure": frozenset({"procurement"}),
    "deploy": frozenset({"technician", "procurement"}),
    "reassign": frozenset({"technician"}),
    "return": frozenset({"technician"}),
    "start_maintenance": frozenset({"technician"}),
    "complete_maintenance": frozenset({"technician"}),
    "record_cost": frozenset({"technician", "procurement"}),
    "correct": frozenset({"procurement"}),
    "retire": frozenset({"procurement"}),
    "audit": frozenset({"auditor"}),
    "read": ANY_ROLE,
    "change_policy": frozenset(),
}


def may(principal: Principal, action: str) -> bool:
    return ADMIN in principal.roles or bool(principal.roles & PERMISSIONS[action])
