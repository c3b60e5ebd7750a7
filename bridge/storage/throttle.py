"""The ``preview_throttle`` table: /preview sign-in attempts per client in fixed windows, shared by all workers."""
from __future__ import annotations

import math
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from bridge.storage.database import Database
from bridge.storage.database import preview_throttle
from bridge.storage.database import utcnow

# Failed sign-ins per client and window: a 15-character password stands far more than 960 guesses a day.
SIGN_IN_ATTEMPTS = 10
SIGN_IN_WINDOW = timedelta(minutes=15)


class SignInThrottle:
    """Counts sign-in attempts per client; an attempt is counted before its credentials are checked and given
    back when they were right, so concurrent guesses cannot outrun the count."""

    def __init__(self, db: Database):
        self.db = db

    def take(self, client: str, now: datetime | None = None) -> int:
        """Count one attempt for ``client`` (at most 64 characters); the attempts in its current window, this one
        included. Windows older than SIGN_IN_WINDOW are dropped first, so a client's count restarts at 1."""
        now = now or utcnow()
        with self.db.begin() as conn:
            conn.execute(preview_throttle.delete().where(preview_throttle.c.window_start <= now - SIGN_IN_WINDOW))
        row = preview_throttle.c.client == client
        return self.db.upsert(
            preview_throttle.update().where(row).values(count=preview_throttle.c.count + 1)
            .returning(preview_throttle.c.count),
            preview_throttle.insert().values(client=client, window_start=now, count=1)
            .returning(preview_throttle.c.count))

    def give_back(self, client: str) -> None:
        """Uncount an attempt of ``client`` whose credentials were right."""
        with self.db.begin() as conn:
            conn.execute(preview_throttle.update().where(preview_throttle.c.client == client,
                                                         preview_throttle.c.count > 0)
                         .values(count=preview_throttle.c.count - 1))

    def retry_after(self, client: str, now: datetime | None = None) -> int:
        """Whole seconds until ``client``'s window ends (at least 1)."""
        start = self.db.one(sa.select(preview_throttle.c.window_start).where(preview_throttle.c.client == client))
        left = (start["window_start"] + SIGN_IN_WINDOW - (now or utcnow())).total_seconds() if start else 0
        return max(1, math.ceil(left))
