"""Authenticating Flask requests from Gladly: signature, freshness, path prefix and HTTP Basic (§5)."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from types import SimpleNamespace

import pytest
from flask import g
from flask import request

from bridge import create_app
from bridge.errors import InvalidSignature
from bridge.errors import StaleRequest
from bridge.gladly import lookup_views as views
from bridge.gladly.auth import verify_request

BODY = json.dumps({"lookupLevel": "BASIC", "query": {"emails": "jane@example.com"}}).encode()
BASIC = {"GLADLY_BASIC_USER": "gladly", "GLADLY_BASIC_PASSWORD": "s3cret-password"}


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
            "WWW-Authenticate": 'Basic realm="gladly"'}


@pytest.fixture
def looked_up(monkeypatch):
    """Stands in for the lookup service and Magento; records whether the view ran."""
    calls = []
    monkeypatch.setattr(views, "get_client", lambda: SimpleNamespace(base_url="https://shop.test/"))
    monkeypatch.setattr(views, "run_lookup", lambda query, *args, **kwargs: calls.append(query) or [])
    return calls


def post(client, headers, body=BODY, path="/gladly/lookup"):
    return client.post(path, data=body, headers=headers)


@pytest.fixture
def assert_rejected(app_config):
    """Checks a 401 in Gladly's error envelope that reveals no secret, and returns its one error."""

    def check(response, code, attr):
        assert response.status_code == 401
        [error] = response.get_json()["errors"]
        assert error["code"] == code and error["attr"] == attr and error["detail"]
        text = response.get_data(as_text=True)
        assert app_config["GLADLY_SIGNING_KEY"] not in text and BASIC["GLADLY_BASIC_PASSWORD"] not in text
        assert not re.search(r"[0-9a-f]{64}", text)
        return error

    return check


def test_accepts_a_signed_request(client, gladly_headers, looked_up):
    response = post(client, gladly_headers("POST", "/gladly/lookup", BODY))
    assert response.status_code == 200
    assert response.get_json() == {"results": []}
    assert len(looked_up) == 1


@pytest.mark.parametrize("change, code, attr", [
    pytest.param({"key": "another-key"}, "invalid_signature", "Gladly-Authorization", id="wrong-key"),
    pytest.param({"body": BODY + b" "}, "invalid_signature", "Gladly-Authorization", id="tampered-body"),
    pytest.param({"path": "/lookup"}, "invalid_signature", "Gladly-Authorization", id="other-path"),
    # Offsets from the time the test runs, not from collection: a long suite would otherwise age them.
    pytest.param({"skew": timedelta(minutes=-6)}, "stale_request", "Gladly-Time", id="stale-past"),
    pytest.param({"skew": timedelta(minutes=6)}, "stale_request", "Gladly-Time", id="stale-future"),
    pytest.param({"drop": "Gladly-Authorization"}, "invalid_signature", "Gladly-Authorization",
                 id="missing-authorization"),
    pytest.param({"drop": "Gladly-Time"}, "invalid_signature", "Gladly-Time", id="missing-time"),
    pytest.param({"drop": "Accept"}, "invalid_signature", "Gladly-Authorization", id="signed-header-absent"),
])
def test_rejects_a_request_not_signed_by_gladly(client, gladly_headers, looked_up, assert_rejected, change, code,
                                                attr):
    change = dict(change)
    if "skew" in change:
        change["now"] = datetime.now(timezone.utc) + change.pop("skew")
    drop = change.pop("drop", None)
    headers = gladly_headers("POST", change.pop("path", "/gladly/lookup"), change.pop("body", BODY), **change)
    headers.pop(drop, None)
    assert_rejected(post(client, headers), code, attr)
    assert looked_up == []


def test_verifies_before_parsing(client, gladly_headers, looked_up, assert_rejected):
    headers = gladly_headers("POST", "/gladly/lookup", b"not json", key="another-key")
    assert_rejected(post(client, headers, body=b"not json"), "invalid_signature", "Gladly-Authorization")


@pytest.mark.parametrize("signed_path, status", [("/bridge/gladly/lookup", 200), ("/gladly/lookup", 401)])
def test_signed_path_carries_the_proxy_prefix(app_config, gladly_headers, looked_up, signed_path, status):
    app_config["GLADLY_PATH_PREFIX"] = "/bridge/"
    client = create_app(app_config).test_client()
    assert post(client, gladly_headers("POST", signed_path, BODY)).status_code == status


@pytest.fixture
def basic_client(app_config):
    app_config.update(BASIC)
    return create_app(app_config).test_client()


def test_basic_auth_accepts_the_configured_credentials(basic_client, gladly_headers, looked_up):
    headers = gladly_headers("POST", "/gladly/lookup", BODY, extra=basic("gladly", "s3cret-password"))
    assert "authorization;content-type" in headers["Gladly-Authorization"]
    assert post(basic_client, headers).status_code == 200


@pytest.mark.parametrize("extra, detail", [
    pytest.param(basic("gladly", "wrong-password"), "incorrect", id="wrong-password"),
    pytest.param(basic("someone", "s3cret-password"), "incorrect", id="wrong-user"),
    pytest.param({"Authorization": "Bearer s3cret-password"}, "required", id="not-basic"),
    pytest.param(None, "required", id="missing"),
])
def test_basic_auth_rejects_other_credentials(basic_client, gladly_headers, looked_up, assert_rejected, extra,
                                              detail):
    response = post(basic_client, gladly_headers("POST", "/gladly/lookup", BODY, extra=extra))
    error = assert_rejected(response, "unauthorized", "Authorization")
    assert detail in error["detail"]
    assert response.headers["WWW-Authenticate"] == 'Basic realm="gladly-bridge"'
    assert looked_up == []


def test_a_bad_signature_is_reported_even_with_good_basic_credentials(basic_client, gladly_headers, looked_up,
                                                                      assert_rejected):
    headers = gladly_headers("POST", "/gladly/lookup", BODY, key="another-key",
                             extra=basic("gladly", "s3cret-password"))
    assert_rejected(post(basic_client, headers), "invalid_signature", "Gladly-Authorization")


def test_verify_request_signs_the_raw_query_and_keeps_the_correlation_id(app, gladly_headers):
    headers = gladly_headers("GET", "/gladly/actions/cancel-form", query="orderId=3&b=2",
                             correlation_id="vXmSEPjVSWCaCMzvjufxZg")
    with app.test_request_context("/gladly/actions/cancel-form?b=2&orderId=3", headers=headers):
        verify_request(request, app.config)
        assert g.correlation_id == "vXmSEPjVSWCaCMzvjufxZg"
    with app.test_request_context("/gladly/actions/cancel-form?orderId=4&b=2", headers=headers):
        with pytest.raises(InvalidSignature):
            verify_request(request, app.config)


def test_verify_request_takes_the_clock_as_a_parameter(app, gladly_headers):
    sent = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    headers = gladly_headers("POST", "/gladly/lookup", BODY, now=sent)
    with app.test_request_context("/gladly/lookup", method="POST", data=BODY, headers=headers):
        verify_request(request, app.config, now=sent + timedelta(seconds=300))
        with pytest.raises(StaleRequest):
            verify_request(request, app.config, now=sent + timedelta(seconds=301))
