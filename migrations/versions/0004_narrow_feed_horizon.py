"""The feed's horizon counts only transactions that append events, not every writer in the cluster.

Until now a reader saw events of transactions older than the oldest transaction still running
anywhere in the PostgreSQL cluster (``pg_snapshot_xmin``), so any long writer, even one in another
database, held the feed back. Now the allocator registers each appending transaction with a
transaction-scoped shared advisory lock (class 1769236, the low 32 bits of its transaction id),
taken under the allocator's lock together with the positions; ``itam_feed_horizon()`` returns the
oldest registered transaction of this database still running, else the next transaction id. A
reader takes the horizon in one statement and reads ``tx_id < horizon`` in the next, whose snapshot
is newer, so every transaction below the horizon has ended and is visible or rolled back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ALLOCATOR = """
CREATE OR REPLACE FUNCTION itam_allocate_positions(n integer, OUT tx_id bigint, OUT first_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
    low bigint;
BEGIN
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION 'itam_allocate_positions must run before the transaction writes anything';
    END IF;
    BEGIN
        PERFORM pg_advisory_lock(1769235, 1);
        tx_id := pg_current_xact_id()::text::bigint;
        low := tx_id & 4294967295;
        PERFORM pg_advisory_xact_lock_shared(
            1769236, (CASE WHEN low >= 2147483648 THEN low - 4294967296 ELSE low END)::integer
        );
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

HORIZON = """
CREATE FUNCTION itam_feed_horizon() RETURNS bigint
LANGUAGE sql STABLE AS $$
    WITH now AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax)
    SELECT coalesce(
        min(now.xmax - (((now.xmax & 4294967295) - l.objid::bigint) & 4294967295)),
        max(now.xmax)
    )
    FROM now
    LEFT JOIN pg_locks l
      ON l.locktype = 'advisory' AND l.classid = 1769236 AND l.objsubid = 2
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
$$;
"""

OLD_ALLOCATOR = """
CREATE OR REPLACE FUNCTION itam_allocate_positions(n integer, OUT tx_id bigint, OUT first_position bigint)
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ALLOCATOR)
        op.execute(HORIZON)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION itam_feed_horizon()")
        op.execute(OLD_ALLOCATOR)
