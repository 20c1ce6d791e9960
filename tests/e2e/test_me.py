"""GET /me: who a token speaks for and what it may do, from the one permission table."""

from __future__ import annotations

from app.api.permissions import PERMISSIONS
from tests.factories import Api, make_keys

TECHNICIAN_MAY = [
    "deploy",
    "reassign",
    "return",
    "start_maintenance",
    "complete_maintenance",
    "record_cost",
    "read",
]
# The commands a deployed asset accepts, by trigger (SPEC section 3).
DEPLOYED_COMMANDS = {
    "reassign": "reassign",
    "return": "return",
    "start_maintenance": "maintenance/start",
    "record_cost": "costs",
    "correct": "corrections",
    "retire": "retire",
}


async def test_me_names_the_principal_its_roles_and_what_it_may_do(api: Api) -> None:
    response = await api.get("/me", "tess")
    assert response.status_code == 200
    assert response.json() == {"name": "tess", "roles": ["technician"], "may": TECHNICIAN_MAY}

    assert (await api.get("/me", "audrey")).json()["may"] == ["audit", "read"]
    assert (await api.get("/me", "alice")).json()["may"] == ["request", "read"]
    admin = (await api.get("/me", "root")).json()
    assert admin["roles"] == ["admin"] and admin["may"] == list(PERMISSIONS)


async def test_me_of_a_key_with_several_roles_is_the_union_of_theirs(api: Api) -> None:
    assert api.container is not None
    api.tokens |= await make_keys(api.container, {"multi": ["technician", "auditor"]})
    me = (await api.get("/me", "multi")).json()
    assert me["roles"] == ["auditor", "technician"]
    assert me["may"] == [action for action in PERMISSIONS if action in {*TECHNICIAN_MAY, "audit"}]


async def test_me_agrees_with_what_the_command_routes_accept(api: Api) -> None:
    asset = await api.deployed()
    for actor in ("alice", "bob", "pat", "tess", "audrey", "root"):
        may = set((await api.get("/me", actor)).json()["may"])
        for trigger, path in DEPLOYED_COMMANDS.items():
            # An empty body and a stale If-Match: refused for the role (403) or, once past the role
            # check, for the body (422) or the version (412); never applied.
            response = await api.post(
                f"/assets/{asset['id']}/{path}", actor, {}, headers={"If-Match": '"999"'}
            )
            expected = {422, 412} if trigger in may else {403}
            assert response.status_code in expected, (actor, trigger, response.status_code, response.text)
    assert (await api.get(f"/assets/{asset['id']}")).json()["version"] == asset["version"]


async def test_me_needs_a_valid_token(api: Api) -> None:
    assert (await api.get("/me", None)).status_code == 401
    response = await api.http.get("/api/v1/me", headers={"Authorization": "Bearer itam_nope"})
    assert response.status_code == 401
    assert response.json()["type"].endswith("/unauthorized")
