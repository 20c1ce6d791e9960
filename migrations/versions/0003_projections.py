"""Read models: the inventory's search text and filter indexes, costs, the maintenance schedule,
warranties and leases, retirements, budget lines, requests, and the rebuild checkpoints.

The new tables start empty; ``app.migrate.upgrade`` rebuilds the projections from the log after
any migration that leaves one without a checkpoint, so a database with history is filled at once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
FILTERS = ("state", "category", "department", "location", "owner", "vendor")

# Trigram index for `q` (substring search) when the server ships pg_trgm; without it, `q` scans.
TRIGRAM = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm not installed (no privilege): GET /assets?q= will scan';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX ix_assets_search_text_trgm ON assets USING gin (search_text gin_trgm_ops);
    END IF;
END
$$;
"""


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    op.drop_index("ix_assets_department_state", table_name="assets")
    for name in FILTERS:
        op.create_index(f"ix_assets_{name}_id", "assets", [name, "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRIGRAM)

    op.create_table(
        "cost_entries",
        sa.Column("asset_id", sa.Uuid(), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
    )
    op.create_index("ix_cost_entries_business_date", "cost_entries", ["business_date"])
    op.create_table(
        "maintenance_schedule",
        sa.Column("asset_id", sa.Uuid(), primary_key=True),
        sa.Column("category", sa.Text()),
        sa.Column("anchor_on", sa.Date(), nullable=False),
    )
    op.create_index(
        "ix_maintenance_schedule_category_anchor_on", "maintenance_schedule", ["category", "anchor_on"]
    )
    op.create_table(
        "coverage",
        sa.Column("asset_id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_coverage_expires_on", "coverage", ["expires_on"])
    op.create_table(
        "retirements",
        sa.Column("asset_id", sa.Uuid(), primary_key=True),
        sa.Column("disposition", sa.String(20), nullable=False),
        sa.Column("recovered_value", sa.BigInteger(), nullable=False),
        sa.Column("weight_grams", sa.BigInteger()),
        sa.Column("retired_on", sa.Date()),
    )
    op.create_table(
        "budget_lines",
        sa.Column("asset_id", sa.Uuid(), primary_key=True),
        sa.Column("department", sa.Text()),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("committed", sa.BigInteger(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_budget_lines_year_department", "budget_lines", ["year", "department"])
    op.create_table(
        "requests",
        sa.Column("asset_id", sa.Uuid(), primary_key=True),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("lead_time_us", sa.BigInteger()),
    )
    op.create_index("ix_requests_pending_requested_at", "requests", ["pending", "requested_at"])
    op.create_index("ix_requests_lead_time_us", "requests", ["lead_time_us"])
    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("rebuilt_at", TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "projection_checkpoints",
        "requests",
        "budget_lines",
        "retirements",
        "coverage",
        "maintenance_schedule",
        "cost_entries",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_assets_search_text_trgm")
    for name in FILTERS:
        op.drop_index(f"ix_assets_{name}_id", table_name="assets")
    op.create_index("ix_assets_department_state", "assets", ["department", "state"])
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("search_text")
