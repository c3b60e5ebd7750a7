"""The ``action_journal`` table: one row per idempotency key, claimed atomically (see ``actions/journal.py``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bridge.storage.database import Database
from bridge.storage.database import action_journal
from bridge.storage.database import bounded
from bridge.storage.database import utcnow

ACTION_STATUSES = ("pending", "succeeded", "failed", "unknown")


class JournalStore:
    """Claims, checkpoints, finishes and takes over journal rows; each a single atomic statement."""

    def __init__(self, db: Database):
        self.db = db

    def claim(self, key: str, *, order_id: str, action: str, input: Any = None,
              agent_id: str | None = None, correlation_id: str | None = None) -> tuple[bool, dict]:
        """Insert a pending journal row for ``key``; (False, existing row) when another request owns it."""
        now = utcnow()
        row = {"idempotency_key": key, "order_id": str(order_id), "action": action, "input": input,
               "status": "pending", "result": None, "checkpoint": None, "input_digest": None,
               "created_at": now, "updated_at": now,
               **bounded(action_journal, gladly_agent_id=agent_id, correlation_id=correlation_id)}
        try:
            with self.db.begin() as conn:
                conn.execute(action_journal.insert().values(**row))
            return True, row
        except IntegrityError:
            return False, self.get(key)

    def checkpoint(self, key: str, checkpoint: dict, digest: str | None, alive_since: datetime) -> str | None:
        """Note, just before the Magento write, what recovery needs to recognise its effect and the digest of the
        validated input, renewing the lease; None. Unless another claim on the same order has noted its own and
        was renewed since ``alive_since`` (that run may be writing to the order now): then nothing is noted and
        that claim's action is returned. Under the all-nodes lock, so one write per order runs at a time."""
        with self.db.connect() as conn:
            self.db.lock(conn)
            order_id = conn.execute(sa.select(action_journal.c.order_id)
                                    .where(action_journal.c.idempotency_key == key)).scalar()
            others = conn.execute(sa.select(action_journal.c.action, action_journal.c.checkpoint).where(
                action_journal.c.order_id == order_id, action_journal.c.status == "pending",
                action_journal.c.updated_at >= alive_since, action_journal.c.idempotency_key != key))
            # A JSON column reads SQL NULL and JSON null alike as None: the test is made here, not in SQL.
            busy = next((row.action for row in others if row.checkpoint is not None), None)
            if busy is None:
                conn.execute(action_journal.update()
                             .where(action_journal.c.idempotency_key == key, action_journal.c.status == "pending")
                             .values(checkpoint=checkpoint, input_digest=digest, updated_at=utcnow()))
            conn.commit()
        return busy

    def finish(self, key: str, status: str, result: Any = None, *, keep_checkpoint: bool = False) -> None:
        """Record how a claimed action ended: succeeded, failed or unknown. The checkpoint is kept only when the
        run ended without knowing whether its write happened, so the next run reconciles first."""
        if status not in ACTION_STATUSES:
            raise ValueError(f"unknown action status {status!r}")
        values = {"status": status, "result": result, "updated_at": utcnow()}
        if not keep_checkpoint:
            values["checkpoint"] = None
        with self.db.begin() as conn:
            conn.execute(action_journal.update().where(action_journal.c.idempotency_key == key).values(**values))

    def finish_pending(self, key: str, status: str, result: Any) -> bool:
        """Finish ``key`` with a reply learnt from Magento while its claim is still held; False when its owner
        finished first."""
        with self.db.begin() as conn:
            return conn.execute(action_journal.update()
                                .where(action_journal.c.idempotency_key == key, action_journal.c.status == "pending")
                                .values(status=status, result=result, checkpoint=None,
                                        updated_at=utcnow())).rowcount == 1

    def reclaim_failed(self, key: str, input: Any = None) -> dict | None:
        """Take over a key whose last run failed, to run it with ``input``; one conditional UPDATE, so one process
        wins. The row as it was (its checkpoint says whether that run may have written), or None for the losers."""
        return self._take_over(key, action_journal.c.status == "failed", input=input, input_digest=None)

    def take_over_expired(self, key: str, expired_before: datetime) -> dict | None:
        """Take over a pending claim not renewed since ``expired_before`` (its worker died); one process wins.
        The row as the dead worker left it, or None."""
        return self._take_over(key, action_journal.c.status == "pending", action_journal.c.updated_at < expired_before)

    def _take_over(self, key: str, *conditions, **values) -> dict | None:
        row = self.get(key)
        with self.db.begin() as conn:
            result = conn.execute(action_journal.update()
                                  .where(action_journal.c.idempotency_key == key, *conditions)
                                  .values(status="pending", result=None, updated_at=utcnow(), **values))
        return row if result.rowcount == 1 else None

    def expired(self, order_id: str, action: str, expired_before: datetime) -> list[str]:
        """Keys of pending claims on this order and action not renewed since ``expired_before``."""
        with self.db.connect() as conn:
            return list(conn.execute(sa.select(action_journal.c.idempotency_key).where(
                action_journal.c.order_id == str(order_id), action_journal.c.action == action,
                action_journal.c.status == "pending", action_journal.c.updated_at < expired_before)).scalars())

    def get(self, key: str) -> dict | None:
        """The journal row for an idempotency key."""
        return self.db.one(sa.select(action_journal).where(action_journal.c.idempotency_key == key))
