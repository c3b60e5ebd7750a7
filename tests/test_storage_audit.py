"""The audit trail, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from bridge.storage.database import action_audit
from bridge.storage.database import utcnow
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


def test_written_since_reads_back_the_writes_of_one_action_in_a_period(stores):
    audit = stores.audit
    for outcome in ("succeeded", "confirmed", "recovered", "duplicate", "rejected", "failed", "unknown"):
        audit.record(action="coupon", order_id="7", outcome=outcome, magento_result={"outcome": outcome})
    audit.record(action="refund", order_id="7", outcome="succeeded", magento_result={"outcome": "refund"})
    with stores.audit.db.begin() as conn:  # one write of a month ago, before the period
        conn.execute(action_audit.insert().values(at=utcnow() - timedelta(days=31), action="coupon", order_id="7",
                                                  outcome="succeeded", magento_result={"outcome": "old"}))
    since = utcnow() - timedelta(days=30)
    assert [row["outcome"] for row in audit.written_since("coupon", since)] == ["succeeded", "confirmed", "recovered"]
    assert audit.written_since("coupon", utcnow() + timedelta(seconds=1)) == []
