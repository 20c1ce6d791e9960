"""The hash chain of SPEC section 2. Standard library only: ``itam verify FILE`` needs no database.

hash = SHA-256 hex of prev_hash followed by the canonical JSON of
{asset_id, version, type, schema_version, data, metadata, recorded_at}.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ZERO_HASH = "0" * 64
HASHED_FIELDS = ("asset_id", "version", "type", "schema_version", "data", "metadata", "recorded_at")


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    """``event`` holds at least the hashed fields, each exactly as the API returns it."""
    body = {name: event[name] for name in HASHED_FIELDS}
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    asset_id: str
    events: int
    first_bad_version: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_bad_version is None


class ChainVerifier:
    """Checks one stream's events, fed in version order, one at a time (constant memory)."""

    def __init__(self, asset_id: str):
        self.asset_id = asset_id
        self.events = 0
        self.first_bad_version: int | None = None
        self.reason: str | None = None
        self._prev_hash = ZERO_HASH

    def feed(self, event: Mapping[str, Any]) -> None:
        self.events += 1
        if self.first_bad_version is not None:
            return
        expected_version = self.events
        version = event.get("version")
        if version != expected_version:
            self._fail(expected_version, f"version {version} found where {expected_version} was expected")
        elif event.get("prev_hash") != self._prev_hash:
            self._fail(expected_version, "prev_hash does not match the previous event's hash")
        else:
            try:
                computed = event_hash(self._prev_hash, event)
            except (KeyError, TypeError, ValueError) as exc:
                self._fail(expected_version, f"event cannot be hashed: {exc}")
                return
            if computed != event.get("hash"):
                self._fail(expected_version, "hash does not match the event's content")
            self._prev_hash = str(event.get("hash"))

    def _fail(self, version: int, reason: str) -> None:
        self.first_bad_version = version
        self.reason = reason

    def result(self) -> ChainCheck:
        return ChainCheck(self.asset_id, self.events, self.first_bad_version, self.reason)


def verify_chain(asset_id: str, events: Iterable[Mapping[str, Any]]) -> ChainCheck:
    verifier = ChainVerifier(asset_id)
    for event in events:
        verifier.feed(event)
    return verifier.result()
