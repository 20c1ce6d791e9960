"""`itam import`, `itam export` and `itam verify` (SPEC section 6)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(verbs: Any) -> None:
    """Adds the import, export and verify verbs to the `itam` parser's subparsers."""
    del verbs  # not written yet


__all__ = ["add_parsers", "argparse"]
