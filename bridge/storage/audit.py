"""The ``action_audit`` table: one append-only row per order-action submission."""
from __future__ import annotations

from typing import Any

from bridge.storage.database import Database
from bridge.storage.database import action_audit
from bridge.storage.database import bounded
from bridge.storage.database import utcnow


class AuditLog:
    """Appends audit rows."""

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
