"""/preview: off without credentials, Basic auth, CSRF, security headers and what a search shows.

The page in a real browser against the sandbox store is tests/e2e/test_e2e_preview_browser.py.
"""
from __future__ import annotations

import base64
import re

import pytest

from bridge import create_app
from bridge.errors import ConfigError
from bridge.errors import InvalidRequest
from bridge.preview import views
from bridge.preview.query import customer_query
from bridge.preview.query import search_query
from bridge.storage import database
from tests.conftest import MAGENTO_URL

USER, PASSWORD = "preview", "s3cret-preview-page"


def basic(user: str = USER, password: str = PASSWORD) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PREVIEW_USER": USER, "PREVIEW_PASSWORD": PASSWORD}


def form_token(page: bytes) -> str:
    return re.search(rb'name="csrf" value="([0-9a-f]{64})"', page).group(1).decode()


def test_off_without_credentials(app_config):
    app = create_app({**app_config, "PREVIEW_USER": None, "PREVIEW_PASSWORD": None})
    assert app.test_client().get("/preview", headers=basic()).status_code == 404


@pytest.mark.parametrize("user, password", [(USER, None), (None, PASSWORD)])
def test_both_credentials_or_neither(app_config, user, password):
    with pytest.raises(ConfigError, match="BRIDGE_PREVIEW_USER and BRIDGE_PREVIEW_PASSWORD"):
        create_app({**app_config, "PREVIEW_USER": user, "PREVIEW_PASSWORD": password})


@pytest.mark.parametrize("headers", [{}, basic(password="wrong"), basic(user="someone"),
                                     {"Authorization": "Bearer " + PASSWORD}])
def test_refuses_without_the_right_credentials(client, headers):
    for reply in (client.get("/preview", headers=headers), client.post("/preview", headers=headers),
                  client.get("/preview/static/preview.css", headers=headers)):
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"] == 'Basic realm="Gladly bridge preview", charset="UTF-8"'
        assert reply.headers["Content-Security-Policy"] == views.CONTENT_SECURITY_POLICY
        assert b"Search a shopper" not in reply.data


def test_page_headers_and_form(client):
    reply = client.get("/preview", headers=basic())
    assert reply.status_code == 200
    assert reply.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'")
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Cache-Control"] == "no-store"
    assert b"<script" not in reply.data and b"style=" not in reply.data  # nothing the CSP would block
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith(views.CSRF_COOKIE + "=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/preview" in cookie
    assert len(form_token(reply.data)) == 64
    with client.get("/preview/static/preview.css", headers=basic()) as stylesheet:
        assert stylesheet.status_code == 200 and stylesheet.headers["Content-Type"].startswith("text/css")


def test_search_without_a_valid_token_is_refused_and_searches_nothing(client, magento):
    client.get("/preview", headers=basic())  # sets the cookie
    missing = client.post("/preview", headers=basic(), data={"q": "sam@example.com"})
    forged = client.post("/preview", headers=basic(), data={"q": "sam@example.com", "csrf": "0" * 64})
    for reply in (missing, forged):
        assert reply.status_code == 400
        assert views.STALE_FORM.encode() in reply.data
    # No cookie at all (another site's form carries none with SameSite=Strict): refused even with a real token.
    token = form_token(client.get("/preview", headers=basic()).data)
    client.delete_cookie(views.CSRF_COOKIE, path="/preview")
    assert client.post("/preview", headers=basic(), data={"q": "x", "csrf": token}).status_code == 400
    assert len(magento.calls) == 0


def test_a_token_works_only_with_its_own_cookie(app):
    first, second = app.test_client(), app.test_client()
    token = form_token(first.get("/preview", headers=basic()).data)
    second.get("/preview", headers=basic())
    assert second.post("/preview", headers=basic(), data={"q": "x", "csrf": token}).status_code == 400


def test_search_with_a_valid_token_asks_magento(client, magento):
    magento.get(re.compile(re.escape(MAGENTO_URL) + r"rest/default/V1/.*"), json={"items": [], "total_count": 0})
    token = form_token(client.get("/preview", headers=basic()).data)
    reply = client.post("/preview", headers=basic(), data={"q": "nobody@example.net", "field": "any", "csrf": token})
    assert reply.status_code == 200
    assert "No shopper matches “nobody@example.net”.".encode() in reply.data
    assert magento.calls and all("nobody%40example.net" in call.request.url or "nobody@example.net"
                                 in call.request.url for call in magento.calls)


def test_magento_failure_is_shown_on_the_page(client, magento):
    magento.get(re.compile(re.escape(MAGENTO_URL) + r"rest/default/V1/.*"), status=401,
                json={"message": "The consumer isn't authorized to access %resources.",
                      "parameters": {"resources": "Magento_Customer::customer"}})
    token = form_token(client.get("/preview", headers=basic()).data)
    reply = client.post("/preview", headers=basic(), data={"q": "sam@example.com", "csrf": token})
    assert reply.status_code == 502
    assert b"Magento_Customer::customer" in reply.data and b'role="alert"' in reply.data


@pytest.mark.parametrize("text, field, expected", [
    ("sam@example.com", "any", {"emails": ["sam@example.com"]}),
    ("+1 415 555 0134", "any", {"phones": ["+1 415 555 0134"]}),
    ("000000004", "any", {"phones": ["000000004"], "order_numbers": ["000000004"]}),
    ("US-1004", "any", {"order_numbers": ["US-1004"]}),
    ("Sam Smith", "any", {"names": ["Sam Smith"]}),
    ("Sam", "name", {"names": ["Sam"]}),
    ("4155550134", "phone", {"phones": ["4155550134"]}),
])
def test_typed_text_becomes_an_agent_search(text, field, expected):
    query = search_query(text, field)
    assert query.kind == "search"
    assert {name: getattr(query, name) for name in ("emails", "phones", "names", "order_numbers")
            if getattr(query, name)} == expected


@pytest.mark.parametrize("text, field", [("  ", "any"), ("sam", "everything")])
def test_search_input_errors(text, field):
    with pytest.raises(ValueError):
        search_query(text, field)


@pytest.mark.parametrize("text, field, attr", [
    ("x" * 200_000, "any", "names"),
    ("x" * 200_000 + "@example.com", "any", "emails"),
    ("4" * 65, "phone", "phones"),
    ("Sam", "name", None),
])
def test_search_keeps_to_the_lookup_input_limits(text, field, attr):
    if attr is None:
        assert search_query(text, field).names == [text]
        return
    with pytest.raises(InvalidRequest) as error:
        search_query(text, field)
    assert error.value.attr == attr and f"query.{attr}:" in error.value.detail


def test_customer_id_keeps_to_the_lookup_input_limits():
    assert customer_query("42").external_customer_id == "42"
    with pytest.raises(InvalidRequest, match="externalCustomerId"):
        customer_query("4" * 301)


@pytest.mark.parametrize("form", [{"q": "x" * 200_000}, {"q": "", "customer": "4" * 301}])
def test_an_oversized_search_is_a_400_and_never_reaches_magento(client, magento, form):
    token = form_token(client.get("/preview", headers=basic()).data)
    reply = client.post("/preview", headers=basic(), data={**form, "csrf": token})
    assert reply.status_code == 400
    assert b"query.names: each value has at most 128 characters" in reply.data or b"externalCustomerId" in reply.data
    assert len(magento.calls) == 0


@pytest.mark.parametrize("password", ["a", "s3cret-preview", "ab" * 10, "aaaaaaaaaaaaaaaaaaaaaaaaa"])
def test_a_weak_password_refuses_to_start(app_config, password):
    with pytest.raises(ConfigError, match="BRIDGE_PREVIEW_PASSWORD must have at least 15 characters") as error:
        create_app({**app_config, "PREVIEW_PASSWORD": password})
    message = str(error.value)
    assert f"it has {len(password)}, {len(set(password))} different" in message
    assert len(password) == 1 or password not in message  # the password itself is never shown


# -- sign-in throttle ------------------------------------------------------------------------------------

ATTACKER, OTHER = {"REMOTE_ADDR": "203.0.113.5"}, {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def throttled(client, monkeypatch):
    monkeypatch.setattr(views, "SIGN_IN_ATTEMPTS", 3)
    return client


def test_failed_sign_ins_lock_the_address_out_then_429(throttled, caplog):
    for _ in range(5):  # right credentials are not counted against the address
        assert throttled.get("/preview", headers=basic(), environ_base=ATTACKER).status_code == 200
    for _ in range(3):
        assert throttled.get("/preview", headers=basic(password="guess"), environ_base=ATTACKER).status_code == 401
    for headers in (basic(password="guess"), basic()):  # locked: not even the right password is checked
        reply = throttled.get("/preview", headers=headers, environ_base=ATTACKER)
        assert reply.status_code == 429 and views.LOCKED.encode() in reply.data
        assert 0 < int(reply.headers["Retry-After"]) <= 15 * 60
        assert reply.headers["Content-Security-Policy"] == views.CONTENT_SECURITY_POLICY
    assert throttled.get("/preview", headers=basic(), environ_base=OTHER).status_code == 200
    warnings = [record.getMessage() for record in caplog.records
                if record.name == "bridge.preview.views" and record.levelname == "WARNING"]
    assert len(warnings) == 4 and all("203.0.113.5" in line for line in warnings)
    assert "locked" in warnings[-1] and "guess" not in "".join(warnings)


def test_requests_without_credentials_are_not_counted(throttled):
    for _ in range(5):
        assert throttled.get("/preview", environ_base=ATTACKER).status_code == 401
    assert throttled.get("/preview", headers=basic(), environ_base=ATTACKER).status_code == 200


@pytest.mark.parametrize("first, second, shared", [
    # Behind the trusted local proxy, the address it reports is the client, not the proxy.
    (({"REMOTE_ADDR": "127.0.0.1"}, {"X-Forwarded-For": "203.0.113.5"}),
     ({"REMOTE_ADDR": "127.0.0.1"}, {"X-Forwarded-For": "198.51.100.7"}), False),
    (({"REMOTE_ADDR": "127.0.0.1"}, {"X-Forwarded-For": "203.0.113.5"}), (ATTACKER, {}), True),
    # One IPv6 subscriber (a /64) is one client, whichever of its addresses it sends from.
    (({"REMOTE_ADDR": "2001:db8:1:2::5"}, {}), ({"REMOTE_ADDR": "2001:db8:1:2:ffff::9"}, {}), True),
    (({"REMOTE_ADDR": "2001:db8:1:2::5"}, {}), ({"REMOTE_ADDR": "2001:db8:1:3::5"}, {}), False),
])
def test_the_throttle_counts_per_client_address(throttled, first, second, shared):
    for _ in range(3):
        throttled.get("/preview", headers={**basic(password="guess"), **first[1]}, environ_base=first[0])
    reply = throttled.get("/preview", headers={**basic(), **second[1]}, environ_base=second[0])
    assert reply.status_code == (429 if shared else 200)


@pytest.mark.parametrize("address, key", [
    ("203.0.113.5", "203.0.113.5"), ("::ffff:203.0.113.5", "203.0.113.5"),
    ("[2001:db8::1]", "2001:db8::/64"), ("unknown", "unknown"), ("x" * 500, "unknown"),
])
def test_throttle_key(address, key):
    assert views.throttle_key(address) == key


def test_without_the_database_the_preview_refuses_rather_than_go_unthrottled(app_config):
    url = "postgresql://postgres@127.0.0.1:1/bridge"
    app = create_app({**app_config, "DATABASE_URL": url})
    try:
        reply = app.test_client().get("/preview", headers=basic())
    finally:
        database.close_engine(url)
    assert reply.status_code == 503 and reply.get_json()["errors"][0]["code"] == "storage_unavailable"
    assert b"Search a shopper" not in reply.data
