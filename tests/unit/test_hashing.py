"""The hash chain of SPEC section 2."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.events.hashing import (
    ChainVerifier,
    canonical_json,
    event_hash,
    format_timestamp,
    verify_chain,
)

ZEROS = "0" * 64
ASSET_ID = "0b7c6f4e-3d2a-4c1b-9e8f-7a6b5c4d3e2f"


# --- canonical JSON ------------------------------------------------------------------------------


def test_canonical_json_sorts_keys_at_every_level():
    value = {"b": {"d": 1, "c": [{"z": 1, "y": 2}]}, "a": None}
    assert canonical_json(value) == b'{"a":null,"b":{"c":[{"y":2,"z":1}],"d":1}}'


def test_canonical_json_has_no_spaces_after_separators():
    assert canonical_json({"k": [1, 2], "m": "a b"}) == b'{"k":[1,2],"m":"a b"}'


def test_canonical_json_writes_non_ascii_characters_as_themselves_in_utf8():
    encoded = canonical_json({"model": "Café ThinkPad Zürich 東京"})
    assert encoded == '{"model":"Café ThinkPad Zürich 東京"}'.encode()
    assert "é".encode() in encoded
    assert b"\\u" not in encoded


def test_canonical_json_keeps_array_order():
    assert canonical_json([3, 1, 2]) == b"[3,1,2]"


# --- one event's hash ----------------------------------------------------------------------------

EVENT = {
    "asset_id": ASSET_ID,
    "version": 1,
    "type": "AssetRequested",
    "schema_version": 1,
    "data": {"model": "Café", "estimated_cost": "1249.50", "category": "laptop"},
    "metadata": {
        "request_id": "req-1",
        "actor": "alice",
        "correlation_id": "req-1",
        "causation_id": None,
        "idempotency_key": None,
    },
    "recorded_at": "2024-03-01T09:00:00.000000Z",
}
# The canonical JSON of EVENT, written out by hand from the SPEC's definition.
EVENT_CANONICAL = (
    '{"asset_id":"0b7c6f4e-3d2a-4c1b-9e8f-7a6b5c4d3e2f",'
    '"data":{"category":"laptop","estimated_cost":"1249.50","model":"Café"},'
    '"metadata":{"actor":"alice","causation_id":null,"correlation_id":"req-1",'
    '"idempotency_key":null,"request_id":"req-1"},'
    '"recorded_at":"2024-03-01T09:00:00.000000Z",'
    '"schema_version":1,'
    '"type":"AssetRequested",'
    '"version":1}'
)


def test_the_hash_is_sha256_of_prev_hash_followed_by_the_canonical_json():
    expected = hashlib.sha256((ZEROS + EVENT_CANONICAL).encode("utf-8")).hexdigest()
    assert event_hash(ZEROS, EVENT) == expected


def test_the_hash_chains_on_the_previous_hash():
    prev = "ab" * 32
    expected = hashlib.sha256((prev + EVENT_CANONICAL).encode("utf-8")).hexdigest()
    assert event_hash(prev, EVENT) == expected
    assert event_hash(prev, EVENT) != event_hash(ZEROS, EVENT)


def test_fields_outside_the_hashed_set_do_not_change_the_hash():
    stored = {**EVENT, "position": 42, "prev_hash": ZEROS, "hash": "f" * 64}
    assert event_hash(ZEROS, stored) == event_hash(ZEROS, EVENT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("asset_id", "1b7c6f4e-3d2a-4c1b-9e8f-7a6b5c4d3e2f"),
        ("version", 2),
        ("type", "AssetRegistered"),
        ("schema_version", 2),
        ("data", {"model": "Cafe", "estimated_cost": "1249.50", "category": "laptop"}),
        ("metadata", {**EVENT["metadata"], "actor": "mallory"}),
        ("recorded_at", "2024-03-01T09:00:00.000001Z"),
    ],
)
def test_changing_any_hashed_field_changes_the_hash(field, value):
    assert event_hash(ZEROS, {**EVENT, field: value}) != event_hash(ZEROS, EVENT)


# --- chains --------------------------------------------------------------------------------------


def build_chain(versions: tuple[int, ...] = (1, 2, 3), first_prev_hash: str = ZEROS) -> list[dict]:
    """A stream as the API returns it: each event with its prev_hash and hash."""
    events = []
    prev = first_prev_hash
    for version in versions:
        event = {
            "position": 100 + version,
            "asset_id": ASSET_ID,
            "version": version,
            "type": "CostRecorded",
            "schema_version": 1,
            "data": {
                "kind": "energy",
                "amount": f"{version}.00",
                "incurred_on": "2024-03-01",
                "description": None,
            },
            "metadata": {
                "actor": "tess",
                "request_id": f"req-{version}",
                "correlation_id": f"req-{version}",
                "causation_id": None,
                "idempotency_key": None,
            },
            "recorded_at": format_timestamp(datetime(2024, 3, 1, 9, version, tzinfo=UTC)),
            "prev_hash": prev,
        }
        event["hash"] = event_hash(prev, event)
        prev = event["hash"]
        events.append(event)
    return events


def test_a_correct_chain_verifies():
    result = verify_chain(ASSET_ID, build_chain())
    assert (result.ok, result.events, result.first_bad_version) == (True, 3, None)
    assert result.asset_id == ASSET_ID


def test_a_chain_still_verifies_after_an_ndjson_round_trip():
    lines = [json.dumps(event, ensure_ascii=False) for event in build_chain()]
    assert verify_chain(ASSET_ID, [json.loads(line) for line in lines]).ok


def test_an_empty_stream_verifies_with_no_events():
    result = verify_chain(ASSET_ID, [])
    assert (result.ok, result.events) == (True, 0)


def test_the_streaming_verifier_agrees_with_verify_chain():
    chain = build_chain()
    chain[1]["data"]["amount"] = "999.00"
    verifier = ChainVerifier(ASSET_ID)
    for event in chain:
        verifier.feed(event)
    assert verifier.result() == verify_chain(ASSET_ID, chain)


def tamper_data_of_event_2(chain):
    chain[1]["data"]["amount"] = "0.01"


def tamper_data_and_rehash_event_2(chain):
    chain[1]["data"]["amount"] = "0.01"
    chain[1]["hash"] = event_hash(chain[1]["prev_hash"], chain[1])


def remove_event_2(chain):
    del chain[1]


def alter_prev_hash_of_event_3(chain):
    chain[2]["prev_hash"] = "1" * 64


def alter_hash_of_event_3(chain):
    chain[2]["hash"] = "1" * 64


def reorder_events_2_and_3(chain):
    chain[1], chain[2] = chain[2], chain[1]


@pytest.mark.parametrize(
    ("tamper", "first_bad_version", "events"),
    [
        (tamper_data_of_event_2, 2, 3),
        (tamper_data_and_rehash_event_2, 3, 3),
        (remove_event_2, 2, 2),
        (alter_prev_hash_of_event_3, 3, 3),
        (alter_hash_of_event_3, 3, 3),
        (reorder_events_2_and_3, 2, 3),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_a_tampered_chain_reports_the_first_bad_version(tamper, first_bad_version, events):
    chain = copy.deepcopy(build_chain())
    tamper(chain)
    result = verify_chain(ASSET_ID, chain)
    assert (result.ok, result.first_bad_version, result.events) == (False, first_bad_version, events)
    assert result.reason


def test_a_chain_whose_first_prev_hash_is_not_64_zeros_is_bad_from_version_1():
    chain = build_chain(first_prev_hash="1" * 64)  # otherwise consistent
    result = verify_chain(ASSET_ID, chain)
    assert (result.ok, result.first_bad_version) == (False, 1)


def test_a_consistently_hashed_chain_that_skips_a_version_is_bad_at_the_missing_version():
    result = verify_chain(ASSET_ID, build_chain(versions=(1, 3, 4)))
    assert (result.ok, result.first_bad_version) == (False, 2)


def test_an_event_missing_a_hashed_field_is_reported_not_raised():
    chain = build_chain()
    del chain[1]["metadata"]
    assert verify_chain(ASSET_ID, chain).first_bad_version == 2


# --- timestamps ----------------------------------------------------------------------------------


def test_format_timestamp_converts_an_aware_datetime_to_utc_with_microseconds_and_z():
    moment = datetime(2024, 3, 1, 10, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(moment) == "2024-03-01T08:30:15.123456Z"


def test_format_timestamp_crosses_the_date_line_into_utc():
    moment = datetime(2024, 3, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert format_timestamp(moment) == "2024-02-29T19:30:00.000000Z"


def test_format_timestamp_always_writes_six_fraction_digits():
    assert format_timestamp(datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)) == "2024-12-31T23:59:59.000000Z"
