"""The ``ai_reservation`` table: what Gladly AI's writes hold against its limits before they happen.

A write reserves before its Magento call, in one transaction under the all-nodes lock that adds up the scope's
held and spent reservations within the limit's window and inserts only within the cap, so concurrent writes on any
number of workers and nodes never pass it together: a refund's amount against the store's daily cap (scope: the
store, window: the UTC day), a goodwill coupon against one per customer per period (scope:
``coupon:<store>:<customer id>``, amount 1, window: the period up to now). The run then spends the reservation
(it wrote) or releases it (it did not); a held one whose run died is settled from the journal
(``bridge/actions/ai.py``).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from bridge.storage.database import Database
from bridge.storage.database import ai_reservation as table
from bridge.storage.database import utcnow

HELD, SPENT = "held", "spent"


def day_start(when: datetime) -> datetime:
    """The start of ``when``'s UTC day, the refund cap's window."""
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


class Reservations:
    """Reserves, spends and releases amounts against a cap per scope and window."""

    def __init__(self, db: Database):
        self.db = db

    def reserve(self, key: str, *, scope: str, store: str, action: str, order_id: str, amount: Decimal,
                cap: Decimal, since: datetime, now: datetime | None = None) -> Decimal | None:
        """Hold ``amount`` for ``key`` when the scope's held and spent amounts since ``since`` leave room under
        ``cap``; None when held, else what is left of the cap. A key already held (the same run again) keeps its
        reservation."""
        with self.db.connect() as conn:
            self.db.lock(conn)
            if conn.execute(sa.select(table.c.key).where(table.c.key == key)).first() is not None:
                conn.commit()
                return None
            left = cap - self._used(conn, scope, since)
            if amount > left:
                conn.commit()
                return max(left, Decimal(0))
            conn.execute(table.insert().values(key=key, scope=scope, store=store, action=action,
                                               order_id=str(order_id), amount=amount, status=HELD,
                                               created_at=now or utcnow()))
            conn.commit()
        return None

    def left(self, *, scope: str, cap: Decimal, since: datetime) -> Decimal:
        """What the scope's held and spent reservations since ``since`` leave of ``cap`` (a preview's estimate;
        only ``reserve`` holds)."""
        with self.db.connect() as conn:
            return cap - self._used(conn, scope, since)

    def spend(self, key: str) -> None:
        """The write went through: its reservation counts for good."""
        with self.db.begin() as conn:
            conn.execute(table.update().where(table.c.key == key).values(status=SPENT))

    def release(self, key: str) -> None:
        """The write did not happen: give its amount back to the cap."""
        with self.db.begin() as conn:
            conn.execute(table.delete().where(table.c.key == key, table.c.status == HELD))

    @staticmethod
    def _used(conn: sa.Connection, scope: str, since: datetime) -> Decimal:
        return Decimal(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(table.c.amount), 0))
                                    .where(table.c.scope == scope, table.c.created_at >= since)).scalar())

    def held_before(self, store: str, before: datetime) -> list[dict]:
        """The store's reservations still held since before ``before``: their runs may have died."""
        with self.db.connect() as conn:
            return [dict(row) for row in conn.execute(sa.select(table).where(
                table.c.store == store, table.c.status == HELD, table.c.created_at < before)).mappings()]

    def get(self, key: str) -> dict | None:
        """The reservation of ``key``."""
        return self.db.one(sa.select(table).where(table.c.key == key))
