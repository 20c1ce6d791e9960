"""API keys: random tokens, stored only as SHA-256 digests, each naming an actor and its roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import JSONType, UTCDateTime, metadata

ROLES = ("requester", "approver", "procurement", "technician", "auditor", "admin")
TOKEN_PREFIX = "itam_"

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("roles", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)


@dataclass(frozen=True)
class Principal:
    name: str
    roles: frozenset[str]


@dataclass(frozen=True)
class KeyInfo:
    name: str
    roles: list[str]
    created_at: datetime
    revoked_at: datetime | None


class KeyProblem(Exception):
    pass


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast digest is enough; a slow KDF would only slow every request.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def create_key(conn: AsyncConnection, name: str, roles: list[str]) -> str:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise KeyProblem(f"unknown role(s): {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    if not roles:
        raise KeyProblem("a key needs at least one role")
    if not name.strip():
        raise KeyProblem("a key needs a name")
    exists = (await conn.execute(sa.select(api_keys.c.name).where(api_keys.c.name == name))).first()
    if exists:
        raise KeyProblem(f"a key named '{name}' already exists (names are actors and are never reused)")
    token = new_token()
    await conn.execute(
        api_keys.insert().values(
            name=name, token_hash=hash_token(token), roles=sorted(set(roles)), created_at=datetime.now(UTC)
        )
    )
    return token


async def list_keys(conn: AsyncConnection) -> list[KeyInfo]:
    rows = await conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.name))
    return [KeyInfo(r.name, list(r.roles), r.created_at, r.revoked_at) for r in rows]


async def revoke_key(conn: AsyncConnection, name: str) -> bool:
    result = await conn.execute(
        api_keys.update()
        .where(api_keys.c.name == name, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return result.rowcount > 0


async def has_keys(conn: AsyncConnection) -> bool:
    return (await conn.execute(sa.select(api_keys.c.name).limit(1))).first() is not None


# Built once: every request runs it, and building a statement costs more Python than running it.
_BY_DIGEST = sa.select(api_keys.c.name, api_keys.c.token_hash, api_keys.c.roles).where(
    api_keys.c.token_hash == sa.bindparam("digest", type_=api_keys.c.token_hash.type),
    api_keys.c.revoked_at.is_(None),
)


async def authenticate(conn: AsyncConnection, token: str) -> Principal | None:
    digest = hash_token(token)
    row = (await conn.execute(_BY_DIGEST, {"digest": digest})).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Principal(row.name, frozenset(row.roles))
