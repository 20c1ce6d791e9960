"""Tables of the log: the events themselves and the idempotency records written with them."""

from __future__ import annotations

import sqlalchemy as sa

from app.db import BigIntKey, JSONType, UTCDateTime, metadata

events = sa.Table(
    "events",
    metadata,
    sa.Column("position", BigIntKey, primary_key=True, autoincrement=False),
    sa.Column("asset_id", sa.Uuid(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("schema_version", sa.Integer(), nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False, key="meta"),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # PostgreSQL: the writing transaction's id, which bounds what the global feed may show (see store.py).
    sa.Column("tx_id", sa.BigInteger(), nullable=True),
    sa.UniqueConstraint("asset_id", "version", name="uq_events_stream_version"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal", sa.String(200), primary_key=True),
    sa.Column("path", sa.String(500), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=False),
    sa.Column("response", JSONType, nullable=False),
    sa.Column("etag", sa.String(40), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
)
