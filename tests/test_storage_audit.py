"""The audit trail, on SQLite and PostgreSQL."""
from __future__ import annotations

from tests.conftest import audit_entries


def test_audit_rows(stores):
    audit = stores.audit
    first = audit.record(action="cancel", order_id=12, increment_id="000000012", agent_id="agent-1",
                         correlation_id="corr-1", input={"reason": "duplicate"}, outcome="succeeded",
                         magento_result=True)
    second = audit.record(action="refund", order_id="12", outcome="failed", error="Magento said no")
    audit.record(action="comment", order_id="99", outcome="succeeded")
    assert second > first
    rows = audit_entries(stores, "12")
    assert [row["action"] for row in rows] == ["cancel", "refund"]
    assert rows[0]["input"] == {"reason": "duplicate"} and rows[0]["magento_result"] is True
    assert rows[0]["at"].tzinfo is not None
    assert rows[1]["error"] == "Magento said no" and rows[1]["increment_id"] is None
    assert len(audit_entries(stores)) == 3
