"""What a run leaves behind: the printed table, ``results/*.json`` and ``*.md``, and the figures
in ``README.md``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench.report import LISTING_P99_MS, Analysis, Row

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"

COLUMNS = ("Workload", "Figure", "p50 ms", "p99 ms", "Ratio", "Target", "Met", "Cores bench/server/pg/other")


def _cells(row: Row) -> tuple[str, ...]:
    return (row.workload, row.figure, row.p50, row.p99, row.ratio, row.target, row.met, row.cpu)


def text_table(rows: list[Row]) -> str:
    cells = [COLUMNS, *(_cells(r) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = [" | ".join(c[i].ljust(widths[i]) for i in range(len(COLUMNS))).rstrip() for c in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def targets_markdown(targets: list[dict[str, Any]]) -> str:
    lines = ["| Target | Measured | Met |", "|---|---|---|"]
    for t in targets:
        met = "n/a" if t["met"] is None else ("yes" if t["met"] else "**no**")
        lines.append(f"| {t['target']} | {t['shown']} | {met} |")
    return "\n".join(lines)


def profile_markdown(spy: dict[str, Any] | None) -> list[str]:
    if not spy:
        return []
    if "error" in spy:
        return ["", f"The py-spy sample of the server failed: {spy['error']}"]
    lines = [
        "",
        "### Where the 1-worker server's CPU went (py-spy)",
        "",
        f"{spy['samples']:,} samples of `itam serve --workers 1` under 16 clients "
        f"({spy['commands_per_s_while_sampled']:,.0f} commands/s while sampled; raw stacks in "
        f"`{spy['stacks']}`). Self time by the package of the innermost frame:",
        "",
        "| Package | Share of CPU samples |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.1%} |" for k, v in spy["self_by_package"].items()]
    lines += [
        "",
        "The project's functions on the stack (inclusive; SQLAlchemy's async layer runs queries in",
        "greenlets, sampled as stacks of their own, so the database calls they make are not included",
        "here but show under the packages above):",
        "",
        "| Function | Inclusive share |",
        "|---|---|",
    ]
    lines += [f"| `{k}` | {v:.1%} |" for k, v in spy["inclusive_app_functions"].items()]
    return lines


def plans_markdown(listing: dict[str, Any] | None) -> list[str]:
    """The plans of the listing cases that missed the p99 target, as PostgreSQL ran them."""
    if not listing:
        return []
    lines: list[str] = []
    for case, entry in listing["cases"].items():
        slow = [p for p in ("first_page", "deep_page") if p in entry and entry[p]["p99_ms"] >= LISTING_P99_MS]
        plan = entry.get("plan")
        if not slow or not plan:
            continue
        lines += [
            "",
            f"`GET /assets` {case}: the first page's query, 7th execution of the prepared statement:",
            "",
        ]
        lines += ["```", plan["statement"], *plan["seventh_execution"], "```"]
    if lines:
        lines = ["", "### Plans of the listing queries that missed 50 ms", *lines]
    return lines


def _summary_markdown(results: dict[str, Any], rows: list[Row], targets: list[dict[str, Any]]) -> str:
    meta = results["meta"]
    m = meta["machine"]
    timings = results.get("timings", {})
    code, after = meta.get("code", {}), meta.get("code_at_end", {})
    measured = f"commit {code.get('commit')} ({code.get('subject')})"
    if code.get("uncommitted"):
        measured += f" with uncommitted changes to {', '.join(code['uncommitted'])}"
    if after and after != code:
        measured += f"; **the code changed during the run** (at the end: commit {after.get('commit')})"
    phases = ", ".join(f"{k} {v['seconds']} s" for k, v in timings.items() if isinstance(v, dict))
    return "\n".join(
        [
            f"Profile **{meta['profile']['name']}**, run {meta['run']} started {meta['started_at']}, "
            f"took {timings.get('total_seconds', '?')} s ({phases}). "
            f"Machine: {m.get('cpu', '?')}, {m.get('cores')} cores, {m.get('memory_gib')} GiB; "
            f"PostgreSQL {meta['postgres'].get('server_version', '?')} (shared_buffers "
            f"{meta['postgres'].get('shared_buffers', '?')}, synchronous_commit "
            f"{meta['postgres'].get('synchronous_commit', '?')}); HTTP load client: {meta['http_client']}. "
            f"Code: {measured}.",
            "",
            "### Targets",
            "",
            targets_markdown(targets),
            "",
            "### Every figure",
            "",
            "Cores = CPU seconds per wall second during that measurement, for the harness and its",
            "children (load generators, loaders, `itam` commands), the server's processes, every",
            "PostgreSQL process, and everything else on the machine.",
            "",
            markdown_table(rows),
            *plans_markdown(results.get("listing")),
            *profile_markdown(results.get("profile_http")),
        ]
    )


def _finite(value: Any) -> Any:
    """JSON has no NaN: a figure that could not be measured is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def finish(results: dict[str, Any], folder: Path, *, readme: bool, complete: bool = True) -> None:
    """Prints the table and writes the files; a run of some phases only (``complete`` False)
    writes ``partial.json`` and ``partial.md`` and leaves the latest figures alone."""
    analysis = Analysis(results).run()
    rows, targets = analysis.rows, analysis.targets
    results["ratios"] = analysis.ratios
    results["targets"] = targets
    print()
    print(text_table(rows))
    print()
    for t in targets:
        met = "n/a" if t["met"] is None else ("met" if t["met"] else "NOT MET")
        print(f"  {met:8} {t['target']}: {t['shown']}")
    spy = results.get("profile_http")
    if spy and "self_by_package" in spy:
        shares = ", ".join(f"{k} {v:.0%}" for k, v in list(spy["self_by_package"].items())[:8])
        print(f"\n  server CPU by package (py-spy, 1 worker, 16 clients): {shares}")
    print(f"\ntotal {results.get('timings', {}).get('total_seconds')} s")
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_finite(results), indent=2, default=str, allow_nan=False)
    summary = _summary_markdown(results, rows, targets)
    name = "latest" if complete else "partial"
    (folder / f"{name}.json").write_text(text + "\n")
    (folder / f"{name}.md").write_text(summary + "\n")
    if complete:
        (folder / f"{results['meta']['profile']['name']}.json").write_text(text + "\n")
    print(f"wrote {folder / (name + '.json')} and {folder / (name + '.md')}")
    if readme and complete and README.exists():
        current = README.read_text()
        if START in current and END in current:
            head, rest = current.split(START, 1)
            _, tail = rest.split(END, 1)
            README.write_text(f"{head}{START}\n{summary}\n{END}{tail}")
            print(f"updated the figures in {README}")
