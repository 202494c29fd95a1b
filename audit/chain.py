"""The hash chain of the audit log: pure functions over the stored fields."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

GENESIS = "0" * 64


def digest(previous_hash: str, fields: dict) -> str:
    """SHA-256 over the previous hash and the event's fields in a fixed, canonical form."""
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}\n{body}".encode()).hexdigest()


def event_fields(event) -> dict:
    """The fields a row's hash covers (everything but its own id and hashes)."""
    return {
        # In UTC, as the database gives it back (whatever zone the writer's moment was in).
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "kind": event.kind,
        "user_id": event.user_id,
        "actor": event.actor,
        "ip": event.ip,
        "target": event.target,
        "detail": event.detail,
        "success": event.success,
    }


def first_break(events: Iterable, start_hash: str = GENESIS):
    """The first event (in id order) whose hash does not follow from its predecessor, or None.

    ``start_hash`` is the hash the first given event must chain onto: GENESIS for a whole
    log, or the ``previous_hash`` of the oldest kept row after a purge.
    """
    expected_previous = start_hash
    for event in events:
        if event.previous_hash != expected_previous:
            return event
        if digest(event.previous_hash, event_fields(event)) != event.hash:
            return event
        expected_previous = event.hash
    return None
