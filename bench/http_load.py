"""Commands over HTTP: N concurrent clients run the command mix (``bench.mix``) against a server.

Each client is a closed loop (send a command, wait for its answer, send the next) on its own
keep-alive connection (``bench.rawhttp``; or one ``httpx.AsyncClient`` per client). Every
command is a POST with a JSON body and the bearer token of the role the SPEC requires, so auth,
validation, the transaction and the response are all on the path. A non-2xx answer is a failure,
counted by status; the client then abandons that asset and starts a new life.

``processes`` > 1 splits the clients over that many load processes (they start their windows at
the same wall-clock instant), for when one Python process cannot generate the load.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterator
from typing import Any

import orjson

from bench import mix, rawhttp
from bench.load import Operation, Tally, Window, closed_loop


class HttpFailure(Exception):
    def __init__(self, status: int, body: str):
        self.status = status
        super().__init__(f"{status}: {body}")


def _classify(exc: BaseException) -> str:
    return f"http {exc.status}" if isinstance(exc, HttpFailure) else type(exc).__name__


def _operation(
    http: rawhttp.Connection | rawhttp.HttpxConnection,
    headers: dict[str, dict[str, str]],
    seed: int,
    client: int,
    prefix: str,
) -> Operation:
    lives = mix.lives(seed, client, prefix)
    steps: Iterator[mix.Step] = iter(())
    asset_id = ""

    async def one_command() -> int:
        nonlocal steps, asset_id
        step = next(steps, None)
        if step is None:
            _, steps = next(lives)
            step = next(steps)
        path = "/api/v1/assets" + step.path.replace("{id}", asset_id)
        try:
            response = await http.post(path, orjson.dumps(step.body), headers[step.role])
        except Exception:
            steps = iter(())
            raise
        if response.status_code not in (200, 201):
            steps = iter(())
            raise HttpFailure(response.status_code, response.text[:200])
        if step.trigger == "request":
            asset_id = orjson.loads(response.content)["id"]
        return 1

    return one_command


async def _drive(
    base: str,
    tokens: dict[str, str],
    clients: list[int],
    seed: int,
    prefix: str,
    window: Window,
    start_at: float,
    kind: str,
) -> dict[str, Any]:
    headers = {
        role: {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for role, token in tokens.items()
    }
    connections = [rawhttp.connect(base, kind) for _ in clients]
    try:
        operations = [
            _operation(http, headers, seed, client, prefix)
            for http, client in zip(connections, clients, strict=True)
        ]
        await asyncio.sleep(max(0.0, start_at - time.time()))
        cpu = time.process_time()
        tally = await closed_loop(operations, window, _classify)
        cpu = time.process_time() - cpu
    finally:
        for http in connections:
            await http.close()
    return {
        "latencies": tally.latencies,
        "units": tally.units,
        "failures": tally.failures,
        "examples": tally.failure_examples,
        "cpu_s": cpu,
        "wall_s": window.warmup + window.seconds,
    }


def _drive_process(args: tuple[Any, ...]) -> dict[str, Any]:
    import uvloop

    return uvloop.run(_drive(*args))


def run(
    base: str,
    tokens: dict[str, str],
    concurrency: int,
    window: Window,
    *,
    seed: int,
    prefix: str,
    processes: int = 1,
    kind: str = "raw",
) -> dict[str, Any]:
    start_at = time.time() + (2.0 if processes > 1 else 0.0)
    shares = [list(range(p, concurrency, processes)) for p in range(processes)]
    jobs = [(base, tokens, share, seed, prefix, window, start_at, kind) for share in shares]
    if processes == 1:
        parts = [_drive_process(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            parts = pool.map(_drive_process, jobs)
    total = Tally()
    for part in parts:
        total.merge(
            Tally(
                latencies=part["latencies"],
                units=part["units"],
                failures=part["failures"],
                failure_examples=part["examples"],
            )
        )
    result = total.result(window.seconds, "commands")
    result["clients"] = concurrency
    result["load_processes"] = processes
    result["http_client"] = kind
    # Each load process's CPU over its whole loop (warm-up included), in cores: near 1.0 means the
    # load generator, not the server, sets the pace.
    result["client_cores_per_process"] = [round(p["cpu_s"] / p["wall_s"], 2) for p in parts]
    return result
