"""``itam import FILE.csv``: rows/s of a brownfield import into a fresh, migrated database.

The file has the register columns an inventory export would carry (category, model, department,
vendor, purchase cost, acquisition date, warranty, serial number, a unique asset tag), and four
rows in five name an owner and a location, so they are deployed on registration (two events).
The figure is rows over the wall time of the whole command, as an operator sees it (process start,
the checking pass and the writing pass). When ``itam import --help`` fails the verb is not there
yet and the figure is recorded as not available.
"""

from __future__ import annotations

import csv
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench import fleet
from bench.server import ITAM, itam_env

COLUMNS = (
    "category",
    "model",
    "department",
    "vendor",
    "purchase_cost",
    "acquired_on",
    "warranty_expires",
    "serial_number",
    "asset_tag",
    "owner",
    "location",
)


def available() -> tuple[bool, str]:
    done = subprocess.run([ITAM, "import", "--help"], capture_output=True, text=True, timeout=60)
    return done.returncode == 0, (done.stdout + done.stderr).strip()[-500:]


def write_csv(path: Path, rows: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(COLUMNS)
        for n in range(rows):
            it = fleet.item(rng, n, "IMP")
            deployed = rng.random() < 0.8
            warranty = fleet.three_years_after(it.acquired_on)
            out.writerow(
                (
                    it.category,
                    it.model,
                    it.department,
                    it.vendor,
                    str(it.cost),
                    it.acquired_on.isoformat(),
                    warranty.isoformat() if warranty else "",
                    it.serial_number,
                    it.asset_tag,
                    fleet.person(rng, 5000) if deployed else "",
                    fleet.office(rng) if deployed else "",
                )
            )


def run(url: str, dsn: str, path: Path, rows: int) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([ITAM, "import", str(path)], env=itam_env(url), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"itam import exited with {done.returncode}: {done.stderr[-1000:]}")
    events, assets = _counts(dsn)
    if assets != rows:
        raise RuntimeError(f"itam import wrote {assets} assets for {rows} rows: {done.stderr[-500:]}")
    summary = [line for line in done.stderr.splitlines() if line.startswith("itam import:")]
    return {
        "rows": rows,
        "events": events,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "events_per_s": round(events / seconds),
        "summary": summary[-1] if summary else "",
    }


def _counts(dsn: str) -> tuple[int, int]:
    import uvloop

    async def count() -> tuple[int, int]:
        conn = await asyncpg.connect(dsn)
        try:
            events = await conn.fetchval("SELECT count(*) FROM events")
            assets = await conn.fetchval("SELECT count(*) FROM assets")
            return int(events), int(assets)
        finally:
            await conn.close()

    result: tuple[int, int] = uvloop.run(count())
    return result
