"""``/healthz``, ``/readyz`` and ``/metrics``: readiness states, the address allowlist and the metric names."""
from __future__ import annotations

import json
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import sqlalchemy as sa
from prometheus_client import REGISTRY

from bridge import create_app
from bridge.actions.journal import Journal
from bridge.actions.operations import Requester
from bridge.actions.runner import OrderActions
from bridge.actions.tokens import FormTokens
from bridge.config import client_address
from bridge.errors import ConfigError
from bridge.gladly import lookup_views as views
from bridge.magento.breaker import CLOSED
from bridge.magento.breaker import HALF_OPEN
from bridge.magento.breaker import OPEN
from bridge.magento.store import Catalog
from bridge.magento.store import Product
from bridge.metrics import route_template
from bridge.storage.database import utcnow
from tests.conftest import CREDENTIALS
from tests.conftest import MAGENTO_URL
from tests.conftest import SIGNING_KEY

DATA = Path(__file__).parent / "data"
PROBE = MAGENTO_URL + "rest/default/V1/store/storeConfigs"
OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}
# The test client connects from 127.0.0.1, a trusted proxy by default, so it names its client, as nginx does.
LOCAL = {"X-Forwarded-For": "127.0.0.1"}


def readyz(client, **kwargs):
    response = client.get("/readyz", headers=LOCAL, **kwargs)
    return response.status_code, response.get_json()


def registry(app):
    return app.extensions["magento"]


def test_healthz_is_open_to_everyone(client):
    assert client.get("/healthz", environ_base=OUTSIDE).get_json() == {"status": "ok"}


# -- readiness states --------------------------------------------------------------------------------


def test_ready_after_a_recent_magento_success_without_calling_magento(app, client, magento):
    registry(app).last_success = datetime.now(timezone.utc) - timedelta(seconds=10)
    status, body = readyz(client)
    assert status == 200, body
    assert body["status"] == "ok" and body["reasons"] == []
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["magento"]["connected"] is True and "probed" not in body["checks"]["magento"]
    assert len(magento.calls) == 0


def test_success_stored_by_another_worker_counts(app, client, magento):
    connection = app.extensions["storage"].connection
    connection.save(store_base_url=MAGENTO_URL, consumer_key=CREDENTIALS["MAGENTO_CONSUMER_KEY"],
                    consumer_secret="s" * 32, access_token="t" * 32, access_token_secret="u" * 32)
    connection.record_success(utcnow() - timedelta(seconds=20))
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"]["magento"]["source"] == "activation"
    assert len(magento.calls) == 0


def test_stale_success_and_a_failing_probe_is_unavailable(app, client, magento):
    registry(app).last_success = datetime.now(timezone.utc) - timedelta(hours=1)
    magento.get(PROBE, status=503, json={"message": "Service Unavailable"})
    status, body = readyz(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["reasons"][0].startswith("Magento is stale (last success ")
    assert body["checks"]["magento"]["ok"] is False and body["checks"]["magento"]["probed"] is True


def test_magento_down_shows_within_30_seconds_when_no_lookup_runs(app, client, magento):
    registry(app).last_success = datetime.now(timezone.utc) - timedelta(seconds=31)
    magento.get(PROBE, body=requests.ConnectionError("refused"))
    status, body = readyz(client)
    assert status == 503 and body["checks"]["magento"]["probed"] is True


def test_a_burst_of_readiness_checks_probes_magento_once(app, client, magento):
    magento.get(PROBE, status=503, json={"message": "Service Unavailable"})
    answers = [readyz(client) for _ in range(3)]
    assert [status for status, _ in answers] == [503, 503, 503]
    assert len({body["reasons"][0] for _, body in answers}) == 1
    assert len(magento.calls) == 1


def test_stale_success_and_a_good_probe_is_ready(app, client, magento):
    app.config["READY_MAX_AGE"] = 60
    registry(app).last_success = datetime.now(timezone.utc) - timedelta(seconds=61)
    magento.get(PROBE, json=json.loads((DATA / "magento_store_configs.json").read_text()))
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"]["magento"]["probed"] is True
    assert registry(app).last_success > datetime.now(timezone.utc) - timedelta(seconds=5)  # the probe counts
    assert body["checks"]["magento"]["last_success"] == registry(app).last_success.isoformat()


def test_never_successful_and_unreachable_is_unavailable(client, magento):
    magento.get(PROBE, body=requests.ConnectionError("refused"))
    status, body = readyz(client)
    assert status == 503
    assert "no successful call yet" in body["reasons"][0]


def test_no_connection_is_unavailable(app_config):
    for key in CREDENTIALS:
        app_config.pop(key)
    status, body = readyz(create_app(app_config).test_client())
    assert status == 503
    assert body["checks"]["magento"] == {"ok": False, "connected": False}
    assert body["reasons"] == ["no Magento connection: activate the Gladly integration in Magento or set "
                               "BRIDGE_MAGENTO_*"]


def test_a_store_the_client_refuses_is_unavailable(app_config):
    app_config["MAGENTO_URL"] = "http://shop.test/"  # plain http to a non-loopback host cannot be signed
    status, body = readyz(create_app(app_config).test_client())
    assert status == 503
    assert body["reasons"] == ["the Magento client cannot be built: The Magento store http://shop.test/ must be "
                               "reached over https to sign OAuth calls."]


@pytest.mark.parametrize("schema_ready", [True, False], ids=["while-running", "since-start"])
def test_database_down_is_unavailable(app, client, tmp_path, schema_ready):
    registry(app).last_success = datetime.now(timezone.utc)
    # A database that cannot be opened: the same error a stopped PostgreSQL or a lost disk gives.
    app.extensions["storage"].database.engine = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'bridge.db'}")
    app.extensions["storage"].database._schema_ready = schema_ready  # since start: the worker never reached it
    registry(app).invalidate()
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["reasons"] == ["database unreachable (OperationalError): order actions and activation are "
                               "unavailable"]


@pytest.mark.parametrize("state, ready", [(OPEN, False), (HALF_OPEN, True), (CLOSED, True)])
def test_circuit_breaker_state_is_reported(app, client, state, ready):
    registry(app).last_success = datetime.now(timezone.utc)
    registry(app).client().breaker = SimpleNamespace(state=state)
    status, body = readyz(client)
    assert body["checks"]["magento"]["breaker"] == state
    assert status == (200 if ready else 503)


# -- address allowlist ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
@pytest.mark.parametrize("environ, headers", [
    (OUTSIDE, {}),
    # Through the local proxy: the peer is loopback, the proxy recorded the real client last.
    ({"REMOTE_ADDR": "127.0.0.1"}, {"X-Forwarded-For": "127.0.0.1, 203.0.113.5"}),
    # A client cannot claim loopback when it is not a trusted proxy itself.
    (OUTSIDE, {"X-Forwarded-For": "127.0.0.1"}),
    # A trusted proxy that does not name its client (none, blank, or headers the bridge does not read) is not one.
    ({"REMOTE_ADDR": "127.0.0.1"}, {}),
    ({"REMOTE_ADDR": "127.0.0.1"}, {"X-Forwarded-For": " , "}),
    ({"REMOTE_ADDR": "127.0.0.1"}, {"Forwarded": "for=127.0.0.1", "X-Real-IP": "127.0.0.1"}),
    ({"REMOTE_ADDR": ""}, {}),  # the UNIX socket
])
def test_operations_endpoints_refuse_other_addresses(client, path, environ, headers):
    response = client.get(path, environ_base=environ, headers=headers)
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["code"] == "forbidden"


def test_allowlisted_network_behind_the_trusted_proxy(app_config):
    app_config.update(OPS_ALLOW="10.0.0.0/8", FORWARDED_ALLOW_IPS="127.0.0.1")
    client = create_app(app_config).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                      headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403


@pytest.mark.parametrize("remote, forwarded, trusted, expected", [
    ("127.0.0.1", None, ["127.0.0.1"], None),  # a trusted proxy naming no client
    ("127.0.0.1", " ", ["127.0.0.1"], None),
    ("::ffff:127.0.0.1", "", ["127.0.0.1"], None),
    ("10.0.0.9", None, ["*"], None),
    ("127.0.0.1", None, ["10.0.0.0/8"], "127.0.0.1"),  # not a proxy: the peer is the client
    ("127.0.0.1", "198.51.100.1, 10.0.0.7", ["127.0.0.1"], "10.0.0.7"),
    ("10.0.0.9", "127.0.0.1", ["127.0.0.1"], "10.0.0.9"),
    ("10.0.0.9", "198.51.100.1", ["10.0.0.0/24"], "198.51.100.1"),
    ("10.0.0.9", "198.51.100.1", ["*"], "198.51.100.1"),
    ("", "198.51.100.1", ["127.0.0.1"], "198.51.100.1"),  # a UNIX socket peer is trusted, as in gunicorn
])
def test_client_address(remote, forwarded, trusted, expected):
    assert client_address(remote, forwarded, trusted) == expected


def test_trusting_every_peer_as_a_proxy_warns_at_start(app_config, caplog):
    create_app({**app_config, "FORWARDED_ALLOW_IPS": "10.0.0.1"})
    assert not [record for record in caplog.records if "FORWARDED_ALLOW_IPS" in record.getMessage()]
    create_app({**app_config, "FORWARDED_ALLOW_IPS": "10.0.0.1,*"})
    [warning] = [record for record in caplog.records if "FORWARDED_ALLOW_IPS" in record.getMessage()]
    assert warning.levelname == "WARNING" and "BRIDGE_OPS_ALLOW" in warning.getMessage()


@pytest.mark.parametrize("key, value", [("OPS_ALLOW", "localhost"), ("FORWARDED_ALLOW_IPS", "10.0.0.0/33")])
def test_bad_address_lists_refuse_to_start(app_config, key, value):
    app_config[key] = value
    with pytest.raises(ConfigError, match=f"BRIDGE_{key} must list IP addresses or networks"):
        create_app(app_config)


# -- metrics -----------------------------------------------------------------------------------------


def sample(name, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/V1/orders/42", "GET /V1/orders/{id}"),
    ("POST", "/V1/order/42/refund", "POST /V1/order/{id}/refund"),
    ("GET", "/V1/customers/jane@example.com", "GET /V1/customers/{value}"),
    ("GET", "/V1/store/storeConfigs", "GET /V1/store/storeConfigs"),
    ("GET", "/V1/products/24-MB01?x=1", "GET /V1/products/{value}"),
])
def test_magento_routes_are_templates(method, path, expected):
    assert route_template(method, path) == expected


def counts() -> dict[str, float]:
    """The samples the metrics test changes by exactly one each."""
    return {
        "lookups": sample("bridge_lookups_total", kind="detailed", outcome="not_found"),
        "lookup_seconds": sample("bridge_lookup_duration_seconds_count", kind="detailed"),
        "magento": sample("bridge_magento_calls_total", route="GET /V1/orders/{id}", status="200"),
        "magento_seconds": sample("bridge_magento_call_duration_seconds_count", route="GET /V1/orders/{id}"),
        "unsigned": sample("bridge_lookups_total", kind="unknown", outcome="invalid_signature"),
        "miss": sample("bridge_cache_requests_total", entry="product", result="miss"),
        "hit": sample("bridge_cache_requests_total", entry="product", result="hit"),
        "action": sample("bridge_actions_total", action="unknown", outcome="rejected"),
        "activation": sample("bridge_activation_attempts_total", step="callback", outcome="invalid_request"),
    }


def test_metrics_count_lookups_magento_calls_cache_actions_and_activations(app, client, magento, monkeypatch,
                                                                          gladly_headers):
    def run_lookup(query, magento_client, settings, order_actions, profile_actions):
        magento_client.get("/V1/orders/7")
        return []

    monkeypatch.setattr(views, "run_lookup", run_lookup)
    magento.get(MAGENTO_URL + "rest/default/V1/orders/7", json={"entity_id": 7})
    before = counts()
    body = json.loads((DATA / "gladly_detailed_flat.json").read_text())
    raw = json.dumps(body).encode()
    signed = gladly_headers("POST", "/gladly/lookup", raw)
    assert client.post("/gladly/lookup", data=raw, headers=signed).status_code == 200
    assert client.post("/gladly/lookup", data=raw).status_code == 401
    catalog = Catalog(SimpleNamespace(cache_ttl=60, cache_size=10))
    catalog.cache.set(("product", 1), Product("cached"))
    magento.get(MAGENTO_URL + "rest/default/V1/products", json={"items": [{"id": 2}]})
    with app.app_context():
        assert catalog.products(registry(app).client(), [1, 2], None) == {1: Product("cached"), 2: Product()}
    with app.app_context():
        stores = app.extensions["storage"]
        actions = OrderActions(None, [], audit=stores.audit, journal=Journal(stores.journal),
                               tokens=FormTokens(SIGNING_KEY))
        actions.submit("bogus", "1", "", {}, Requester())
    assert client.post("/magento/oauth/callback", data={}).status_code == 400

    after = counts()
    assert {key: after[key] - before[key] for key in before} == dict.fromkeys(before, 1.0)

    text = client.get("/metrics", headers=LOCAL).get_data(as_text=True)
    for name in ("bridge_lookups_total", "bridge_lookup_duration_seconds_bucket", "bridge_magento_calls_total",
                 "bridge_magento_call_duration_seconds_bucket", "bridge_actions_total",
                 "bridge_cache_requests_total", "bridge_activation_attempts_total"):
        assert f"\n{name}{{" in text, name
    assert 'route="GET /V1/orders/{id}"' in text
