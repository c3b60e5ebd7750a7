"""Exactly-once action submissions on the ``action_journal`` table.

The idempotency key is (action, order, form token): the bridge signs a fresh token into every form's
``actionUrl`` (``actions/tokens.py``), so a double click, a Gladly retry or the same POST on two workers or two
nodes shares one key, while reopening the form allows a deliberate second action. The first request to INSERT
the key runs the action; the others get its stored reply when they ask for the same thing (the same body, or
the same canonical validated input) and an "already submitted" refusal otherwise (gladly-lookup-adaptor.md
§6.5 "make repeated submits harmless"). Only retryable failures may run again under the same key, with the
corrected input, and a run that may have written (its checkpoint is set) is reconciled against Magento before
anything runs again, or when a resubmission finds its claim held longer than a live run takes.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from bridge.storage.database import utcnow
from bridge.storage.journal import JournalStore

# Long enough for a duplicate to see a slow refund finish, short of Gladly's 15 s cut (§4, §6.5).
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
# A claim's lease (BRIDGE_ACTION_LEASE): longer than any action can run, since gunicorn kills a worker stuck
# for its 30 s timeout, so only a dead worker's claim can expire.
LEASE_SECONDS = 60.0

PENDING, SUCCEEDED, FAILED, UNKNOWN = "pending", "succeeded", "failed", "unknown"
# How ``run_once`` answered: this call ran (or recovered) the action, replayed the first reply, or refused.
RAN, DUPLICATE, REFUSED = "ran", "duplicate", "refused"


@dataclass(frozen=True)
class Reply:
    """An action's HTTP answer and how it ended: ``journal`` is succeeded, failed (may run again) or unknown."""

    status: int
    body: dict
    journal: str

    def stored(self) -> dict:
        """The form kept in the journal row."""
        return {"status": self.status, "body": self.body}


def idempotency_key(action: str, order_id: str, token: str) -> str:
    """The key every submission of one form shares: one token, one write."""
    return f"{action}:{order_id}:{token}"


def canonical_json(value: Any) -> str:
    """``value`` as one JSON text: keys sorted, no spaces, decimals as their text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def input_digest(value: Any) -> str:
    """The digest of a submission's canonical validated input, kept with its claim."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def in_progress_reply() -> Reply:
    """The answer for a duplicate whose first submission is still running."""
    return Reply(400, {"errors": [{"code": "in_progress", "message": "Already in progress",
                                   "detail": "The same submission is already in progress; wait a moment and "
                                             "refresh the order before trying again."}]}, FAILED)


def already_submitted_reply() -> Reply:
    """The answer for a submission of a form whose token already served a different input."""
    return Reply(406, {"errors": [{"code": "already_submitted", "message": "Already submitted",
                                   "detail": "This form was already submitted; open the action again for a new "
                                             "form."}]}, FAILED)


def interrupted_reply() -> Reply:
    """The stored answer of a submission whose worker died before its write: it may run again."""
    return Reply(400, {"errors": [{"code": "interrupted", "message": "Interrupted",
                                   "detail": "The bridge was interrupted before it changed anything in Magento; "
                                             "submit the form again."}]}, FAILED)


class NotReconciled(Exception):
    """Recovery could not learn from Magento whether an interrupted write happened; ``reply`` says so."""

    def __init__(self, reply: Reply):
        super().__init__(reply.body)
        self.reply = reply


# What ``recover`` answers for a claim that may have written: the reply of the write that happened, or None
# when Magento shows no trace of it (the submission may then run again). Raises NotReconciled.
Recover = Callable[[dict], "Reply | None"]
# Whether a resubmission asks for what the claim's row was submitted with.
Same = Callable[[dict], bool]


class Journal:
    """Runs each submission once per idempotency key, across threads, processes and nodes.

    A claim is a lease: the owner renews it when it checkpoints just before its Magento write, and a claim not
    renewed for ``lease`` seconds belongs to a worker that died (SIGKILL, OOM, power). The next submission
    under the same key, or under any key for the same order and action, takes it over and reconciles it
    against Magento before anything is written again (docs/reliability.md, "Crash-safe actions").
    """

    def __init__(self, store: JournalStore, wait: float = WAIT_SECONDS, poll: float = POLL_SECONDS,
                 lease: float = LEASE_SECONDS):
        self.store = store
        self.wait = wait
        self.poll = poll
        self.lease = lease

    def run_once(self, key: str, work: Callable[[], Reply], recover: Recover, same: Same,
                 **row) -> tuple[Reply, str]:
        """``work()``'s reply and RAN; the first submission's stored reply and DUPLICATE when ``same(row)``; an
        "already submitted" refusal and REFUSED otherwise.

        ``row`` holds the journal columns: order_id, action, input, agent_id, correlation_id. A claim taken over
        from a failed or dead run that may have written is first reconciled with ``recover``.
        """
        claimed, existing = self.store.claim(key, **row)
        previous = None
        if not claimed and existing["status"] == FAILED:
            # A retryable failure (400) may run again under the same key, with the corrected input; one process
            # takes it over.
            previous = self.store.reclaim_failed(key, row.get("input"))
            claimed = previous is not None
            existing = existing if claimed else self.store.get(key)
        if not claimed:
            if not same(existing):
                return already_submitted_reply(), REFUSED
            reply, previous, how = self._await(key, recover)
            if previous is None:
                return reply, how
        if previous is not None and previous.get("checkpoint") is not None:
            recovered = self._reconcile(key, previous, recover)
            if recovered is not None:
                return recovered, RAN
        try:
            reply = work()
        except BaseException:
            self.store.finish(key, FAILED, keep_checkpoint=True)
            raise
        self.store.finish(key, reply.journal, reply.stored())
        return reply, RAN

    def checkpoint(self, key: str, checkpoint: dict, digest: str) -> str | None:
        """Record, just before the Magento write, what recognises its effect later and the digest of the validated
        input (and renew the lease); None. While another live run is writing to the same order, record nothing
        and return that run's action: two writes to one order at once can both pass Magento's checks (two
        simultaneous refunds of one invoice make two credit memos on 2.4.6 and 2.4.8, see
        tests/real_magento/test_versions.py), so the bridge never sends them together."""
        return self.store.checkpoint(key, checkpoint, digest, self._expired_before())

    def recover_expired(self, order_id: str, action: str, own_key: str,
                        recover: Recover) -> list[tuple[dict, Reply | None]]:
        """Take over and reconcile every expired claim on this order and action under another key than
        ``own_key``: a new form token must not repeat a write that a dead worker made. Each (row as left, reply
        of its write or None)."""
        found = []
        for key in self.store.expired(order_id, action, self._expired_before()):
            if key == own_key:
                continue  # run_once reconciles it
            previous = self.store.take_over_expired(key, self._expired_before())
            if previous is None:
                continue  # another process took it over first
            reply = self._reconcile(key, previous, recover) if previous.get("checkpoint") is not None else None
            if reply is None:
                self.store.finish(key, FAILED, interrupted_reply().stored())
            found.append((previous, reply))
        return found

    def _reconcile(self, key: str, previous: dict, recover: Recover) -> Reply | None:
        """Finish ``key`` with what Magento shows of the write its previous run may have made; None if nothing."""
        try:
            reply = recover(previous)
        except NotReconciled as unknown:
            self.store.finish(key, FAILED, unknown.reply.stored(), keep_checkpoint=True)
            return unknown.reply
        except BaseException:
            self.store.finish(key, FAILED, keep_checkpoint=True)
            raise
        if reply is not None:
            self.store.finish(key, reply.journal, reply.stored())
        return reply

    def _expired_before(self) -> datetime:
        return utcnow() - timedelta(seconds=self.lease)

    def _held_before(self) -> datetime:
        return utcnow() - timedelta(seconds=self.wait)

    def _await(self, key: str, recover: Recover) -> tuple[Reply | None, dict | None, str]:
        """(the stored reply once the owner finishes, None, DUPLICATE); (None, the row, RAN) once this process
        took over a claim whose owner died; (the reply, None, RAN) when Magento already shows the write of a
        claim held past ``wait`` seconds since its checkpoint; or ("in progress", None, DUPLICATE) after ``wait``
        seconds."""
        give_up = time.monotonic() + self.wait
        recognised = False
        while True:
            row = self.store.get(key)
            if row["status"] != PENDING:
                if not row["result"]:  # the owner crashed before it could answer
                    return in_progress_reply(), None, DUPLICATE
                return Reply(row["result"]["status"], row["result"]["body"], row["status"]), None, DUPLICATE
            if row["updated_at"] < self._expired_before():
                previous = self.store.take_over_expired(key, self._expired_before())
                if previous is not None:
                    return None, previous, RAN
            elif not recognised and row.get("checkpoint") is not None and row["updated_at"] < self._held_before():
                # A live run ends well within ``wait`` of its checkpoint (and answering for it would race its own
                # note); one silent longer may have died after its write: answer from Magento, not after the lease.
                recognised = True
                reply = self._recognise(key, row, recover)
                if reply is not None:
                    return reply, None, RAN
            if time.monotonic() >= give_up:
                return in_progress_reply(), None, DUPLICATE
            time.sleep(self.poll)

    def _recognise(self, key: str, row: dict, recover: Recover) -> Reply | None:
        """The reply of a held claim's write when Magento already shows it, recorded on the row; None when Magento
        shows nothing yet or cannot be read (the owner may still be at work: its row is left alone)."""
        try:
            reply = recover(row)
        except NotReconciled:
            return None
        if reply is not None:
            self.store.finish_pending(key, reply.journal, reply.stored())
        return reply
