"""Event log, idempotency records, API keys and the current-state row of each asset.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
LIVE_TAG = "asset_tag IS NOT NULL AND state NOT IN ('retired', 'rejected')"

# Positions: the allocator takes a short session-level advisory lock so that transaction ids and
# positions rise together; it refuses to run once the transaction has written (see app/events/store.py).
ALLOCATOR = """
CREATE FUNCTION itam_allocate_positions(n integer, OUT tx_id bigint, OUT first_position bigint)
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION 'itam_allocate_positions must run before the transaction writes anything';
    END IF;
    BEGIN
        PERFORM pg_advisory_lock(1769235, 1);
        tx_id := pg_current_xact_id()::text::bigint;
        first_position := nextval('events_position_seq');
        IF n > 1 THEN
            PERFORM setval('events_position_seq', first_position + n - 1);
        END IF;
    EXCEPTION WHEN OTHERS THEN
        PERFORM pg_advisory_unlock(1769235, 1);
        RAISE;
    END;
    PERFORM pg_advisory_unlock(1769235, 1);
END
$$;
"""

IMMUTABLE = """
CREATE FUNCTION itam_events_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the events table is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("tx_id", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("asset_id", "version", name="uq_events_stream_version"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), primary_key=True),
        sa.Column("path", sa.String(500), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", JSON, nullable=False),
        sa.Column("etag", sa.String(40), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_table(
        "api_keys",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("roles", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
    )
    text_columns = [
        "category",
        "model",
        "description",
        "department",
        "requested_by",
        "vendor",
        "financing",
        "serial_number",
        "asset_tag",
        "owner",
        "location",
        "disposition",
        "pending_reason",
        "first_approver",
    ]
    money_columns = [
        "estimated_cost",
        "purchase_cost",
        "residual_value",
        "maintenance_cost",
        "other_costs",
        "recovered_value",
    ]
    date_columns = [
        "acquired_on",
        "lease_end",
        "warranty_expires",
        "deployed_on",
        "retired_on",
        "last_maintenance_on",
    ]
    op.create_table(
        "assets",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Text()) for name in text_columns),
        *(sa.Column(name, sa.BigInteger()) for name in money_columns),
        *(sa.Column(name, sa.Date()) for name in date_columns),
        sa.Column("useful_life_months", sa.Integer()),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index(
        "uq_assets_live_asset_tag",
        "assets",
        ["asset_tag"],
        unique=True,
        sqlite_where=sa.text(LIVE_TAG),
        postgresql_where=sa.text(LIVE_TAG),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE events_position_seq AS bigint")
        op.execute(ALLOCATOR)
        op.execute(IMMUTABLE)
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION itam_events_are_append_only()"
        )
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION itam_events_are_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS itam_events_are_append_only()")
        op.execute("DROP FUNCTION IF EXISTS itam_allocate_positions(integer)")
        op.execute("DROP SEQUENCE IF EXISTS events_position_seq")
    op.drop_index("uq_assets_live_asset_tag", table_name="assets")
    op.drop_table("assets")
    op.drop_table("api_keys")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("events")
