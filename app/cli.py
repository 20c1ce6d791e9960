"""The ``itam`` command line (SPEC section 6)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from app import apikeys, migrate
from app.db import create_engine
from app.observability import configure_logging
from app.settings import get_settings

T = TypeVar("T")
BOOTSTRAP_ADMIN = "admin"


def _with_connection(work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(get_settings().database_url)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_migrate(_: argparse.Namespace) -> int:
    migrate.upgrade(get_settings().database_url)
    print("database is at the latest schema", file=sys.stderr)
    return 0


async def _bootstrap_admin(conn: AsyncConnection) -> str | None:
    if await apikeys.has_keys(conn):
        return None
    return await apikeys.create_key(conn, BOOTSTRAP_ADMIN, ["admin"])


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    if settings.is_sqlite and args.workers > 1:
        print(
            "itam serve: SQLite allows one writing process; use --workers 1, or PostgreSQL "
            "(ITAM_DATABASE_URL=postgresql+asyncpg://...) for several workers",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings.log_level)
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker writes its metrics here and /metrics sums them (set before workers start).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="itam-metrics-")
    migrate.upgrade(settings.database_url)
    token = _with_connection(_bootstrap_admin)
    if token is not None:
        logging.getLogger("itam.cli").warning(
            "created the first API key, '%s' (role admin); its token is on stdout, shown only once",
            BOOTSTRAP_ADMIN,
        )
        print(token, flush=True)
    uvicorn.run(
        "app.api.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    try:
        token = _with_connection(lambda conn: apikeys.create_key(conn, args.name, args.role))
    except apikeys.KeyProblem as exc:
        print(f"itam keys create: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def cmd_keys_list(_: argparse.Namespace) -> int:
    keys = _with_connection(apikeys.list_keys)
    for key in keys:
        revoked = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
        print(f"{key.name}\t{','.join(key.roles)}\tcreated {key.created_at.isoformat()}\t{revoked}")
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    if not _with_connection(lambda conn: apikeys.revoke_key(conn, args.name)):
        print(f"itam keys revoke: no active key named '{args.name}'", file=sys.stderr)
        return 1
    print(f"revoked '{args.name}'", file=sys.stderr)
    return 0


def cmd_projections_rebuild(_: argparse.Namespace) -> int:
    from tqdm import tqdm

    from app.projections.rebuild import RebuildResult, rebuild

    async def run() -> RebuildResult:
        engine = create_engine(get_settings().database_url, statement_timeout=None)
        bar = tqdm(desc="rebuilding projections", unit=" events", unit_scale=True, file=sys.stderr)

        def total(events: int) -> None:
            bar.total = events
            bar.refresh()

        try:
            return await rebuild(engine, progress=bar.update, on_total=total)
        finally:
            bar.close()
            await engine.dispose()

    migrate.upgrade(get_settings().database_url, build_projections=False)
    result = asyncio.run(run())
    changed = sum(result.changed.values())
    print(
        f"rebuilt {len(result.changed)} projections from {result.events} events of {result.assets} assets "
        f"up to position {result.position} in {result.seconds:.2f} s "
        f"({result.events_per_second:,.0f} events/s); "
        f"{changed} rows differed and were replaced; appends waited {result.pause_seconds:.2f} s",
        file=sys.stderr,
    )
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="itam", description="ITAM ledger: event-sourced IT asset management")
    verbs = top.add_subparsers(dest="verb", required=True)

    serve = verbs.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)

    verbs.add_parser("migrate", help="upgrade the database schema to the latest revision").set_defaults(
        run=cmd_migrate
    )

    keys = verbs.add_parser("keys", help="manage API keys").add_subparsers(dest="keys_verb", required=True)
    create = keys.add_parser("create", help="create a key and print its token once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", action="append", required=True, choices=apikeys.ROLES)
    create.set_defaults(run=cmd_keys_create)
    keys.add_parser("list", help="list keys (never their tokens)").set_defaults(run=cmd_keys_list)
    revoke = keys.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("name")
    revoke.set_defaults(run=cmd_keys_revoke)

    projections = verbs.add_parser("projections", help="maintain the read models").add_subparsers(
        dest="projections_verb", required=True
    )
    projections.add_parser(
        "rebuild", help="rebuild every projection from the log, while the service runs"
    ).set_defaults(run=cmd_projections_rebuild)

    from app.tools import demo, transfer

    transfer.add_parsers(verbs)
    demo.add_parsers(verbs)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.verb != "serve":  # serve logs JSON lines (configure_logging); the rest talk to people
        logging.basicConfig(format="itam: %(message)s", level=logging.INFO, stream=sys.stderr)
        logging.getLogger("alembic").setLevel(logging.WARNING)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
