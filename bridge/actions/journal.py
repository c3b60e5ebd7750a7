"""Exactly-once action submissions on the ``action_journal`` table.

The idempotency key is (action, order, form token, hash of the input): Gladly puts a fresh token in every
form's ``actionUrl``, so a double click, a Gladly retry or the same POST on two workers or two nodes shares
one key, while reopening the form allows a deliberate second action. The first request to INSERT the key
runs the action; the others wait for its stored reply and return it (gladly-lookup-adaptor.md §6.5
"make repeated submits harmless"). Only retryable failures may run again under the same key.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from bridge.storage import Storage

# Long enough for a duplicate to see a slow refund finish, short of Gladly's 15 s cut (§4, §6.5).
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1

SUCCEEDED, FAILED, UNKNOWN = "succeeded", "failed", "unknown"


@dataclass(frozen=True)
class Reply:
    """An action's HTTP answer and how it ended: ``journal`` is succeeded, failed (may run again) or unknown."""

    status: int
    body: dict
    journal: str

    def stored(self) -> dict:
        """The form kept in the journal row."""
        return {"status": self.status, "body": self.body}


def idempotency_key(action: str, order_id: str, token: str, payload: dict) -> str:
    """The key two submissions share exactly when they are the same submission of the same form."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"{action}:{order_id}:{token}:{digest[:32]}"


def in_progress_reply() -> Reply:
    """The answer for a duplicate whose first submission is still running."""
    return Reply(400, {"errors": [{"code": "in_progress", "message": "Already in progress",
                                   "detail": "The same submission is already in progress; wait a moment and "
                                             "refresh the order before trying again."}]}, FAILED)


class Journal:
    """Runs each submission once per idempotency key, across threads, processes and nodes."""

    def __init__(self, storage: Storage, wait: float = WAIT_SECONDS, poll: float = POLL_SECONDS):
        self.storage = storage
        self.wait = wait
        self.poll = poll

    def run_once(self, key: str, work: Callable[[], Reply], **row) -> tuple[Reply, bool]:
        """``work()``'s reply and True, or the first submission's stored reply and False for a duplicate.

        ``row`` holds the journal columns: order_id, action, input, agent_id, correlation_id.
        """
        claimed, existing = self.storage.claim_action(key, **row)
        if not claimed and existing["status"] == FAILED:
            # A retryable failure (400) may run again under the same key; one process takes it over.
            claimed = self.storage.reclaim_failed_action(key)
        if not claimed:
            return self._await(key), False
        try:
            reply = work()
        except BaseException:
            self.storage.finish_action(key, FAILED)
            raise
        self.storage.finish_action(key, reply.journal, reply.stored())
        return reply, True

    def _await(self, key: str) -> Reply:
        """The stored reply once the owner finishes, or "in progress" after ``wait`` seconds."""
        give_up = time.monotonic() + self.wait
        while True:
            row = self.storage.get_action(key)
            if row["status"] != "pending":
                if not row["result"]:  # the owner crashed before it could answer
                    return in_progress_reply()
                return Reply(row["result"]["status"], row["result"]["body"], row["status"])
            if time.monotonic() >= give_up:
                return in_progress_reply()
            time.sleep(self.poll)
