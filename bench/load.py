"""Closed-loop load: N workers, each doing one operation after another for a fixed time.

A warm-up comes first and is not counted; then the operations that complete inside the measured
window count (in a steady state that is unbiased: as many are in flight when it opens as when it
closes), so the rate is completions per second of the window.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.stats import summary_ms


@dataclass
class Window:
    warmup: float
    seconds: float
    started: float = 0.0

    def begin(self) -> None:
        self.started = time.perf_counter()

    @property
    def opens(self) -> float:
        return self.started + self.warmup

    @property
    def closes(self) -> float:
        return self.opens + self.seconds


@dataclass
class Tally:
    """What the workers did inside the window: latencies of successes, counts of failures."""

    latencies: list[float] = field(default_factory=list)
    units: int = 0  # events, or commands: what the caller counts per success
    failures: dict[str, int] = field(default_factory=dict)
    failure_examples: list[str] = field(default_factory=list)

    def fail(self, kind: str, example: str) -> None:
        self.failures[kind] = self.failures.get(kind, 0) + 1
        if len(self.failure_examples) < 5:
            self.failure_examples.append(example[:300])

    def merge(self, other: Tally) -> None:
        self.latencies.extend(other.latencies)
        self.units += other.units
        for kind, n in other.failures.items():
            self.failures[kind] = self.failures.get(kind, 0) + n
        self.failure_examples.extend(other.failure_examples[: 5 - len(self.failure_examples)])

    def result(self, seconds: float, unit: str) -> dict[str, Any]:
        return {
            f"{unit}_per_s": round(self.units / seconds, 1),
            "ok": len(self.latencies),
            "units": self.units,
            "failed": sum(self.failures.values()),
            "failures": self.failures,
            "failure_examples": self.failure_examples,
            "latency": summary_ms(self.latencies),
        }


# One operation of a worker: returns how many units it did (0 for none), or raises.
Operation = Callable[[], Awaitable[int]]


async def closed_loop(
    operations: list[Operation], window: Window, classify: Callable[[BaseException], str] | None = None
) -> Tally:
    """Runs each operation (one per worker) again and again until the window closes."""
    tally = Tally()
    window.begin()

    async def worker(operation: Operation) -> None:
        while True:
            start = time.perf_counter()
            if start >= window.closes:
                return
            try:
                units = await operation()
            except Exception as exc:
                end = time.perf_counter()
                if window.opens <= end <= window.closes:
                    kind = classify(exc) if classify else type(exc).__name__
                    tally.fail(kind, f"{type(exc).__name__}: {exc}")
                continue
            end = time.perf_counter()
            if window.opens <= end <= window.closes:
                tally.latencies.append(end - start)
                tally.units += units

    await asyncio.gather(*(worker(op) for op in operations))
    return tally
