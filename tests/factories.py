"""Factories for request bodies and actors, so tests say only what matters to them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from app import apikeys
from app.bootstrap import Container

ACTORS = {
    "alice": ["requester"],
    "bob": ["approver"],
    "carol": ["approver"],
    "pat": ["procurement"],
    "tess": ["technician"],
    "audrey": ["auditor"],
    "root": ["admin"],
}


async def make_keys(container: Container, actors: dict[str, list[str]] | None = None) -> dict[str, str]:
    tokens = {}
    async with container.engine.begin() as conn:
        for name, roles in (actors or ACTORS).items():
            tokens[name] = await apikeys.create_key(conn, name, roles)
    return tokens


def unique_tag() -> str:
    return f"TAG-{uuid.uuid4().hex[:10]}"


def request_body(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "laptop",
        "model": "ThinkPad X1",
        "department": "engineering",
        "estimated_cost": "1249.50",
    } | (overrides)


def procure_body(**overrides: Any) -> dict[str, Any]:
    return {
        "vendor": "Lenovo",
        "purchase_cost": "1199.00",
        "acquired_on": "2026-01-15",
        "warranty_expires": "2029-01-15",
        "serial_number": f"SN-{uuid.uuid4().hex[:8]}",
        "asset_tag": unique_tag(),
    } | overrides


def register_body(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "monitor",
        "model": "Dell U2723QE",
        "department": "design",
        "purchase_cost": "579.99",
        "acquired_on": "2025-06-01",
        "asset_tag": unique_tag(),
    } | overrides


def retire_body(**overrides: Any) -> dict[str, Any]:
    return {
        "disposition": "recycle",
        "recovered_value": "25.00",
        "data_sanitized": True,
        "weight_kg": 2.4,
    } | overrides


@dataclass
class Api:
    """An HTTP client that speaks as one actor or another."""

    http: httpx.AsyncClient
    tokens: dict[str, str]
    prefix: str = "/api/v1"
    defaults: dict[str, str] = field(default_factory=dict)
    container: Container | None = None

    def headers(self, actor: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(self.defaults)
        if actor is not None:
            headers["Authorization"] = f"Bearer {self.tokens[actor]}"
        return headers | (extra or {})

    async def post(
        self, path: str, actor: str | None, body: Any = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {} if body is None else {"json": body}
        return await self.http.post(self.prefix + path, headers=self.headers(actor, headers), **kwargs)

    async def get(self, path: str, actor: str | None = "audrey", **params: Any) -> httpx.Response:
        return await self.http.get(self.prefix + path, headers=self.headers(actor), params=params)

    async def requested(self, **overrides: Any) -> dict[str, Any]:
        response = await self.post("/assets", "alice", request_body(**overrides))
        assert response.status_code == 201, response.text
        return response.json()

    async def approved(self, **overrides: Any) -> dict[str, Any]:
        asset = await self.requested(**overrides)
        response = await self.post(f"/assets/{asset['id']}/approve", "bob", {"comment": "ok"})
        assert response.status_code == 200, response.text
        return response.json()

    async def procured(self, **overrides: Any) -> dict[str, Any]:
        asset = await self.approved()
        response = await self.post(f"/assets/{asset['id']}/procure", "pat", procure_body(**overrides))
        assert response.status_code == 200, response.text
        return response.json()

    async def deployed(self) -> dict[str, Any]:
        asset = await self.procured()
        body = {"owner": "dana@example.com", "location": "HQ-3F", "deployed_on": "2026-01-20"}
        response = await self.post(f"/assets/{asset['id']}/deploy", "tess", body)
        assert response.status_code == 200, response.text
        return response.json()
