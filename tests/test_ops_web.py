"""The orjson-backed JSON provider answers exactly what Flask's default provider would; every answer forbids
caching and type sniffing."""
import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from bridge import create_app
from bridge.gladly.signature import build_headers
from bridge.ops.web import FastJSONProvider
from bridge.ops.web import add_headers
from tests.conftest import MAGENTO_URL
from tests.conftest import SIGNING_KEY


@dataclass
class Line:
    sku: str
    qty: int


@pytest.fixture
def providers():
    app = Flask(__name__)
    return FastJSONProvider(app), DefaultJSONProvider(app), app


@pytest.mark.parametrize("value", [
    {"name": "Zoë Müller", "total": "€12.50", "nested": [{"a": 1, "b": None, "c": True, "d": 1.5}]},
    {"when": datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc), "amount": Decimal("12.50"), "line": Line("S", 2)},
    {"lone surrogate": "\ud800", "big": 2 ** 70},  # orjson refuses both: the standard encoder takes over
    {1: "non-string keys"},
], ids=["text", "flask-types", "orjson-refuses", "int-keys"])
def test_same_json_as_flask(providers, value):
    fast, default, app = providers
    assert json.loads(fast.dumps(value)) == json.loads(default.dumps(value))
    with app.app_context():
        response = fast.response(value)
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data()) == json.loads(default.dumps(value))


def test_loads_bytes_and_text(providers):
    fast, _, _ = providers
    assert fast.loads(b'{"a": [1, "\\u00e9"]}') == fast.loads('{"a": [1, "\\u00e9"]}') == {"a": [1, "é"]}
    with pytest.raises(ValueError):
        fast.loads(b"{nope")


# -- headers on every answer ----------------------------------------------------------------------------

PREVIEW = {"PREVIEW_USER": "preview", "PREVIEW_PASSWORD": "long-enough-preview-password"}
PREVIEW_AUTH = {"Authorization": "Basic " + base64.b64encode(b"preview:long-enough-preview-password").decode()}


def every_route(app) -> list[tuple[str, str]]:
    """(method, path) for each rule of the app, its variables filled with a placeholder."""
    return [(method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "x", rule.rule))
            for rule in app.url_map.iter_rules() for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def test_every_answer_forbids_caching_and_sniffing(app_config, magento):
    magento.get(re.compile(re.escape(MAGENTO_URL) + r"rest/default/V1/.*"), json={"items": [], "total_count": 0})
    app = create_app({**app_config, **PREVIEW})
    client = app.test_client()
    routes = every_route(app)
    assert ("POST", "/gladly/lookup") in routes and ("GET", "/preview") in routes
    body = json.dumps({"lookupLevel": "BASIC", "query": {"emails": "nobody@example.net"}}).encode()
    answers = [client.open(path, method=method, headers=PREVIEW_AUTH, environ_base={"REMOTE_ADDR": "203.0.113.5"})
               for method, path in routes]
    answers += [client.get("/no/such/route"),
                client.post("/gladly/lookup", data=body, headers=build_headers(SIGNING_KEY, method="POST",
                                                                              path="/gladly/lookup", body=body))]
    assert {answer.status_code for answer in answers} >= {200, 401, 403, 404}
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.request.path
        assert answer.headers["Cache-Control"] == "no-store", answer.request.path


def test_a_route_may_set_its_own_cache_control():
    app = Flask(__name__)
    with app.app_context():
        response = add_headers(app.response_class("{}", headers={"Cache-Control": "public, max-age=60"}))
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
