"""The circuit breaker per Magento store: opening, refusing at once, the half-open probe, closing, writes."""
from __future__ import annotations

import logging

import pytest
import requests

from bridge.errors import MagentoCircuitOpen
from bridge.errors import MagentoRejected
from bridge.errors import MagentoUnavailable
from bridge.magento import registry as registry_module
from bridge.magento.breaker import CLOSED
from bridge.magento.breaker import HALF_OPEN
from bridge.magento.breaker import OPEN
from bridge.magento.breaker import CircuitBreaker
from bridge.magento.client import MagentoClient
from tests.conftest import MAGENTO_URL
from tests.test_magento_client import CREDENTIALS
from tests.test_magento_client import ORDERS
from tests.test_magento_client import FakeClock

COMMENT = "https://shop.test/rest/default/V1/orders/7/comments"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def shop(clock):
    breaker = CircuitBreaker("https://shop.test/", threshold=3, cooldown=10.0, clock=clock)
    made = MagentoClient("https://shop.test", CREDENTIALS, retries=0, pool_size=2, breaker=breaker)
    yield made
    made.close()


def fail(magento, times: int, **kwargs) -> None:
    for _ in range(times):
        magento.get(ORDERS, **(kwargs or {"body": requests.ConnectTimeout("hangs")}))


def open_circuit(shop, magento, **kwargs) -> None:
    fail(magento, shop.breaker.threshold, **kwargs)
    for _ in range(shop.breaker.threshold):
        with pytest.raises(MagentoUnavailable):
            shop.get("/V1/orders")


@pytest.mark.parametrize("failure", [
    {"body": requests.ConnectTimeout("connect timed out")},
    {"body": requests.ReadTimeout("read timed out")},
    {"body": requests.ConnectionError("refused")},
    {"status": 500, "json": {"message": "Internal Error."}},
    {"status": 503, "body": "busy"},
])
def test_consecutive_failures_open_the_circuit_and_calls_are_refused_without_a_request(shop, magento, failure,
                                                                                       caplog):
    with caplog.at_level(logging.WARNING, logger="bridge.magento.breaker"):
        open_circuit(shop, magento, **failure)
    assert shop.breaker.state == OPEN and shop.calls == 3
    assert "magento circuit for https://shop.test/ is open: 3 consecutive failures" in caplog.text
    for _ in range(20):
        with pytest.raises(MagentoCircuitOpen) as refused:
            shop.get("/V1/orders")
    assert shop.calls == 3 and len(magento.calls) == 3  # nothing more was sent
    error = refused.value
    assert (error.status_code, error.code, error.outcome_unknown) == (503, "magento_unavailable", False)
    assert shop.breaker.opened == 1


def test_answers_in_between_reset_the_count_and_4xx_is_an_answer(shop, magento):
    fail(magento, 2)
    magento.get(ORDERS, status=404, json={"message": "No such entity."})
    fail(magento, 2)
    magento.get(ORDERS, status=400, json={"message": "Bad filter."})
    for _ in range(2):
        with pytest.raises(MagentoUnavailable):
            shop.get("/V1/orders")
    with pytest.raises(MagentoRejected):
        shop.get("/V1/orders")
    for _ in range(2):
        with pytest.raises(MagentoUnavailable):
            shop.get("/V1/orders")
    with pytest.raises(MagentoRejected):
        shop.get("/V1/orders")
    assert shop.breaker.state == CLOSED
    fail(magento, 2)  # the count started again at the 400: two more failures leave it closed
    for _ in range(2):
        with pytest.raises(MagentoUnavailable):
            shop.get("/V1/orders")
    assert shop.breaker.state == CLOSED


def test_after_the_cooldown_one_probe_goes_through_and_its_success_closes(shop, magento, clock, caplog):
    open_circuit(shop, magento)
    clock.now += 9.9
    with pytest.raises(MagentoCircuitOpen):
        shop.get("/V1/orders")
    clock.now += 0.1
    shop.breaker.before_call()  # the probe is let through ...
    assert shop.breaker.state == HALF_OPEN
    with pytest.raises(MagentoCircuitOpen):  # ... and everyone else is still refused while it runs
        shop.get("/V1/orders")
    shop.breaker.record(True)
    magento.get(ORDERS, json={"items": []})
    with caplog.at_level(logging.INFO, logger="bridge.magento.breaker"):
        assert shop.get("/V1/orders") == {"items": []}
    assert shop.breaker.state == CLOSED


def test_a_failed_probe_opens_the_circuit_again(shop, magento, clock):
    open_circuit(shop, magento)
    clock.now += 10
    fail(magento, 1)
    with pytest.raises(MagentoUnavailable) as probe:
        shop.get("/V1/orders")
    assert not isinstance(probe.value, MagentoCircuitOpen)  # the probe really called Magento
    assert shop.breaker.state == OPEN and shop.breaker.opened == 2
    with pytest.raises(MagentoCircuitOpen):
        shop.get("/V1/orders")
    assert len(magento.calls) == 4


def test_a_lost_probe_does_not_keep_the_circuit_shut(shop, magento, clock):
    open_circuit(shop, magento)
    clock.now += 10
    shop.breaker.before_call()  # a probe whose thread never reports
    clock.now += 10
    magento.get(ORDERS, json={"items": []})
    assert shop.get("/V1/orders") == {"items": []}
    assert shop.breaker.state == CLOSED


def test_writes_are_refused_while_open_and_never_retried(clock, magento):
    breaker = CircuitBreaker("https://shop.test/", threshold=2, cooldown=10.0, clock=clock)
    client = MagentoClient("https://shop.test", CREDENTIALS, retries=2, pool_size=2, breaker=breaker)
    magento.post(COMMENT, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(MagentoUnavailable) as lost:
        client.post("/V1/orders/7/comments", {"statusHistory": {}})
    assert lost.value.outcome_unknown and len(magento.calls) == 1  # one attempt only
    magento.post(COMMENT, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(MagentoUnavailable):
        client.post("/V1/orders/7/comments", {"statusHistory": {}})
    with pytest.raises(MagentoCircuitOpen) as refused:
        client.post("/V1/orders/7/comments", {"statusHistory": {}})
    assert refused.value.outcome_unknown is False and len(magento.calls) == 2
    client.close()


def test_retries_stop_once_the_circuit_opens(clock, magento, monkeypatch):
    monkeypatch.setattr("bridge.magento.client.BACKOFF", 0)
    breaker = CircuitBreaker("https://shop.test/", threshold=2, cooldown=10.0, clock=clock)
    client = MagentoClient("https://shop.test", CREDENTIALS, retries=5, pool_size=2, breaker=breaker)
    fail(magento, 2)
    with pytest.raises(MagentoCircuitOpen):
        client.get("/V1/orders")
    assert len(magento.calls) == 2
    client.close()


def test_the_settings_size_the_breaker(app_config):
    from bridge import create_app

    app = create_app({**app_config, "BREAKER_FAILURES": "7", "BREAKER_COOLDOWN": "2.5"})
    with app.app_context():
        breaker = registry_module.get_client().breaker
    assert (breaker.threshold, breaker.cooldown, breaker.state) == (7, 2.5, CLOSED)


def test_an_open_circuit_answers_lookups_with_a_clean_503_at_once(app, lookup, magento):
    with app.app_context():
        magento_client = registry_module.get_client()
    for _ in range(magento_client.breaker.threshold):
        magento_client.breaker.record(False)
    reply = lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                    "query": {"externalCustomerId": "100", "emails": ["a@example.com"]}})
    assert reply.status_code == 503
    assert reply.json == {"errors": [{"code": "magento_unavailable", "detail": reply.json["errors"][0]["detail"]}]}
    assert "stopped calling it" in reply.json["errors"][0]["detail"]
    assert magento_client.calls == 0 and len(magento.calls) == 0
    assert MAGENTO_URL == magento_client.base_url
