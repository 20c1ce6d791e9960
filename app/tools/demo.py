"""`itam demo`: a realistic organisation's history (SPEC section 6)."""

from __future__ import annotations

from typing import Any


def add_parsers(verbs: Any) -> None:
    """Adds the demo verb to the `itam` parser's subparsers."""
    del verbs  # not written yet
