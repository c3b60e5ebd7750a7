"""The database layer on SQLite and PostgreSQL: schema, encryption at rest, atomic claims, audit."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from bridge import create_app
from bridge import storage as storage_module
from bridge.errors import ConfigError
from bridge.storage import Storage

SECRET = "test-secret-key"
CONNECTION = {
    "store_base_url": "https://shop.test/",
    "consumer_key": "a" * 32,
    "consumer_secret": "plain-consumer-secret-0000000000",
    "access_token": "plain-access-token-0000000000000",
    "access_token_secret": "plain-access-secret-000000000000",
}


@pytest.fixture
def storage(database_url):
    store = Storage(database_url, SECRET)
    store.create_schema()
    return store


def run_together(count: int, target) -> list:
    """Run ``target()`` in ``count`` threads released at the same instant; their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = target()
        except Exception as error:  # surfaced below with the thread's own traceback
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def test_postgresql_urls_use_psycopg3():
    assert storage_module.database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert storage_module.database_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert storage_module.database_url("sqlite:///x.db").drivername == "sqlite"


def test_default_database_is_sqlite_in_data_dir_with_wal(app_config, tmp_path):
    app_config["DATA_DIR"] = str(tmp_path / "nested" / "data")
    app = create_app(app_config)
    engine = app.extensions["storage"].engine
    assert engine.url.database == str(tmp_path / "nested" / "data" / "bridge.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_schema_creation_is_idempotent(database_url):
    Storage(database_url, SECRET).create_schema()
    Storage(database_url, SECRET).create_schema()
    with Storage(database_url, SECRET).engine.connect() as conn:
        versions = conn.execute(sa.select(storage_module.schema_version.c.version)).scalars().all()
    assert versions == [storage_module.SCHEMA_VERSION]


def test_concurrent_schema_creation_from_threads(database_url):
    run_together(4, lambda: Storage(database_url, SECRET).create_schema())
    store = Storage(database_url, SECRET)
    assert set(sa.inspect(store.engine).get_table_names()) >= set(storage_module.metadata.tables)


def test_newer_schema_refuses_to_start(storage):
    with storage.engine.begin() as conn:
        conn.execute(storage_module.schema_version.insert().values(
            version=storage_module.SCHEMA_VERSION + 1, applied_at=storage_module.utcnow()))
    with pytest.raises(ConfigError, match="newer than this bridge"):
        storage.create_schema()


def test_secrets_are_encrypted_at_rest(storage):
    storage.save_connection(**CONNECTION)
    with storage.engine.connect() as conn:
        raw = conn.execute(sa.select(storage_module.magento_connection)).mappings().one()
    for name in ("consumer_secret", "access_token", "access_token_secret"):
        assert CONNECTION[name] not in raw[name]
    assert raw["consumer_key"] == CONNECTION["consumer_key"]
    stored = storage.get_connection()
    assert {name: getattr(stored, name) for name in CONNECTION} == CONNECTION
    assert stored.source == "activation" and stored.version == 1


# Activation limits far above what the tests below reach, unless a test is about them.
LIMITS = {"store_key": "https://shop.test/", "per_store_limit": 100, "max_pending": 100}


def test_activation_secrets_are_encrypted_at_rest(storage):
    storage.save_activation(consumer_key="k" * 32, store_base_url="https://shop.test/", consumer_secret="s" * 32,
                            verifier="v" * 32, setup_code_hash=None, **LIMITS)
    with storage.engine.connect() as conn:
        raw = conn.execute(sa.select(storage_module.activation)).mappings().one()
    assert "s" * 32 not in raw["consumer_secret"] and "v" * 32 not in raw["verifier"]
    assert storage.get_activation("k" * 32).verifier == "v" * 32


def test_refuses_to_start_with_stored_credentials_and_no_key(app_config, database_url):
    app_config["DATABASE_URL"] = database_url
    create_app(app_config).extensions["storage"].save_connection(**CONNECTION)
    app_config["SECRET_KEY"] = None
    with pytest.raises(ConfigError, match="BRIDGE_SECRET_KEY is not set"):
        create_app(app_config)


def test_refuses_to_start_when_the_key_changed(app_config, database_url):
    app_config["DATABASE_URL"] = database_url
    create_app(app_config).extensions["storage"].save_connection(**CONNECTION)
    app_config["SECRET_KEY"] = "another-key"
    with pytest.raises(ConfigError, match="cannot decrypt the stored Magento credentials"):
        create_app(app_config)


def test_starts_without_key_while_nothing_is_stored_but_cannot_store(database_url):
    store = Storage(database_url, None)
    store.create_schema()
    store.check_secrets()
    with pytest.raises(ConfigError, match="BRIDGE_SECRET_KEY is required"):
        store.save_connection(**CONNECTION)


def test_connection_version_and_fingerprint(storage):
    assert storage.connection_fingerprint() is None
    assert storage.save_connection(**CONNECTION) == 1
    first = storage.connection_fingerprint()
    storage.record_success()
    assert storage.connection_fingerprint() == first
    assert storage.get_connection().last_success_at is not None
    assert storage.save_connection(**{**CONNECTION, "access_token": "b" * 32}) == 2
    assert storage.get_connection().access_token == "b" * 32
    assert storage.get_connection().last_success_at is None
    assert storage.delete_connection() is True
    assert storage.connection_fingerprint() is None
    assert storage.delete_connection() is False
    storage.save_connection(**CONNECTION)
    assert storage.connection_fingerprint() != first


def test_activation_attempts_claim_once(storage):
    key = "k" * 32
    values = {"consumer_key": key, "store_base_url": "https://shop.test/", "consumer_secret": "s" * 32,
              "setup_code_hash": None, **LIMITS}
    assert storage.save_activation(verifier="1" * 32, **values) == 1
    assert run_together(4, lambda: storage.claim_activation(key, 1)).count(True) == 1
    assert storage.save_activation(verifier="2" * 32, **values) == 2
    storage.finish_activation(key, 1, "failed", "late finish of the older attempt")
    assert storage.get_activation(key).status == "pending"
    assert storage.claim_activation(key, 2)
    storage.finish_activation(key, 2, "succeeded")
    item = storage.get_activation(key)
    assert (item.status, item.error, item.verifier) == ("succeeded", None, "2" * 32)
    assert item.finished_at is not None


def test_stale_activations_are_dropped(storage):
    values = {"store_base_url": "https://shop.test/", "consumer_secret": "s" * 32, "verifier": "v" * 32,
              "setup_code_hash": None, **LIMITS}
    for key in ("old-pending", "old-success"):
        storage.save_activation(consumer_key=key, **values)
    storage.finish_activation("old-success", 1, "succeeded")
    with storage.engine.begin() as conn:
        conn.execute(storage_module.activation.update().values(
            received_at=storage_module.utcnow() - storage_module.STALE_ACTIVATION * 2))
    storage.save_activation(consumer_key="new", **values)
    assert storage.get_activation("old-pending") is None
    assert storage.get_activation("old-success").status == "succeeded"


def _activation(storage, key: str, *, store: str = "https://shop.test/", rate: int = 3, pending: int = 5) -> int:
    return storage.save_activation(consumer_key=key, store_base_url=store, consumer_secret="s" * 32,
                                   verifier=key[:1] * 32, setup_code_hash=None, store_key=store,
                                   per_store_limit=rate, max_pending=pending)


def test_new_activation_attempts_are_limited_per_store_per_minute(storage, monkeypatch):
    for key in ("a1", "a2", "a3"):
        assert _activation(storage, key) == 1
    with pytest.raises(storage_module.ActivationLimit, match="3 activation attempts") as limited:
        _activation(storage, "a4")
    assert 1 <= limited.value.retry_after <= 61
    with pytest.raises(storage_module.ActivationLimit):
        _activation(storage, "a1")  # a new verifier for a known key is a new attempt too
    assert _activation(storage, "b1", store="https://other.test/") == 1  # another store has its own window
    assert storage.get_activation("a4") is None and storage.count_activations() == 4
    later = storage_module.utcnow() + storage_module.ACTIVATION_WINDOW
    monkeypatch.setattr(storage_module, "utcnow", lambda: later)
    assert _activation(storage, "a4") == 1


def test_pending_activations_are_bounded_and_expire(storage, monkeypatch):
    for index in range(5):
        _activation(storage, f"p{index}", store=f"https://s{index}.test/")
    with pytest.raises(storage_module.ActivationLimit, match="5 activations are already waiting"):
        _activation(storage, "p5", store="https://s5.test/")
    assert _activation(storage, "p0", store="https://s0.test/") == 2  # its own row does not count against it
    storage.finish_activation("p1", 1, "failed", "oauth_problem")
    assert _activation(storage, "p5", store="https://s5.test/") == 1
    later = storage_module.utcnow() + storage_module.ACTIVATION_TTL + storage_module.ACTIVATION_WINDOW
    monkeypatch.setattr(storage_module, "utcnow", lambda: later)
    assert _activation(storage, "p6", store="https://s6.test/") == 1
    expired = storage.get_activation("p2")
    assert (expired.status, expired.error) == ("failed", storage_module.EXPIRED)
    assert not storage.claim_activation("p2", 1)  # an expired attempt never starts an exchange


def test_activation_limits_hold_for_concurrent_workers(storage, database_url):
    stores = [storage, Storage(database_url, SECRET)]  # a second worker or node on the same database
    indexes = iter(range(12))
    results = run_together(12, lambda: _try_activation(stores, next(indexes)))
    assert results.count("admitted") == 3 and results.count("limited") == 9
    assert storage.count_activations() == 3


def _try_activation(stores, index: int) -> str:
    try:
        _activation(stores[index % 2], f"c{index:02d}", rate=3, pending=100)
    except storage_module.ActivationLimit:
        return "limited"
    return "admitted"


def test_setup_codes(storage):
    assert storage.add_setup_code("ABCD-EFGH") is True
    assert storage.add_setup_code("JKMN-PQRS") is False  # one is already out
    code_hash = storage_module.hash_setup_code("abcd efgh")
    assert storage.setup_code_valid(code_hash)
    assert storage.add_setup_code("JKMN-PQRS", replace=True) is True
    assert not storage.setup_code_valid(code_hash)
    new_hash = storage_module.hash_setup_code("JKMN-PQRS")
    assert run_together(3, lambda: storage.use_setup_code(new_hash)).count(True) == 1
    assert not storage.setup_code_valid(new_hash)
    storage.save_connection(**CONNECTION)
    assert storage.add_setup_code("TTTT-TTTT") is False  # connected: no code needed


def test_setup_code_issued_once_by_concurrent_workers(database_url, storage):
    codes = iter(f"CODE-{index:04d}" for index in range(8))
    lock = threading.Lock()

    def issue() -> bool:
        with lock:
            code = next(codes)
        return Storage(database_url, SECRET).add_setup_code(code)

    assert run_together(4, issue).count(True) == 1


def test_claim_action_is_atomic_across_threads(storage):
    results = run_together(8, lambda: storage.claim_action("idem-1", order_id="42", action="cancel",
                                                           input={"reason": "asked"}, agent_id="agent-7"))
    assert [claimed for claimed, _ in results].count(True) == 1
    rows = [row for _, row in results]
    assert all(row["idempotency_key"] == "idem-1" and row["status"] == "pending" for row in rows)
    assert storage.get_action("idem-1")["input"] == {"reason": "asked"}


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # two nodes share PostgreSQL only
def test_claim_action_is_atomic_across_engines(database_url, storage):
    other_node = Storage(database_url + "&application_name=second-node", SECRET)
    assert other_node.engine is not storage.engine
    stores = [storage, other_node] * 4
    index = iter(range(len(stores)))
    lock = threading.Lock()

    def claim():
        with lock:
            store = stores[next(index)]
        return store.claim_action("idem-2", order_id="7", action="refund")[0]

    try:
        assert run_together(len(stores), claim).count(True) == 1
    finally:
        storage_module.close_engine(database_url + "&application_name=second-node")


def test_finish_action_records_the_outcome(storage):
    claimed, _ = storage.claim_action("idem-3", order_id=5, action="comment", input={"text": "hi"})
    assert claimed
    storage.finish_action("idem-3", "succeeded", {"result": True})
    claimed, row = storage.claim_action("idem-3", order_id=5, action="comment")
    assert not claimed
    assert (row["status"], row["result"], row["order_id"]) == ("succeeded", {"result": True}, "5")
    assert row["updated_at"] >= row["created_at"]
    with pytest.raises(ValueError):
        storage.finish_action("idem-3", "done")


def test_only_a_failed_action_is_reclaimed_and_by_one_caller(storage):
    storage.claim_action("idem-4", order_id=5, action="refund")
    assert not storage.reclaim_failed_action("idem-4")  # still pending: its owner is at work
    storage.finish_action("idem-4", "failed", {"status": 400})
    assert sum(row is not None for row in run_together(6, lambda: storage.reclaim_failed_action("idem-4"))) == 1
    row = storage.get_action("idem-4")
    assert (row["status"], row["result"]) == ("pending", None)
    storage.finish_action("idem-4", "succeeded", {"status": 200})
    assert not storage.reclaim_failed_action("idem-4")


def test_an_expired_claim_is_taken_over_once_with_its_checkpoint(storage):
    storage.claim_action("idem-5", order_id=5, action="refund")
    storage.checkpoint_action("idem-5", {"memo_ids": [3]})
    cutoff = storage_module.utcnow() - storage_module.timedelta(seconds=60)  # a 60 s lease
    assert storage.expired_actions("5", "refund", cutoff) == []
    assert storage.take_over_expired_action("idem-5", cutoff) is None  # its owner is alive
    with storage.engine.begin() as conn:  # its owner died a minute before that
        conn.execute(storage_module.action_journal.update().values(
            updated_at=cutoff - storage_module.timedelta(seconds=60)))
    assert storage.expired_actions("5", "refund", cutoff) == ["idem-5"]
    assert storage.expired_actions("5", "cancel", cutoff) == []
    taken = [row for row in run_together(6, lambda: storage.take_over_expired_action("idem-5", cutoff)) if row]
    assert len(taken) == 1 and taken[0]["checkpoint"] == {"memo_ids": [3]}
    assert storage.expired_actions("5", "refund", cutoff) == []  # renewed by the new owner
    storage.finish_action("idem-5", "failed", keep_checkpoint=True)
    assert storage.get_action("idem-5")["checkpoint"] == {"memo_ids": [3]}
    storage.finish_action("idem-5", "succeeded", {"status": 200})
    assert storage.get_action("idem-5")["checkpoint"] is None


def test_audit_rows(storage):
    first = storage.record_audit(action="cancel", order_id=12, increment_id="000000012", agent_id="agent-1",
                                 correlation_id="corr-1", input={"reason": "duplicate"}, outcome="succeeded",
                                 magento_result=True)
    second = storage.record_audit(action="refund", order_id="12", outcome="failed", error="Magento said no")
    storage.record_audit(action="comment", order_id="99", outcome="succeeded")
    assert second > first
    rows = storage.audit_entries("12")
    assert [row["action"] for row in rows] == ["cancel", "refund"]
    assert rows[0]["input"] == {"reason": "duplicate"} and rows[0]["magento_result"] is True
    assert rows[0]["at"].tzinfo is not None
    assert rows[1]["error"] == "Magento said no" and rows[1]["increment_id"] is None
    assert len(storage.audit_entries()) == 3
