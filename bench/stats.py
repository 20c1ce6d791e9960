"""Percentiles, and where the CPU went: this process, the server, PostgreSQL, the machine.

On a 2-core machine the load generator, the service and PostgreSQL share the same cores, so each
throughput figure comes with the CPU seconds each of them spent during it (``cores`` = CPU seconds
per wall second; 1.0 is one core saturated) and the machine's idle and iowait shares.
"""

from __future__ import annotations

import math
import os
import platform
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of the samples; NaN when there are none."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p99/mean/max of latencies given in seconds, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else math.nan,
        "max_ms": round(max(ms), 3) if ms else math.nan,
    }


def tree(pid: int) -> list[psutil.Process]:
    """A process and its descendants (e.g. uvicorn's workers), those that are still alive."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def own(exclude: int | None = None) -> list[psutil.Process]:
    """This process and its descendants, less the tree of ``exclude`` (a server it started)."""
    skip = {p.pid for p in tree(exclude)} if exclude is not None else set()
    return [p for p in tree(os.getpid()) if p.pid not in skip]


def postgres_processes() -> list[psutil.Process]:
    """Every PostgreSQL process on the machine: the benchmark's backends, but also the backends of
    whoever else uses the server at the time (the CPU figure is an upper bound for the benchmark)."""
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")]


def _cpu(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
        return times.user + times.system + times.children_user + times.children_system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


class CpuMeter:
    """CPU seconds spent by groups of processes between ``start`` and ``stop``.

    Processes that start during the window count from zero; those that end during it keep what was
    last read of them (``sample`` may be called meanwhile to read them more often)."""

    def __init__(self, groups: dict[str, Callable[[], list[psutil.Process]]]):
        self.groups = groups
        self._first: dict[str, dict[int, float]] = {}
        self._last: dict[str, dict[int, float]] = {}
        self._machine: Any = None
        self._wall = 0.0

    def _read(self) -> dict[str, dict[int, float]]:
        readings: dict[str, dict[int, float]] = {}
        for name, find in self.groups.items():
            readings[name] = {}
            for process in find():
                seconds = _cpu(process)
                if seconds is not None:
                    readings[name][process.pid] = seconds
        return readings

    def start(self) -> None:
        self._first = self._read()
        self._last = {name: dict(pids) for name, pids in self._first.items()}
        self._machine = psutil.cpu_times()
        self._wall = time.perf_counter()

    def sample(self) -> None:
        for name, pids in self._read().items():
            self._last[name].update(pids)

    def stop(self) -> dict[str, Any]:
        self.sample()
        wall = time.perf_counter() - self._wall
        machine = psutil.cpu_times()
        result: dict[str, Any] = {"wall_s": round(wall, 3)}
        for name, pids in self._last.items():
            first = self._first.get(name, {})
            spent = sum(seconds - first.get(pid, 0.0) for pid, seconds in pids.items())
            result[f"{name}_cores"] = round(spent / wall, 2) if wall > 0 else math.nan
        total = sum(machine) - sum(self._machine)
        idle = (machine.idle - self._machine.idle) + (
            getattr(machine, "iowait", 0.0) - getattr(self._machine, "iowait", 0.0)
        )
        if wall > 0:
            busy = (total - idle) / wall
            result["machine_busy_cores"] = round(busy, 2)
            # Whatever else ran meanwhile (other people's test suites on a shared machine).
            result["other_cores"] = round(
                max(
                    0.0,
                    busy
                    - sum(v for k, v in result.items() if k.endswith("_cores") and k != "machine_busy_cores"),
                ),
                2,
            )
        if total > 0:
            result["machine_idle"] = round((machine.idle - self._machine.idle) / total, 3)
            result["machine_iowait"] = round(
                (getattr(machine, "iowait", 0.0) - getattr(self._machine, "iowait", 0.0)) / total, 3
            )
        return result


class PeakRss:
    """Polls the resident memory of process trees in a thread; ``peak`` per label, in MiB.

    A tree's figure is the sum over its processes (uvicorn's master and workers), read together;
    each process's own high-water mark (VmHWM) is also kept, as the largest single process."""

    def __init__(self, roots: dict[str, int], interval: float = 0.05):
        self.roots = roots
        self.interval = interval
        self.peak_sum: dict[str, int] = dict.fromkeys(roots, 0)
        self.peak_one: dict[str, int] = dict.fromkeys(roots, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            for label, pid in self.roots.items():
                total = 0
                for process in tree(pid):
                    try:
                        rss = process.memory_info().rss
                        hwm = _high_water_mark(process.pid) or rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    total += rss
                    self.peak_one[label] = max(self.peak_one[label], hwm)
                self.peak_sum[label] = max(self.peak_sum[label], total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> dict[str, dict[str, float]]:
        mib = 1024 * 1024
        return {
            label: {
                "peak_rss_mib": round(self.peak_sum[label] / mib, 1),
                "largest_process_hwm_mib": round(self.peak_one[label] / mib, 1),
            }
            for label in self.roots
        }


def _high_water_mark(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    """The processor, cores, memory and kernel, as /proc tells them."""
    info: dict[str, Any] = {"cores": os.cpu_count(), "kernel": platform.release()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        for key, name in (("cpu", "model name"), ("mhz", "cpu MHz"), ("cache", "cache size")):
            match = re.search(rf"^{name}\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
            if match:
                info[key] = match.group(1).strip()
        memory = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
        if memory:
            info["memory_gib"] = round(int(memory.group(1)) / 1024 / 1024, 1)
    except OSError:
        pass
    return info
