"""Ratios and targets: every figure of a run set against its baseline, as table rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

LISTING_P99_MS = 50.0


@dataclass
class Row:
    workload: str
    figure: str
    p50: str = ""
    p99: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""
    cpu: str = ""


def _n(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def _times(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:,.2f}x"


def _pct(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio * 100:,.0f}%"


def _cpu(cpu: dict[str, Any] | None) -> str:
    if not cpu:
        return ""
    parts = [f"{cpu.get(k + '_cores', '-')}" for k in ("bench", "server", "postgres", "other")]
    return "/".join(parts)


def _get(tree: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _latency(r: dict[str, Any]) -> tuple[str, str]:
    return _n(r["latency"]["p50_ms"], 1), _n(r["latency"]["p99_ms"], 1)


@dataclass
class Analysis:
    """The table's rows, every ratio, and every target with whether it was met."""

    results: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    ratios: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def raw(self) -> dict[str, Any]:
        raw: dict[str, Any] = self.results.get("raw", {})
        return raw

    @property
    def peer(self) -> dict[str, Any]:
        peer: dict[str, Any] = self.results.get("peer", {})
        return peer

    def target(self, name: str, value: float | None, threshold: float, above: bool, shown: str) -> str:
        met = None if value is None else (value >= threshold if above else value < threshold)
        self.targets.append(
            {"target": name, "value": value, "threshold": threshold, "met": met, "shown": shown}
        )
        return "n/a" if met is None else ("yes" if met else "NO")

    def run(self) -> Analysis:
        self.baselines()
        self.http()
        self.inprocess()
        self.history()
        self.listing()
        self.rebuild()
        self.imported()
        self.load_and_memory()
        return self

    def baselines(self) -> None:
        for tasks, r in self.raw.items():
            label = f"(a) raw asyncpg append, {tasks} tasks"
            if "error" in r:
                self.rows.append(Row(label, r["error"]))
                continue
            figure = f"{_n(r['commits_per_s'])} commits/s"
            self.rows.append(Row(label, figure, *_latency(r), cpu=_cpu(r.get("cpu"))))
        for threads, r in self.peer.items():
            if threads == "get_1000":
                continue
            label = f"(b) eventsourcing get+event+save, {threads} threads"
            if "error" in r:
                self.rows.append(Row(label, r["error"]))
                continue
            ratio = _ratio(r["commands_per_s"], _get(self.raw, threads, "commits_per_s"))
            self.ratios[f"peer_c{threads}_vs_raw"] = ratio
            figure = f"{_n(r['commands_per_s'])} commands/s"
            self.rows.append(Row(label, figure, *_latency(r), f"{_times(ratio)} (a)", cpu=_cpu(r.get("cpu"))))

    def http(self) -> None:
        for key, h in self.results.get("http", {}).items():
            c = str(h["clients"])
            vs_raw = _ratio(h["commands_per_s"], _get(self.raw, c, "commits_per_s"))
            vs_peer = _ratio(h["commands_per_s"], _get(self.peer, c, "commands_per_s"))
            self.ratios[f"http_{key}_vs_raw"] = vs_raw
            self.ratios[f"http_{key}_vs_peer"] = vs_peer
            label = f"HTTP {h['workers']} worker{'s' if h['workers'] > 1 else ''}, {c} clients"
            met_raw = self.target(f"{label}: ≥ 40% of (a)", vs_raw, 0.40, True, _pct(vs_raw))
            met_peer = self.target(f"{label}: ≥ 3x (b)", vs_peer, 3.0, True, _times(vs_peer))
            failed = f", {h['failed']} failed" if h["failed"] else ""
            self.rows.append(
                Row(
                    label,
                    f"{_n(h['commands_per_s'])} commands/s{failed}",
                    *_latency(h),
                    f"{_pct(vs_raw)} of (a); {_times(vs_peer)} (b)",
                    "≥ 40% of (a); ≥ 3x (b)",
                    f"{met_raw}; {met_peer}",
                    _cpu(h.get("cpu")),
                )
            )

    def inprocess(self) -> None:
        for tasks, r in self.results.get("inprocess", {}).items():
            label = f"In-process append (handlers), {tasks} tasks"
            if "error" in r:
                self.rows.append(Row(label, r["error"]))
                continue
            vs_raw = _ratio(r["events_per_s"], _get(self.raw, tasks, "commits_per_s"))
            vs_peer = _ratio(r["events_per_s"], _get(self.peer, tasks, "commands_per_s"))
            self.ratios[f"inprocess_c{tasks}_vs_raw"] = vs_raw
            self.ratios[f"inprocess_c{tasks}_vs_peer"] = vs_peer
            met = self.target(
                f"In-process append, {tasks} tasks: ≥ 70% of (a)", vs_raw, 0.70, True, _pct(vs_raw)
            )
            self.rows.append(
                Row(
                    label,
                    f"{_n(r['events_per_s'])} events/s, "
                    f"{r.get('statements_per_command', '?')} statements/command",
                    *_latency(r),
                    f"{_pct(vs_raw)} of (a); {_times(vs_peer)} (b)",
                    "≥ 70% of (a)",
                    met,
                    _cpu(r.get("cpu")),
                )
            )

    def history(self) -> None:
        get = _get(self.peer, "get_1000")
        if get:
            p50, p99 = _n(get["p50_ms"], 1), _n(get["p99_ms"], 1)
            self.rows.append(Row("(b) eventsourcing repository.get, 1,000 events", f"{p50} ms", p50, p99))
        for key, label in (
            ("events_page_1000", "GET /assets/{id}/events?limit=1000"),
            ("asset_at_version_1000", "GET /assets/{id}?version=1000"),
        ):
            h = _get(self.results, "history", key)
            if not h:
                continue
            ratio = _ratio(h["p50_ms"], _get(get, "p50_ms"))
            self.ratios[f"history_{key}_vs_peer_get"] = ratio
            name = f"{label} (1,000 events) faster than (b)'s repository.get"
            met = self.target(name, ratio, 1.0, False, _n(ratio, 2))
            p50, p99 = _n(h["p50_ms"], 1), _n(h["p99_ms"], 1)
            self.rows.append(
                Row(
                    f"History: {label}",
                    f"{p50} ms",
                    p50,
                    p99,
                    f"{_times(ratio)} (b)'s get",
                    "< 1.0x (b)'s get",
                    met,
                )
            )

    def listing(self) -> None:
        listing = self.results.get("listing")
        if not listing:
            return
        worst: tuple[float, str] = (0.0, "")
        for case, entry in listing["cases"].items():
            for page in ("first_page", "deep_page"):
                figures = entry.get(page)
                if not figures:
                    continue
                where = f"{case}, {page.replace('_', ' ')}"
                if figures["p99_ms"] > worst[0]:
                    worst = (figures["p99_ms"], where)
                self.rows.append(
                    Row(
                        f"GET /assets {where} ({_n(entry['matches'])} match)",
                        f"{figures['n']} requests",
                        _n(figures["p50_ms"], 1),
                        _n(figures["p99_ms"], 1),
                        target="p99 < 50 ms",
                        met="yes" if figures["p99_ms"] < LISTING_P99_MS else "NO",
                    )
                )
        self.ratios["listing_worst_p99_ms"] = worst[0]
        name = f"Listing p99 < 50 ms at {_n(listing['assets'])} assets, every filter (worst: {worst[1]})"
        self.target(name, worst[0], LISTING_P99_MS, False, f"{_n(worst[0], 1)} ms")

    def rebuild(self) -> None:
        rebuild, scan = self.results.get("rebuild"), self.results.get("scan") or {}
        for s in scan.values():
            figure = f"{_n(s['events_per_s'])} events/s"
            self.rows.append(Row(f"Decoded scan of events ({s['order']})", figure, cpu=_cpu(s.get("cpu"))))
        if not rebuild:
            return
        floor = max((s["events_per_s"] for s in scan.values()), default=None)
        ratio = _ratio(rebuild["events_per_s"], floor)
        self.ratios["rebuild_vs_scan"] = ratio
        self.ratios["rebuild_command_vs_scan"] = _ratio(rebuild["command_events_per_s"], floor)
        met = self.target("Rebuild ≥ 25% of the decoded scan", ratio, 0.25, True, _pct(ratio))
        self.rows.append(
            Row(
                f"itam projections rebuild ({_n(rebuild['events'])} events)",
                f"{_n(rebuild['events_per_s'])} events/s "
                f"({_n(rebuild['command_events_per_s'])} incl. start-up)",
                ratio=f"{_pct(ratio)} of the faster scan",
                target="≥ 25% of the scan",
                met=met,
                cpu=_cpu(rebuild.get("cpu")),
            )
        )

    def imported(self) -> None:
        imported = self.results.get("import")
        if not imported:
            return
        if not imported.get("available"):
            self.rows.append(Row("itam import", "not yet available", target="≥ 10,000 rows/s", met="n/a"))
            self.target("Import ≥ 10,000 rows/s", None, 10_000, True, "not available")
            return
        vs_raw = _ratio(imported["events_per_s"], _get(self.raw, "16", "commits_per_s"))
        self.ratios["import_events_vs_raw16"] = vs_raw
        rate = imported["rows_per_s"]
        met = self.target("Import ≥ 10,000 rows/s", rate, 10_000, True, f"{_n(rate)} rows/s")
        self.rows.append(
            Row(
                f"itam import, {_n(imported['rows'])} rows",
                f"{_n(rate)} rows/s ({_n(imported['events_per_s'])} events/s)",
                ratio=f"{_times(vs_raw)} (a, 16 tasks) in events/s",
                target="≥ 10,000 rows/s",
                met=met,
                cpu=_cpu(imported.get("cpu")),
            )
        )

    def load_and_memory(self) -> None:
        load = self.results.get("load")
        if load:
            rates = f"{_n(load['assets_per_s'])} assets/s, {_n(load['events_per_s'])} events/s"
            figure = f"{rates}, {load['seconds']} s"
            self.rows.append(
                Row(f"Bulk load (bulk.write), {_n(load['assets'])} assets", figure, cpu=_cpu(load.get("cpu")))
            )
        for label, m in (self.results.get("memory") or {}).items():
            if m:
                figure = f"{m['peak_rss_mib']} MiB (largest process {m['largest_process_hwm_mib']} MiB)"
                self.rows.append(Row(f"Peak RSS, {label.replace('_', ' ')}", figure))
