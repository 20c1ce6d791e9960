"""When each request was approved, and which assets were registered rather than procured
(what the approval policy's budget rule and the budgets report need).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_assets_department_state", "assets", ["department", "state"])


def downgrade() -> None:
    op.drop_index("ix_assets_department_state", table_name="assets")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("registered")
        batch.drop_column("approved_at")
