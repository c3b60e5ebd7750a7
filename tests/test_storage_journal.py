"""The action journal's atomic claims, takeovers and checkpoints, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bridge.storage import Stores
from bridge.storage.database import action_journal
from bridge.storage.database import close_engine
from bridge.storage.database import utcnow
from tests.conftest import SECRET_KEY
from tests.conftest import run_together


def test_claim_is_atomic_across_threads(stores):
    journal = stores.journal
    results = run_together(8, lambda: journal.claim("idem-1", order_id="42", action="cancel",
                                                    input={"reason": "asked"}, agent_id="agent-7"))
    assert [claimed for claimed, _ in results].count(True) == 1
    rows = [row for _, row in results]
    assert all(row["idempotency_key"] == "idem-1" and row["status"] == "pending" for row in rows)
    assert journal.get("idem-1")["input"] == {"reason": "asked"}


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # two nodes share PostgreSQL only
def test_claim_is_atomic_across_engines(database_url, stores):
    other_node = Stores.open(database_url + "&application_name=second-node", SECRET_KEY)
    assert other_node.database.engine is not stores.database.engine
    journals = [stores.journal, other_node.journal] * 4
    index = iter(range(len(journals)))
    lock = threading.Lock()

    def claim():
        with lock:
            journal = journals[next(index)]
        return journal.claim("idem-2", order_id="7", action="refund")[0]

    try:
        assert run_together(len(journals), claim).count(True) == 1
    finally:
        close_engine(database_url + "&application_name=second-node")


def test_finish_records_the_outcome(stores):
    journal = stores.journal
    claimed, _ = journal.claim("idem-3", order_id=5, action="comment", input={"text": "hi"})
    assert claimed
    journal.finish("idem-3", "succeeded", {"result": True})
    claimed, row = journal.claim("idem-3", order_id=5, action="comment")
    assert not claimed
    assert (row["status"], row["result"], row["order_id"]) == ("succeeded", {"result": True}, "5")
    assert row["updated_at"] >= row["created_at"]
    with pytest.raises(ValueError):
        journal.finish("idem-3", "done")


def test_only_a_failed_action_is_reclaimed_and_by_one_caller(stores):
    journal = stores.journal
    journal.claim("idem-4", order_id=5, action="refund")
    assert not journal.reclaim_failed("idem-4")  # still pending: its owner is at work
    journal.finish("idem-4", "failed", {"status": 400})
    assert sum(row is not None for row in run_together(6, lambda: journal.reclaim_failed("idem-4"))) == 1
    row = journal.get("idem-4")
    assert (row["status"], row["result"]) == ("pending", None)
    journal.finish("idem-4", "succeeded", {"status": 200})
    assert not journal.reclaim_failed("idem-4")


def test_an_expired_claim_is_taken_over_once_with_its_checkpoint(stores):
    journal = stores.journal
    journal.claim("idem-5", order_id=5, action="refund")
    journal.checkpoint("idem-5", {"memo_ids": [3]}, None, utcnow())
    cutoff = utcnow() - timedelta(seconds=60)  # a 60 s lease
    assert journal.expired("5", "refund", cutoff) == []
    assert journal.take_over_expired("idem-5", cutoff) is None  # its owner is alive
    with stores.database.engine.begin() as conn:  # its owner died a minute before that
        conn.execute(action_journal.update().values(updated_at=cutoff - timedelta(seconds=60)))
    assert journal.expired("5", "refund", cutoff) == ["idem-5"]
    assert journal.expired("5", "cancel", cutoff) == []
    taken = [row for row in run_together(6, lambda: journal.take_over_expired("idem-5", cutoff)) if row]
    assert len(taken) == 1 and taken[0]["checkpoint"] == {"memo_ids": [3]}
    assert journal.expired("5", "refund", cutoff) == []  # renewed by the new owner
    journal.finish("idem-5", "failed", keep_checkpoint=True)
    assert journal.get("idem-5")["checkpoint"] == {"memo_ids": [3]}
    journal.finish("idem-5", "succeeded", {"status": 200})
    assert journal.get("idem-5")["checkpoint"] is None


def test_a_reclaimed_failure_runs_with_the_new_input_and_forgets_the_old_digest(stores):
    journal = stores.journal
    journal.claim("idem-6", order_id=5, action="comment", input={"comment": " "})
    journal.checkpoint("idem-6", {}, "a" * 64, utcnow())
    journal.finish("idem-6", "failed", {"status": 400})
    previous = journal.reclaim_failed("idem-6", {"comment": "Fixed"})
    assert (previous["input"], previous["input_digest"]) == ({"comment": " "}, "a" * 64)  # the row as it was
    row = journal.get("idem-6")
    assert (row["status"], row["input"], row["input_digest"]) == ("pending", {"comment": "Fixed"}, None)


def test_finish_pending_leaves_a_claim_its_owner_finished(stores):
    journal = stores.journal
    journal.claim("idem-7", order_id=5, action="refund")
    journal.checkpoint("idem-7", {"memo_ids": [3]}, "b" * 64, utcnow())
    assert journal.finish_pending("idem-7", "succeeded", {"status": 200, "body": {"message": "recovered"}})
    row = journal.get("idem-7")
    assert (row["status"], row["checkpoint"], row["input_digest"]) == ("succeeded", None, "b" * 64)
    assert not journal.finish_pending("idem-7", "succeeded", {"status": 200, "body": {"message": "other"}})
    assert journal.get("idem-7")["result"]["body"] == {"message": "recovered"}


def test_one_write_per_order_checkpoints_at_a_time(stores):
    journal = stores.journal
    keys = [f"order-9-{index}" for index in range(6)]
    for index, key in enumerate(keys):
        journal.claim(key, order_id=9, action=("refund", "cancel", "comment")[index % 3])
    alive_since = utcnow() - timedelta(seconds=60)
    busy = run_together(6, lambda: journal.checkpoint(keys.pop(), {"memo_ids": []}, "c" * 64, alive_since))
    assert busy.count(None) == 1 and set(busy) - {None} <= {"refund", "cancel", "comment"}
    [writing] = [row for row in map(journal.get, [f"order-9-{index}" for index in range(6)]) if row["checkpoint"]]
    assert writing["input_digest"] == "c" * 64
    # A claim still validating (no checkpoint), another order and a finished claim do not count.
    journal.claim("order-10", order_id=10, action="refund")
    assert journal.checkpoint("order-10", {}, None, alive_since) is None
    journal.claim("order-9-late", order_id=9, action="hold")
    assert journal.checkpoint("order-9-late", {}, None, alive_since) == writing["action"]
    assert journal.get("order-9-late")["checkpoint"] is None
    journal.finish(writing["idempotency_key"], "succeeded", {"status": 200})
    assert journal.checkpoint("order-9-late", {}, None, alive_since) is None


def test_a_dead_writers_claim_stops_blocking_its_order_when_its_lease_runs_out(stores):
    journal = stores.journal
    journal.claim("dead", order_id=11, action="refund")
    journal.checkpoint("dead", {"memo_ids": [1]}, None, utcnow())
    journal.claim("next", order_id=11, action="refund")
    assert journal.checkpoint("next", {}, None, utcnow() - timedelta(seconds=60)) == "refund"
    with stores.database.engine.begin() as conn:  # its worker died two minutes ago
        conn.execute(action_journal.update().where(action_journal.c.idempotency_key == "dead")
                     .values(updated_at=utcnow() - timedelta(seconds=120)))
    assert journal.checkpoint("next", {}, None, utcnow() - timedelta(seconds=60)) is None
