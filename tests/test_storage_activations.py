"""Activations, their limits across workers, and setup codes, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from bridge.storage import Stores
from bridge.storage import activations as activations_module
from bridge.storage.activations import ActivationLimit
from bridge.storage.database import activation
from bridge.storage.database import utcnow
from bridge.storage.secrets import hash_setup_code
from tests.conftest import SECRET_KEY
from tests.conftest import count_activations
from tests.conftest import run_together

# Activation limits far above what the tests below reach, unless a test is about them.
LIMITS = {"store_key": "https://shop.test/", "per_store_limit": 100, "max_pending": 100}


def test_activation_secrets_are_encrypted_at_rest(stores):
    stores.activations.save(consumer_key="k" * 32, store_base_url="https://shop.test/", consumer_secret="s" * 32,
                            verifier="v" * 32, setup_code_hash=None, **LIMITS)
    with stores.database.engine.connect() as conn:
        raw = conn.execute(sa.select(activation)).mappings().one()
    assert "s" * 32 not in raw["consumer_secret"] and "v" * 32 not in raw["verifier"]
    assert stores.activations.get("k" * 32).verifier == "v" * 32


def test_activation_attempts_claim_once(stores):
    activations, key = stores.activations, "k" * 32
    values = {"consumer_key": key, "store_base_url": "https://shop.test/", "consumer_secret": "s" * 32,
              "setup_code_hash": None, **LIMITS}
    assert activations.save(verifier="1" * 32, **values) == 1
    assert run_together(4, lambda: activations.claim(key, 1)).count(True) == 1
    assert activations.save(verifier="2" * 32, **values) == 2
    activations.finish(key, 1, "failed", "late finish of the older attempt")
    assert activations.get(key).status == "pending"
    assert activations.claim(key, 2)
    activations.finish(key, 2, "succeeded")
    item = activations.get(key)
    assert (item.status, item.error, item.verifier) == ("succeeded", None, "2" * 32)
    assert item.finished_at is not None


def test_stale_activations_are_dropped(stores):
    activations = stores.activations
    values = {"store_base_url": "https://shop.test/", "consumer_secret": "s" * 32, "verifier": "v" * 32,
              "setup_code_hash": None, **LIMITS}
    for key in ("old-pending", "old-success"):
        activations.save(consumer_key=key, **values)
    activations.finish("old-success", 1, "succeeded")
    with stores.database.engine.begin() as conn:
        conn.execute(activation.update().values(received_at=utcnow() - activations_module.STALE_ACTIVATION * 2))
    activations.save(consumer_key="new", **values)
    assert activations.get("old-pending") is None
    assert activations.get("old-success").status == "succeeded"


def _activation(stores, key: str, *, store: str = "https://shop.test/", rate: int = 3, pending: int = 5) -> int:
    return stores.activations.save(consumer_key=key, store_base_url=store, consumer_secret="s" * 32,
                                   verifier=key[:1] * 32, setup_code_hash=None, store_key=store,
                                   per_store_limit=rate, max_pending=pending)


def test_new_activation_attempts_are_limited_per_store_per_minute(stores, monkeypatch):
    for key in ("a1", "a2", "a3"):
        assert _activation(stores, key) == 1
    with pytest.raises(ActivationLimit, match="3 activation attempts") as limited:
        _activation(stores, "a4")
    assert 1 <= limited.value.retry_after <= 61
    with pytest.raises(ActivationLimit):
        _activation(stores, "a1")  # a new verifier for a known key is a new attempt too
    assert _activation(stores, "b1", store="https://other.test/") == 1  # another store has its own window
    assert stores.activations.get("a4") is None and count_activations(stores) == 4
    later = utcnow() + activations_module.ACTIVATION_WINDOW
    monkeypatch.setattr(activations_module, "utcnow", lambda: later)
    assert _activation(stores, "a4") == 1


def test_pending_activations_are_bounded_and_expire(stores, monkeypatch):
    for index in range(5):
        _activation(stores, f"p{index}", store=f"https://s{index}.test/")
    with pytest.raises(ActivationLimit, match="5 activations are already waiting"):
        _activation(stores, "p5", store="https://s5.test/")
    assert _activation(stores, "p0", store="https://s0.test/") == 2  # its own row does not count against it
    stores.activations.finish("p1", 1, "failed", "oauth_problem")
    assert _activation(stores, "p5", store="https://s5.test/") == 1
    later = utcnow() + activations_module.ACTIVATION_TTL + activations_module.ACTIVATION_WINDOW
    monkeypatch.setattr(activations_module, "utcnow", lambda: later)
    assert _activation(stores, "p6", store="https://s6.test/") == 1
    expired = stores.activations.get("p2")
    assert (expired.status, expired.error) == ("failed", activations_module.EXPIRED)
    assert not stores.activations.claim("p2", 1)  # an expired attempt never starts an exchange


def test_activation_limits_hold_for_concurrent_workers(stores, database_url):
    workers = [stores, Stores.open(database_url, SECRET_KEY)]  # a second worker or node on the same database
    indexes = iter(range(12))
    results = run_together(12, lambda: _try_activation(workers, next(indexes)))
    assert results.count("admitted") == 3 and results.count("limited") == 9
    assert count_activations(stores) == 3


def _try_activation(workers, index: int) -> str:
    try:
        _activation(workers[index % 2], f"c{index:02d}", rate=3, pending=100)
    except ActivationLimit:
        return "limited"
    return "admitted"


def test_setup_codes(stores):
    activations = stores.activations
    assert activations.add_setup_code("ABCD-EFGH") is True
    assert activations.add_setup_code("JKMN-PQRS") is False  # one is already out
    code_hash = hash_setup_code("abcd efgh")
    assert activations.setup_code_valid(code_hash)
    assert activations.add_setup_code("JKMN-PQRS", replace=True) is True
    assert not activations.setup_code_valid(code_hash)
    new_hash = hash_setup_code("JKMN-PQRS")
    assert run_together(3, lambda: activations.use_setup_code(new_hash)).count(True) == 1
    assert not activations.setup_code_valid(new_hash)
    stores.connection.save(store_base_url="https://shop.test/", consumer_key="a" * 32, consumer_secret="b" * 32,
                           access_token="c" * 32, access_token_secret="d" * 32)
    assert activations.add_setup_code("TTTT-TTTT") is False  # connected: no code needed


def test_setup_code_issued_once_by_concurrent_workers(database_url, stores):
    codes = iter(f"CODE-{index:04d}" for index in range(8))
    lock = threading.Lock()

    def issue() -> bool:
        with lock:
            code = next(codes)
        return Stores.open(database_url, SECRET_KEY).activations.add_setup_code(code)

    assert run_together(4, issue).count(True) == 1
