"""Where a server process spends its CPU: a py-spy sample of it under the command mix.

``py-spy record --gil --format raw`` samples only the thread that holds the GIL, so the samples
are the process's Python CPU time (without ``--gil`` py-spy also reports SQLAlchemy's suspended
greenlets, waiting on the database, as if they ran; threads blocked in a ``threading`` wait are
dropped here too). Each sample is charged to the package of its innermost frame (``self``), and to
every function of the project on its stack (``inclusive``). SQLAlchemy's async layer runs queries in
greenlets, which py-spy shows as stacks of their own, so the inclusive shares of the project's
functions leave out the database calls they make; the ``self`` shares do not.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^:()]+):\d+\)$")
# Innermost frames of a thread that waits (py-spy counts them as active).
_WAITING = ("Condition.wait (threading.py", "Event.wait (threading.py", "_wait_for_tstate_lock (threading.py")


def py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen[str]:
    spy = py_spy()
    if spy is None:
        raise RuntimeError("py-spy is not installed (it comes with the [bench] extra)")
    return subprocess.Popen(
        [spy, "record", "--format", "raw", "--rate", "100", "--duration", str(int(seconds)), "--nonblocking",
         "--gil", "--threads", "--pid", str(pid), "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _package(frame: str) -> str:
    match = _FRAME.match(frame)
    if match is None:
        return frame or "(unknown)"
    path = match.group("file")
    if path.startswith("app/"):
        return "app." + path.split("/")[1].removesuffix(".py")
    head = path.split("/")[0]
    return head.removesuffix(".py")


def summarize(path: Path, top: int = 15) -> dict[str, Any]:
    total = waiting = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread ("))] or ["(native)"]
        if frames[-1].startswith(_WAITING):
            waiting += samples
            continue
        total += samples
        own[_package(frames[-1])] += samples
        seen = set()
        for frame in frames:
            match = _FRAME.match(frame)
            # app/cli.py is the serve command itself, under every request; it says nothing.
            if match and match.group("file").startswith("app/") and match.group("file") != "app/cli.py":
                name = f"{match.group('file').removesuffix('.py').replace('/', '.')}:{match.group('name')}"
                if name not in seen:
                    seen.add(name)
                    inclusive[name] += samples
    share = {k: round(v / total, 3) for k, v in own.most_common(top)} if total else {}
    functions = {k: round(v / total, 3) for k, v in inclusive.most_common(top)} if total else {}
    return {
        "samples": total,
        "waiting_samples_dropped": waiting,
        "self_by_package": share,
        "inclusive_app_functions": functions,
    }
