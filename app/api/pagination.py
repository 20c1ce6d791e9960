"""Opaque keyset cursors and the paging parameters every list shares."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from app.api.problems import field_problem

MAX_LIMIT = 1000
# Positions and versions fit a signed 64-bit integer on every database.
MAX_POSITION = 2**63 - 1
MAX_VERSION = 2**31 - 1


def encode_cursor(kind: str, after: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"k": kind, "a": after})).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int:
    try:
        payload: Any = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = payload["a"]
        if (
            payload["k"] != kind
            or not isinstance(after, int)
            or isinstance(after, bool)
            or not 0 <= after <= MAX_POSITION
        ):
            raise ValueError
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise field_problem(["query", "cursor"], "is not a cursor this list gave out") from None
    return after


def encode_key_cursor(kind: str, after: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"k": kind, "s": after})).decode().rstrip("=")


def decode_key_cursor(kind: str, cursor: str) -> str:
    try:
        payload: Any = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = payload["s"]
        if payload["k"] != kind or not isinstance(after, str):
            raise ValueError
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise field_problem(["query", "cursor"], "is not a cursor this list gave out") from None
    return after


def resolve_after(kind: str, after: int | None, cursor: str | None, after_name: str) -> int:
    if after is not None and cursor is not None:
        raise field_problem(["query", "cursor"], f"give either '{after_name}' or 'cursor', not both")
    if cursor is not None:
        return decode_cursor(kind, cursor)
    return after or 0
