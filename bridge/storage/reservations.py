"""The ``ai_refund_reservation`` table: Gladly AI's refunds held against its daily cap per store.

A refund reserves its amount before its Magento write, in one transaction under the all-nodes lock that adds up
the day's held and spent reservations and inserts only within the cap, so concurrent refunds on any number of
workers and nodes never pass it together. The run then spends the reservation (it refunded) or releases it (it
did not); a held one whose run died is settled from the journal (``bridge/actions/ai.py``).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from bridge.storage.database import Database
from bridge.storage.database import ai_refund_reservation as table
from bridge.storage.database import utcnow

HELD, SPENT = "held", "spent"


def utc_day(when: datetime) -> str:
    """The UTC day of ``when``, the cap's period."""
    return when.strftime("%Y-%m-%d")


class RefundReservations:
    """Reserves, spends and releases amounts against a daily cap per store."""

    def __init__(self, db: Database):
        self.db = db

    def reserve(self, key: str, *, store: str, order_id: str, amount: Decimal, cap: Decimal,
                now: datetime | None = None) -> Decimal | None:
        """Hold ``amount`` for ``key`` when the store's held and spent amounts of the day leave room under ``cap``;
        None when held, else what is left of the cap. A key already held (the same refund run again) keeps its
        reservation."""
        now = now or utcnow()
        day = utc_day(now)
        with self.db.connect() as conn:
            self.db.lock(conn)
            if conn.execute(sa.select(table.c.key).where(table.c.key == key)).first() is not None:
                conn.commit()
                return None
            left = cap - self._used(conn, store, day)
            if amount > left:
                conn.commit()
                return max(left, Decimal(0))
            conn.execute(table.insert().values(key=key, store=store, day=day, order_id=str(order_id), amount=amount,
                                               status=HELD, created_at=now))
            conn.commit()
        return None

    def left(self, *, store: str, cap: Decimal, now: datetime | None = None) -> Decimal:
        """What the store's held and spent reservations of the day leave of ``cap`` (a preview's estimate; only
        ``reserve`` holds)."""
        with self.db.connect() as conn:
            return cap - self._used(conn, store, utc_day(now or utcnow()))

    def spend(self, key: str) -> None:
        """The refund went through: its amount counts for good."""
        with self.db.begin() as conn:
            conn.execute(table.update().where(table.c.key == key).values(status=SPENT))

    def release(self, key: str) -> None:
        """The refund did not happen: give its amount back to the day's cap."""
        with self.db.begin() as conn:
            conn.execute(table.delete().where(table.c.key == key, table.c.status == HELD))

    @staticmethod
    def _used(conn: sa.Connection, store: str, day: str) -> Decimal:
        return Decimal(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(table.c.amount), 0))
                                    .where(table.c.store == store, table.c.day == day)).scalar())

    def held_before(self, store: str, before: datetime) -> list[dict]:
        """The store's reservations still held since before ``before``: their runs may have died."""
        with self.db.connect() as conn:
            return [dict(row) for row in conn.execute(sa.select(table).where(
                table.c.store == store, table.c.status == HELD, table.c.created_at < before)).mappings()]

    def get(self, key: str) -> dict | None:
        """The reservation of ``key``."""
        return self.db.one(sa.select(table).where(table.c.key == key))
