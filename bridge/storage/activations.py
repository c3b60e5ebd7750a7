"""Magento's activation POSTs, the per-store throttle on new attempts, and the one-time setup codes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from bridge.storage.database import Database
from bridge.storage.database import activation
from bridge.storage.database import activation_throttle
from bridge.storage.database import magento_connection
from bridge.storage.database import setup_code
from bridge.storage.database import utcnow
from bridge.storage.secrets import SecretBox
from bridge.storage.secrets import hash_setup_code

STALE_ACTIVATION = timedelta(days=1)
# Magento accepts the request-token call for 300 s after its POST (magento-rest.md §1.2); an exchange
# still pending or running after that can only fail, so it stops counting as pending.
ACTIVATION_TTL = timedelta(seconds=300)
ACTIVATION_WINDOW = timedelta(seconds=60)
EXPIRED = "The activation expired before its token exchange finished: click Reauthorize in Magento."


@dataclass(frozen=True)
class Activation:
    """A pending or finished activation, secrets decrypted."""

    consumer_key: str
    store_base_url: str
    consumer_secret: str
    verifier: str
    setup_code_hash: str | None
    attempt: int
    received_at: datetime
    status: str
    error: str | None
    finished_at: datetime | None


class ActivationLimit(Exception):
    """A new activation attempt was refused by the rate or pending limit; the message says which."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class ActivationStore:
    """Reads and writes the ``activation``, ``activation_throttle`` and ``setup_code`` tables."""

    def __init__(self, db: Database, box: SecretBox):
        self.db = db
        self.box = box

    def get(self, consumer_key: str) -> Activation | None:
        """The activation for a consumer key, decrypted, or None."""
        values = self.db.one(sa.select(activation).where(activation.c.consumer_key == consumer_key))
        if values is None:
            return None
        values["consumer_secret"] = self.box.decrypt(values["consumer_secret"])
        values["verifier"] = self.box.decrypt(values["verifier"])
        return Activation(**values)

    def save(self, *, consumer_key: str, store_base_url: str, consumer_secret: str, verifier: str,
             setup_code_hash: str | None, store_key: str, per_store_limit: int, max_pending: int) -> int:
        """Record a new POST (a new attempt for a known key) as pending; returns the attempt number.

        One transaction under the all-workers lock, so the limits hold across workers and nodes: at most
        ``per_store_limit`` new attempts per ``store_key`` per minute (fixed window, so at most twice that in
        any 60 s), and at most ``max_pending`` other activations pending or exchanging, all stores together;
        raises ActivationLimit otherwise. On the way, attempts older than ACTIVATION_TTL stop being pending
        (failed, "expired"), and unfinished or failed activations older than a day are dropped.
        """
        now = utcnow()
        values = {
            "store_base_url": store_base_url,
            "consumer_secret": self.box.encrypt(consumer_secret),
            "verifier": self.box.encrypt(verifier),
            "setup_code_hash": setup_code_hash,
            "received_at": now,
            "status": "pending",
            "error": None,
            "finished_at": None,
        }
        unfinished = activation.c.status.in_(("pending", "exchanging"))
        with self.db.connect() as conn:
            self.db.lock(conn)
            conn.execute(activation.delete().where(activation.c.status != "succeeded",
                                                   activation.c.received_at < now - STALE_ACTIVATION))
            conn.execute(activation.update().where(unfinished, activation.c.received_at < now - ACTIVATION_TTL)
                         .values(status="failed", error=EXPIRED, finished_at=now))
            pending = conn.execute(sa.select(sa.func.count()).select_from(activation).where(
                unfinished, activation.c.consumer_key != consumer_key)).scalar()
            if pending >= max_pending:
                raise ActivationLimit(f"{pending} activations are already waiting for their token exchange.",
                                      retry_after=int(ACTIVATION_TTL.total_seconds()))
            window = conn.execute(sa.select(activation_throttle).where(activation_throttle.c.store == store_key)
                                  ).mappings().first()
            if window is None:
                conn.execute(activation_throttle.insert().values(store=store_key, window_start=now, count=1))
            elif window["window_start"] <= now - ACTIVATION_WINDOW:
                conn.execute(activation_throttle.update().where(activation_throttle.c.store == store_key)
                             .values(window_start=now, count=1))
            elif window["count"] >= per_store_limit:
                left = window["window_start"] + ACTIVATION_WINDOW - now
                raise ActivationLimit(f"{window['count']} activation attempts for this store in the last minute.",
                                      retry_after=max(1, int(left.total_seconds()) + 1))
            else:
                conn.execute(activation_throttle.update().where(activation_throttle.c.store == store_key)
                             .values(count=activation_throttle.c.count + 1))
            attempt = conn.execute(activation.update().where(activation.c.consumer_key == consumer_key)
                                   .values(attempt=activation.c.attempt + 1, **values)
                                   .returning(activation.c.attempt)).scalar()
            if attempt is None:
                attempt = 1
                conn.execute(activation.insert().values(consumer_key=consumer_key, attempt=attempt, **values))
            conn.commit()
        return attempt

    def claim(self, consumer_key: str, attempt: int) -> bool:
        """Move a pending attempt to ``exchanging``; exactly one caller across all workers wins."""
        with self.db.begin() as conn:
            return bool(conn.execute(activation.update().where(
                activation.c.consumer_key == consumer_key, activation.c.attempt == attempt,
                activation.c.status == "pending").values(status="exchanging")).rowcount)

    def finish(self, consumer_key: str, attempt: int, status: str, error: str | None = None) -> None:
        """Mark an attempt succeeded or failed (ignored if a newer attempt replaced it)."""
        with self.db.begin() as conn:
            conn.execute(activation.update().where(
                activation.c.consumer_key == consumer_key, activation.c.attempt == attempt,
            ).values(status=status, error=error, finished_at=utcnow()))

    def add_setup_code(self, code: str, *, replace: bool = False) -> bool:
        """Store a setup code's hash. ``replace`` voids unused codes first; otherwise the code is only added
        while no store is connected and no unused code exists (so several starting workers issue one)."""
        with self.db.connect() as conn:
            self.db.lock(conn)
            if replace:
                conn.execute(setup_code.delete().where(setup_code.c.used_at.is_(None)))
            elif (conn.execute(sa.select(magento_connection.c.id)).first()
                  or conn.execute(sa.select(setup_code.c.code_hash).where(setup_code.c.used_at.is_(None))).first()):
                return False
            conn.execute(setup_code.insert().values(code_hash=hash_setup_code(code), created_at=utcnow()))
            conn.commit()
            return True

    def setup_code_valid(self, code_hash: str) -> bool:
        """Whether a setup code (by hash) exists and is unused."""
        with self.db.connect() as conn:
            return conn.execute(sa.select(setup_code.c.code_hash).where(
                setup_code.c.code_hash == code_hash, setup_code.c.used_at.is_(None))).first() is not None

    def use_setup_code(self, code_hash: str) -> bool:
        """Spend a setup code; True for exactly one caller."""
        with self.db.begin() as conn:
            return bool(conn.execute(setup_code.update().where(
                setup_code.c.code_hash == code_hash, setup_code.c.used_at.is_(None)).values(used_at=utcnow())).rowcount)
