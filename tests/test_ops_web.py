"""The orjson-backed JSON provider answers exactly what Flask's default provider would."""
import json
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from bridge.ops.web import FastJSONProvider


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
