"""`itam import`, `itam export` and `itam verify` (SPEC section 6).

import: two passes over the CSV. The first checks every row with the API's own rules (the register
schema, the currency, the domain's decision) and reports each bad one; only when no row is bad, or
with ``--skip-invalid``, the second pass writes the good rows in batches of ``BATCH_ROWS``, each
batch one transaction through the bulk writer. A row whose key (``asset_tag``, else
``serial_number``) already belongs to an asset in the database, in any state, or to an earlier row
of the file, is skipped: importing a file twice adds nothing the second time. Memory is bounded by
the file's keys, not its rows.

export: the global feed in position order as NDJSON, read in keyset batches inside one snapshot.

verify: every hash chain, stream by stream from the database, or in an exported file, which
``verify_lines`` checks with nothing but the standard library and ``app.events.hashing`` (no
settings, no database).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import itertools
import json
import multiprocessing
import multiprocessing.util
import os
import sys
import uuid
from collections import deque
from collections.abc import AsyncIterator, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncpg
import orjson
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from tqdm import tqdm

from app import migrate
from app.api.schemas import RegisterBody
from app.bootstrap import Container, build_container
from app.db import analyze, create_engine, is_postgres
from app.domain.asset import Asset
from app.domain.commands import RegisterAsset
from app.domain.decisions import Context, decide
from app.domain.errors import DomainError, InvalidField
from app.events.hashing import ChainCheck, ChainVerifier
from app.events.store import EventStore, StoredEvent
from app.projections.inventory import assets
from app.service import bulk
from app.service.policies import current_policy
from app.service.uow import UnitOfWork
from app.settings import get_settings

BATCH_ROWS = 1000
WRITERS = 2
WRITE_PROCESSES = min(2, os.cpu_count() or 1)
# Starting the worker processes costs about a second: below this many rows one process is faster.
PROCESSES_FROM_ROWS = 5000
READ_BATCH = 5000
IMPORT_LOCK = "itam:import"
COLUMNS = tuple(RegisterBody.model_fields)
REQUIRED_COLUMNS = tuple(name for name, info in RegisterBody.model_fields.items() if info.is_required())
# CSV cells are text; the API's schema is strict about its whole numbers.
INTEGER_COLUMNS = frozenset({"useful_life_months"})
KEY_COLUMNS = ("asset_tag", "serial_number")

Key = tuple[str, str]
Problem = tuple[str, str]


class Notes:
    """Lines for stderr that do not tear a progress bar, written in bunches (one redraw of the bar
    per bunch: a re-import of 100,000 rows has as many lines to say)."""

    BUNCH = 500

    def __init__(self) -> None:
        self._lines: list[str] = []

    def say(self, line: str) -> None:
        self._lines.append(line)
        if len(self._lines) >= self.BUNCH:
            self.close()

    def close(self) -> None:
        """Writes what is waiting (the notes may be used again)."""
        if self._lines:
            tqdm.write("\n".join(self._lines), file=sys.stderr)
            self._lines.clear()


# --- import: reading and checking rows -----------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be imported: unreadable, not CSV, or a header it cannot use."""


@dataclass(frozen=True)
class CheckedRow:
    line: int
    command: RegisterAsset | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def key(self) -> Key | None:
        """What makes a row the same asset as another: its tag, else its serial number."""
        for column in KEY_COLUMNS:
            value = getattr(self.command, column, None)
            if value is not None:
                return column, value
        return None


def check_header(header: list[str]) -> list[str]:
    """The column names, or ImportFileError naming every problem with them."""
    names = [name.strip() for name in header]
    problems = [f"line 1: {name or '(empty)'}: unknown column" for name in names if name not in COLUMNS]
    problems += [
        f"line 1: {name}: column appears twice" for name in sorted(set(names)) if names.count(name) > 1
    ]
    problems += [
        f"line 1: {name}: required column is missing" for name in REQUIRED_COLUMNS if name not in names
    ]
    if problems:
        known = f"the columns are: {', '.join(COLUMNS)}"
        raise ImportFileError(
            "\n".join(["the header cannot be used, so nothing was written:", *problems, known])
        )
    return names


Record = tuple[int, dict[str, str] | Problem]


def read_records(path: Path) -> Generator[Record, None, None]:
    """Each record with the line it starts on: its non-empty cells (trimmed) by column, or why it
    cannot be read. Blank lines are skipped; an empty cell is null."""
    reader: Any = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file, strict=True)
            header = next(reader, None)
            if header is None:
                raise ImportFileError("the file is empty; line 1 must be the header")
            names = check_header(header)
            start = reader.line_num + 1
            for cells in reader:
                line, start = start, reader.line_num + 1
                if not cells:
                    continue
                if len(cells) != len(names):
                    yield line, ("row", f"has {len(cells)} cells where the header has {len(names)}")
                    continue
                yield (
                    line,
                    {name: cell.strip() for name, cell in zip(names, cells, strict=True) if cell.strip()},
                )
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num if reader else 1}: not valid CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None


def _integer(text: str) -> int | str:
    """A whole number written as one; anything else is left for the schema to refuse."""
    digits = text.removeprefix("+").removeprefix("-")
    return int(text) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else text


def _problem(error: Any) -> Problem:
    where = ".".join(str(part) for part in error.get("loc", ())) or "row"
    if error.get("type") == "missing":
        return where, "is required (the cell is empty)"
    return where, str(error.get("msg", "is invalid")).removeprefix("Value error, ")


_PROBE = Asset(id=uuid.UUID(int=1))


def check_row(line: int, cells: dict[str, str], ctx: Context | None, currency: str) -> CheckedRow:
    """The rules of POST /assets/register: the schema, the currency, then the domain's decision
    (skipped without ``ctx``, when the row has been decided before)."""
    values = {name: _integer(value) if name in INTEGER_COLUMNS else value for name, value in cells.items()}
    try:
        body = RegisterBody.model_validate(values)
    except ValidationError as exc:
        return CheckedRow(line, problems=tuple(_problem(error) for error in exc.errors()))
    if body.currency is not None and body.currency != currency:
        return CheckedRow(line, problems=(("currency", f"this deployment reports in {currency} only"),))
    command = body.command()
    if ctx is None:
        return CheckedRow(line, command)
    try:
        decide(_PROBE, command, ctx)
    except InvalidField as exc:
        return CheckedRow(line, problems=((exc.field, exc.message),))
    except DomainError as exc:
        return CheckedRow(line, problems=(("row", str(exc)),))
    return CheckedRow(line, command)


def checked_rows(path: Path, ctx: Context | None, currency: str) -> Generator[CheckedRow, None, None]:
    for line, record in read_records(path):
        if isinstance(record, dict):
            yield check_row(line, record, ctx, currency)
        else:
            yield CheckedRow(line, problems=(record,))


# --- import: the two passes ----------------------------------------------------------------------


@dataclass
class ImportRun:
    path: Path
    ctx: Context
    currency: str
    metadata: dict[str, Any]
    rows: int = 0
    bad: int = 0
    repeated: int = 0
    registered: int = 0
    imported: int = 0
    deployed: int = 0
    # Good rows with neither key: nothing can tell that a later import already registered them.
    unkeyed: int = 0
    # Lines the second pass leaves out: bad ones, and repeats of an earlier row's key.
    left_out: set[int] = field(default_factory=set)
    # The key of every good row, with its line; then those an asset in the database holds already.
    keys: dict[Key, int] = field(default_factory=dict)
    holders: dict[Key, uuid.UUID] = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)

    @property
    def good(self) -> int:
        return self.rows - self.bad - self.repeated

    @property
    def skipped(self) -> int:
        return self.repeated + self.registered


def check_file(run: ImportRun) -> None:
    """The first pass: checks every row, reports the bad ones and the repeats; writes nothing."""
    with tqdm(desc="checking", unit=" rows", file=sys.stderr) as bar, contextlib.closing(run.notes):
        for row in checked_rows(run.path, run.ctx, run.currency):
            run.rows += 1
            bar.update()
            if row.problems:
                run.bad += 1
                run.left_out.add(row.line)
                for where, message in row.problems:
                    run.notes.say(f"line {row.line}: {where}: {message}")
            elif (key := row.key) is None:
                run.unkeyed += 1
            elif key in run.keys:
                run.repeated += 1
                run.left_out.add(row.line)
                run.notes.say(f"line {row.line}: skipped: {key[0]} '{key[1]}' repeats line {run.keys[key]}")
            else:
                run.keys[key] = row.line


async def find_holders(conn: AsyncConnection, keys: dict[Key, int]) -> dict[Key, uuid.UUID]:
    """The assets, in any state, that hold a key of the file already: one pass over the inventory,
    which no index of it could beat for a file of many keys."""
    query = sa.select(assets.c.id, assets.c.asset_tag, assets.c.serial_number).where(
        sa.or_(assets.c.asset_tag.is_not(None), assets.c.serial_number.is_not(None))
    )
    found: dict[Key, uuid.UUID] = {}
    result = await conn.stream(query.execution_options(yield_per=READ_BATCH))
    async for asset_id, tag, serial in result:
        for key in (("asset_tag", tag), ("serial_number", serial)):
            if key in keys:
                found.setdefault(key, asset_id)
    return found


@asynccontextmanager
async def import_lock(container: Container) -> AsyncIterator[None]:
    """PostgreSQL: one import at a time per database, so that two cannot both miss the same key.
    (On SQLite the imports of one machine are rare enough, and every write holds the file lock.)"""
    if container.settings.is_sqlite:
        yield
        return
    take = sa.text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))").bindparams(key=IMPORT_LOCK)
    async with container.engine.connect() as conn:
        for attempt in itertools.count():
            if (await conn.execute(take)).scalar():
                break
            if attempt == 0:
                print("itam import: waiting for another import into this database to end", file=sys.stderr)
            await asyncio.sleep(1)
        await conn.commit()
        yield  # the lock is the session's: closing the connection releases it


async def write_batch(
    container: Container, run: ImportRun, rows: list[RegisterAsset], bar: tqdm[Any]
) -> None:
    async with container.uow() as uow:
        await bulk.write(uow, histories(run, rows))
        await uow.commit()
    counted(run, rows, bar)


def histories(run: ImportRun, rows: list[RegisterAsset]) -> list[bulk.History]:
    return [bulk.History(uuid.uuid4(), [bulk.Step(c, run.ctx)], metadata=run.metadata) for c in rows]


def counted(run: ImportRun, rows: list[RegisterAsset], bar: tqdm[Any]) -> None:
    run.imported += len(rows)
    run.deployed += sum(c.owner is not None for c in rows)
    bar.update(len(rows))


# PostgreSQL: worker processes write the batches, each on its own connection, so that deciding,
# hashing and building projection rows use every core (one process was the limit at about 3,300
# rows/s). Each worker keeps one event loop and one engine for its life.
_worker: tuple[asyncio.AbstractEventLoop, AsyncEngine] | None = None


def _start_worker(database_url: str) -> None:
    global _worker
    loop = asyncio.new_event_loop()
    engine = create_engine(database_url, statement_timeout=None, pool_size=1, max_overflow=0)
    _worker = (loop, engine)
    # Close the connection when the pool shuts the worker down (workers skip atexit handlers).
    multiprocessing.util.Finalize(None, lambda: loop.run_until_complete(engine.dispose()), exitpriority=10)


def _write_in_worker(batch: list[bulk.History]) -> None:
    assert _worker is not None, "not a worker process"
    loop, engine = _worker
    loop.run_until_complete(_write_histories(engine, batch))


async def _write_histories(engine: AsyncEngine, batch: list[bulk.History]) -> None:
    async with UnitOfWork(engine) as uow:
        await bulk.write(uow, batch)
        await uow.commit()


async def write_in_processes(database_url: str, run: ImportRun, bar: tqdm[Any]) -> None:
    """The second pass on PostgreSQL: batches go to ``WRITE_PROCESSES`` workers, two in flight each;
    the rows are counted as their batch commits."""
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    in_flight: deque[tuple[asyncio.Future[None], list[RegisterAsset]]] = deque()
    with ProcessPoolExecutor(WRITE_PROCESSES, context, _start_worker, (database_url,)) as pool:
        try:
            for batch in fresh_batches(run):
                in_flight.append((loop.run_in_executor(pool, _write_in_worker, histories(run, batch)), batch))
                if len(in_flight) == 2 * WRITE_PROCESSES:
                    future, rows = in_flight.popleft()
                    await future
                    counted(run, rows, bar)
            while in_flight:
                future, rows = in_flight.popleft()
                await future
                counted(run, rows, bar)
        finally:
            for future, _ in in_flight:
                future.cancel()
            await asyncio.gather(*(future for future, _ in in_flight), return_exceptions=True)


def fresh_batches(run: ImportRun) -> Iterator[list[RegisterAsset]]:
    """The good rows of the file that no asset holds yet, ``BATCH_ROWS`` at a time."""
    batch: list[RegisterAsset] = []
    # The bulk writer decides each command again; the schema is all this pass needs.
    for row in checked_rows(run.path, None, run.currency):
        if row.line in run.left_out:
            continue
        if row.command is None:
            raise ImportFileError(f"line {row.line} changed while it was being imported")
        if (key := row.key) is not None and (holder := run.holders.get(key)) is not None:
            run.registered += 1
            run.notes.say(f"line {row.line}: skipped: {key[0]} '{key[1]}' is already asset {holder}")
            continue
        batch.append(row.command)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


async def write_file(container: Container, run: ImportRun) -> None:
    """The second pass: each batch is all or nothing. Two are in flight, so that one is decided
    while the database writes the other (SQLite's write lock takes them in turn)."""
    async with container.uow(write=False) as uow:
        run.holders = await find_holders(uow.conn, run.keys)
    in_flight: deque[asyncio.Task[None]] = deque()
    total = run.good - len(run.holders)
    with (
        tqdm(total=total, desc="importing", unit=" rows", file=sys.stderr) as bar,
        contextlib.closing(run.notes),
    ):
        if is_postgres(container.engine) and WRITE_PROCESSES > 1 and total >= PROCESSES_FROM_ROWS:
            await write_in_processes(container.settings.database_url, run, bar)
            return
        try:
            for batch in fresh_batches(run):
                in_flight.append(asyncio.create_task(write_batch(container, run, batch, bar)))
                if len(in_flight) == WRITERS:
                    await in_flight.popleft()
            while in_flight:
                await in_flight.popleft()
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)


async def import_file(path: Path, *, skip_invalid: bool, actor: str) -> int:
    settings = get_settings()
    container = build_container(settings)
    run_id = uuid.uuid4().hex
    try:
        async with container.uow(write=False) as uow:
            policy = await current_policy(uow)
        run = ImportRun(
            path,
            Context.under(policy, actor=actor, today=container.today()),
            settings.currency,
            # As the API records a request; the whole run is one request.
            {
                "actor": actor,
                "request_id": run_id,
                "correlation_id": run_id,
                "causation_id": None,
                "idempotency_key": None,
            },
        )
        check_file(run)
        if run.bad and not skip_invalid:
            print(
                f"itam import: nothing was written: {run.bad} of {run.rows} rows are bad "
                f"(fix them, or pass --skip-invalid to import the good rows)",
                file=sys.stderr,
            )
            return 1
        async with import_lock(container):
            await write_file(container, run)
        await analyze(container.engine, bulk.TABLES)
    finally:
        await container.close()
    print(
        f"itam import: imported {run.imported} assets ({run.deployed} of them deployed), "
        f"skipped {run.skipped} ({run.registered} already registered, {run.repeated} repeated in the file), "
        f"{run.bad} bad rows; request_id {run_id}",
        file=sys.stderr,
    )
    if run.unkeyed:
        print(
            f"itam import: {run.unkeyed} rows have neither asset_tag nor serial_number; "
            "importing them again would register them again",
            file=sys.stderr,
        )
    return 1 if run.bad else 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        records = read_records(path)
        next(records, None)  # the header is checked before the database is touched
        records.close()
        migrate.upgrade(get_settings().database_url)
        return asyncio.run(import_file(path, skip_invalid=args.skip_invalid, actor=args.actor))
    except ImportFileError as exc:
        print(f"itam import: {exc}", file=sys.stderr)
        return 2
    except DATABASE_ERRORS as exc:
        return _database_error("import", exc)
    except BrokenProcessPool as exc:
        print(f"itam import: a writer process died: {exc}", file=sys.stderr)
        print(COMMITTED_BATCHES_STAY, file=sys.stderr)
        return 2


# --- export ---------------------------------------------------------------------------------------

# Bulk writes on PostgreSQL go through asyncpg's COPY, whose errors are asyncpg's own.
DATABASE_ERRORS = (OSError, sa.exc.SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError)


COMMITTED_BATCHES_STAY = "itam import: batches already committed stay; importing the file again skips them"


def _database_error(verb: str, exc: BaseException) -> int:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    print(f"itam {verb}: database error: {reason}", file=sys.stderr)
    if verb == "import":
        print(COMMITTED_BATCHES_STAY, file=sys.stderr)
    return 2


@asynccontextmanager
async def snapshot(database_url: str) -> AsyncIterator[AsyncConnection]:
    """One read-only snapshot of the log, however many batches are read from it."""
    engine = create_engine(database_url, statement_timeout=None)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with conn.begin():
                yield conn
    finally:
        await engine.dispose()


async def read_log(conn: AsyncConnection, after: int, limit: int) -> list[StoredEvent]:
    """A page of the log inside the export's one snapshot (no horizon needed, none waited for)."""
    return await EventStore(conn).read_snapshot(after=after, limit=limit)


class OutputError(Exception):
    """The export could not be written (a full disk, a closed pipe): not the database's fault."""


def _write(out: IO[bytes], data: bytes) -> None:
    try:
        out.write(data)
        out.flush()
    except OSError as exc:
        raise OutputError(exc.strerror or str(exc)) from exc


async def export_log(database_url: str, out: IO[bytes]) -> int:
    """Writes every event as /events returns it, one a line, in position order; returns how many."""
    count = 0
    with tqdm(desc="exporting", unit=" events", unit_scale=True, file=sys.stderr) as bar:
        async with snapshot(database_url) as conn:
            after = 0
            while page := await read_log(conn, after, READ_BATCH):
                _write(out, b"".join(orjson.dumps(event.to_json()) + b"\n" for event in page))
                after = page[-1].position
                count += len(page)
                bar.update(len(page))
    return count


def _export(out: IO[bytes], name: str) -> int:
    try:
        count = asyncio.run(export_log(get_settings().database_url, out))
    except OutputError as exc:
        if out is sys.stdout.buffer:
            # The reader went away (`itam export | head`): nothing more can reach it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"itam export: cannot write {name}: {exc}", file=sys.stderr)
        return 2
    except DATABASE_ERRORS as exc:
        return _database_error("export", exc)
    print(f"itam export: {count} events written to {name}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.out is None:
        return _export(sys.stdout.buffer, "stdout")
    # Written beside the target and renamed at the end: a failed export leaves no file behind.
    target = Path(args.out)
    partial = target.with_name(f".{target.name}.partial")
    try:
        out = partial.open("wb")
    except OSError as exc:
        print(f"itam export: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        with out:
            code = _export(out, str(target))
        if code == 0:
            os.replace(partial, target)
        return code
    finally:
        partial.unlink(missing_ok=True)


# --- verify ---------------------------------------------------------------------------------------


@dataclass
class VerifyTally:
    streams: int = 0
    events: int = 0
    broken: int = 0
    malformed: int = 0

    @property
    def ok(self) -> bool:
        return not self.broken and not self.malformed

    def summary(self) -> str:
        checked = f"{self.events} events in {self.streams} streams"
        if self.ok:
            return f"ok: every chain holds ({checked})"
        malformed = f"; {self.malformed} malformed lines" if self.malformed else ""
        return f"FAILED: {self.broken} of {self.streams} chains broken{malformed} ({checked})"


def _report(check: ChainCheck, where: str = "") -> None:
    print(f"asset {check.asset_id} version {check.first_bad_version}: {check.reason}{where}", flush=True)


def verify_lines(lines: IO[bytes]) -> VerifyTally:
    """Checks an exported NDJSON log offline: events in position order, streams interleaved.

    Only each stream's chain head is kept, so memory grows with the streams, not the events."""
    tally = VerifyTally()
    chains: dict[str, ChainVerifier] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
        except ValueError as exc:
            tally.malformed += 1
            print(f"line {number}: not valid JSON ({exc})", flush=True)
            continue
        asset_id = event.get("asset_id") if isinstance(event, dict) else None
        if not isinstance(asset_id, str):
            tally.malformed += 1
            print(f"line {number}: not an event (no asset_id)", flush=True)
            continue
        chain = chains.get(asset_id)
        if chain is None:
            chain = chains[asset_id] = ChainVerifier(asset_id)
        holding = chain.first_bad_version is None
        chain.feed(event)
        tally.events += 1
        if holding and chain.first_bad_version is not None:
            tally.broken += 1
            _report(chain.result(), f" (line {number})")
    tally.streams = len(chains)
    return tally


async def verify_database(database_url: str) -> VerifyTally:
    """Checks every stream in the database, policy included, in one snapshot."""
    tally = VerifyTally()
    chain: ChainVerifier | None = None

    def close(chain: ChainVerifier) -> None:
        if not chain.result().ok:
            tally.broken += 1
            _report(chain.result())

    with tqdm(desc="verifying", unit=" events", unit_scale=True, file=sys.stderr) as bar:
        async with snapshot(database_url) as conn:
            async for event in EventStore(conn).scan_streams(READ_BATCH):
                asset_id = str(event.asset_id)
                if chain is None or chain.asset_id != asset_id:
                    if chain is not None:
                        close(chain)
                    chain = ChainVerifier(asset_id)
                    tally.streams += 1
                chain.feed(event.to_json())
                tally.events += 1
                bar.update()
    if chain is not None:
        close(chain)
    return tally


def cmd_verify(args: argparse.Namespace) -> int:
    if args.file is None:
        try:
            tally = asyncio.run(verify_database(get_settings().database_url))
        except DATABASE_ERRORS as exc:
            return _database_error("verify", exc)
    elif args.file == "-":
        tally = verify_lines(sys.stdin.buffer)
    else:
        try:
            with open(args.file, "rb") as lines:
                tally = verify_lines(lines)
        except OSError as exc:
            print(f"itam verify: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    print(tally.summary())
    return 0 if tally.ok else 1


def _actor(value: str) -> str:
    if not value.strip() or len(value) > 200:
        raise argparse.ArgumentTypeError("must be 1 to 200 characters, not blank")
    return value


def add_parsers(verbs: Any) -> None:
    """Adds the import, export and verify verbs to the `itam` parser's subparsers."""
    importer = verbs.add_parser("import", help="register existing assets from a CSV file")
    importer.add_argument("file", metavar="FILE.csv", help="header: AssetRegistered fields, owner, location")
    importer.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows even when some are bad"
    )
    importer.add_argument(
        "--actor", type=_actor, default="import", help="the actor recorded in the events (default: import)"
    )
    importer.set_defaults(run=cmd_import)

    exporter = verbs.add_parser("export", help="write the whole log as NDJSON, one event a line")
    exporter.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    exporter.set_defaults(run=cmd_export)

    verifier = verbs.add_parser("verify", help="check every hash chain, in the database or an export")
    verifier.add_argument(
        "file", nargs="?", metavar="FILE", help="an `itam export` file, checked offline ('-' reads stdin)"
    )
    verifier.set_defaults(run=cmd_verify)
