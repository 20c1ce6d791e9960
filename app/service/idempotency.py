"""Idempotency records: the first successful response to a (key, path, Idempotency-Key), kept in
the same transaction as the events it produced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.events.tables import idempotency_keys


@dataclass(frozen=True)
class IdempotencyScope:
    principal: str
    path: str
    key: str
    request_hash: str


@dataclass(frozen=True)
class SavedResponse:
    request_hash: str
    status_code: int
    body: dict[str, Any]
    etag: str | None


_t = idempotency_keys
_SAVED = sa.select(_t.c.request_hash, _t.c.status_code, _t.c.response, _t.c.etag).where(
    *(_t.c[name] == sa.bindparam(name, type_=_t.c[name].type) for name in ("principal", "path", "key"))
)


class IdempotencyRecords:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def get(self, scope: IdempotencyScope) -> SavedResponse | None:
        scoped = {"principal": scope.principal, "path": scope.path, "key": scope.key}
        row = (await self.conn.execute(_SAVED, scoped)).first()
        return (
            None if row is None else SavedResponse(row.request_hash, row.status_code, row.response, row.etag)
        )

    async def put(
        self, scope: IdempotencyScope, status_code: int, body: dict[str, Any], etag: str | None
    ) -> None:
        await self.conn.execute(
            idempotency_keys.insert().values(
                principal=scope.principal,
                path=scope.path,
                key=scope.key,
                request_hash=scope.request_hash,
                status_code=status_code,
                response=body,
                etag=etag,
                created_at=datetime.now(UTC),
            )
        )
