"""The ``action_audit`` table: one append-only row per order-action submission."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bridge.storage.database import Database
from bridge.storage.database import action_audit
from bridge.storage.database import bounded
from bridge.storage.database import utcnow

# The outcomes of a submission whose write happened (the runner's AuditTrail.outcome).
WRITTEN = ("succeeded", "confirmed", "recovered")


class AuditLog:
    """Appends audit rows; reads back the writes an action made."""

    def __init__(self, db: Database):
        self.db = db

    def record(self, *, action: str, order_id: str, outcome: str, increment_id: str | None = None,
               agent_id: str | None = None, correlation_id: str | None = None, input: Any = None,
               magento_result: Any = None, error: str | None = None) -> int:
        """Append one audit row, strings cut to their columns' lengths; returns its id."""
        with self.db.begin() as conn:
            result = conn.execute(action_audit.insert().values(**bounded(
                action_audit, at=utcnow(), action=action, order_id=str(order_id), increment_id=increment_id,
                agent_id=agent_id, correlation_id=correlation_id, input=input, outcome=outcome,
                magento_result=magento_result, error=error)))
            return result.inserted_primary_key[0]

    def written_since(self, action: str, since: datetime) -> list[Any]:
        """``magento_result`` of each submission of ``action`` since ``since`` whose write happened, oldest first."""
        with self.db.connect() as conn:
            return list(conn.execute(
                sa.select(action_audit.c.magento_result)
                .where(action_audit.c.action == action, action_audit.c.outcome.in_(WRITTEN),
                       action_audit.c.at >= since)
                .order_by(action_audit.c.id)).scalars())
