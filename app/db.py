"""Engines and column types shared by every table, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
# SQLite's INTEGER PRIMARY KEY is the rowid; PostgreSQL takes a BIGINT.
BigIntKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes everywhere; SQLite stores them naive, in UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC was expected")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


WRITE_OPTION = "itam_write"


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


def create_engine(url: str, *, statement_timeout: float | None = 30, **kwargs: Any) -> AsyncEngine:
    """``statement_timeout`` (seconds, PostgreSQL) bounds each statement so that a request never
    hangs; long maintenance jobs such as a rebuild pass None."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    options: dict[str, Any] = {"pool_size": 10, "max_overflow": 10, "pool_timeout": 5}
    options.update(kwargs)
    connect_args = options.pop("connect_args", {})
    connect_args.setdefault("timeout", 5)
    connect_args.setdefault("command_timeout", statement_timeout)
    connect_args.setdefault("server_settings", {"application_name": "itam-ledger"})
    return create_async_engine(url, connect_args=connect_args, json_deserializer=orjson.loads, **options)


def _sqlite_engine(url: str, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30}, json_deserializer=orjson.loads, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN is ours (IMMEDIATE for writes).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A write transaction takes the write lock up front, so two writers never deadlock upgrading.
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION, False) else "BEGIN")

    return engine


async def insert_rows(conn: AsyncConnection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts ``rows`` (dicts keyed by column key) in the caller's transaction. On PostgreSQL a
    batch of like rows goes in with COPY, which skips SQLAlchemy's per-row parameter processing and
    the server's per-row statement work (bulk import, the demo, rebuild's shadow tables); anything
    else is an executemany INSERT. COPY raises asyncpg's own errors, not SQLAlchemy's."""
    if not rows:
        return
    keys = rows[0].keys()
    if conn.dialect.name != "postgresql" or len(rows) < COPY_MIN_ROWS or any(r.keys() != keys for r in rows):
        await conn.execute(_insert(table), rows)
        return
    columns = [column for column in table.columns if column.key in keys]
    if len(columns) != len(keys):
        raise KeyError(f"{table.name} has no column for some of {sorted(keys)}")
    values = itemgetter(*(column.key for column in columns))
    encoders = [(i, encode) for i, column in enumerate(columns) if (encode := _copy_encoder(column))]
    records: list[Any] = list(map(values, rows)) if len(columns) > 1 else [(values(r),) for r in rows]
    if encoders:
        for n, record in enumerate(records):
            record = list(record)
            for i, encode in encoders:
                record[i] = encode(record[i])
            records[n] = record
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    if not driver.is_in_transaction():
        # COPY must join the caller's transaction, which SQLAlchemy begins on its first statement.
        await conn.execute(sa.text("SELECT 1"))
        if not driver.is_in_transaction():
            raise RuntimeError("insert_rows needs a connection in a transaction")
    await driver.copy_records_to_table(table.name, records=records, columns=[c.name for c in columns])


@functools.cache
def _insert(table: sa.Table) -> sa.Insert:
    # Built once per table: commands insert a row or two, and building the statement is costlier.
    return table.insert()


# Below this many rows an INSERT costs less than setting up a COPY.
COPY_MIN_ROWS = 20


def _copy_encoder(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    """How a value is handed to asyncpg's binary COPY: JSON as text; the rest as the driver takes it."""
    kind = column.type
    if isinstance(kind, sa.JSON):
        return _json_text
    if isinstance(kind, UTCDateTime):
        return _utc
    return None


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given where UTC was expected")
    return value


async def analyze(engine: AsyncEngine, tables: Sequence[sa.Table]) -> None:
    """PostgreSQL: refreshes the planner's statistics of ``tables`` after a bulk write. Until
    autovacuum gets round to it, a freshly loaded table has none, and the planner then guesses
    that a common ``q`` matches a few dozen rows: measured at 1,000,000 assets, ``q=thinkpad``
    took 300 ms (a bitmap scan of 80,000 rows, then a sort) instead of 2 ms (the id index)."""
    if not is_postgres(engine):
        return
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(
            sa.text("ANALYZE " + ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in tables))
        )
