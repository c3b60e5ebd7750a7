"""Activation: the callback, the token exchange against a mocked store, the identity pop-up, the registry."""
from __future__ import annotations

import logging
import re
import time
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import sqlalchemy
from markupsafe import escape

from bridge import create_app
from bridge.magento import registry as registry_module
from bridge.magento import views
from bridge.magento.activation import normalise_store_url
from bridge.magento.registry import next_step
from bridge.magento.routes import ROUTES
from bridge.magento.store import catalog_for
from bridge.storage.secrets import hash_setup_code
from tests.conftest import MAGENTO_URL
from tests.conftest import count_activations

CONSUMER_KEY = "ck" + "a" * 30
CONSUMER_SECRET = "cs" + "b" * 30
VERIFIER = "vf" + "c" * 30
ACCESS_TOKEN, ACCESS_SECRET = "at" + "d" * 30, "as" + "e" * 30
CALLBACK = MAGENTO_URL + "admin/admin/integration/loginSuccessCallback/"


@pytest.fixture
def app_config(app_config):
    """An activated bridge: no BRIDGE_MAGENTO_* credentials, store pinned by BRIDGE_MAGENTO_URL."""
    for name in ("MAGENTO_CONSUMER_KEY", "MAGENTO_CONSUMER_SECRET", "MAGENTO_ACCESS_TOKEN",
                 "MAGENTO_ACCESS_TOKEN_SECRET"):
        app_config.pop(name)
    return app_config


@pytest.fixture
def unpinned(app_config):
    """No BRIDGE_MAGENTO_URL: activation needs the setup code."""
    app_config["MAGENTO_URL"] = None
    app_config["MAGENTO_ADMIN_URL"] = None
    return app_config


class Background:
    """Stands in for threading.Thread in the views: records exchanges instead of starting them."""

    def __init__(self):
        self.targets = []

    def __call__(self, target, args, **kwargs):
        self.targets.append((target, args))
        return self

    def start(self):
        pass

    def run(self):
        for target, args in self.targets:
            target(*args)
        self.targets.clear()


@pytest.fixture
def background(monkeypatch):
    recorder = Background()
    monkeypatch.setattr(views.threading, "Thread", recorder)
    return recorder


def mock_exchange(magento, store=MAGENTO_URL, access=(ACCESS_TOKEN, ACCESS_SECRET), problem=None):
    """Magento's two token endpoints (§1.4): form-encoded replies, or an oauth_problem on the first."""
    if problem:
        magento.post(store + "oauth/token/request", status=401, body="oauth_problem=" + problem,
                     content_type="text/plain")
        return
    magento.post(store + "oauth/token/request", body=f"oauth_token={'r' * 32}&oauth_token_secret={'s' * 32}",
                 content_type="text/plain")
    magento.post(store + "oauth/token/access", body=f"oauth_token={access[0]}&oauth_token_secret={access[1]}",
                 content_type="text/plain")


def activation_form(**overrides):
    form = {"oauth_consumer_key": CONSUMER_KEY, "oauth_consumer_secret": CONSUMER_SECRET,
            "store_base_url": MAGENTO_URL, "oauth_verifier": VERIFIER}
    form.update(overrides)
    return {name: value for name, value in form.items() if value is not None}


def popup(client, key=CONSUMER_KEY, callback=CALLBACK, **form):
    params = {"oauth_consumer_key": key, "success_call_back": callback}
    if form:
        return client.post("/magento/oauth/identity", data={**params, **form})
    return client.get("/magento/oauth/identity", query_string=params)


def wait_finished(stores, key=CONSUMER_KEY, seconds=5.0):
    deadline = time.monotonic() + seconds
    while (item := stores.activations.get(key)).status not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, item
        time.sleep(0.02)
    return item


def issued_code(caplog, config) -> str:
    """Create the app and read the setup code it logs at start."""
    with caplog.at_level(logging.WARNING, logger="bridge"):
        app = create_app(config)
    match = re.search(r"Setup code for the Magento module: (\w{4}-\w{4})", caplog.text)
    assert match, caplog.text
    return app, match.group(1)


def auth_params(request) -> dict:
    header = request.headers["Authorization"]
    return {key: value.strip('"') for key, value in re.findall(r'(\w+)=("[^"]*")', header)}


def test_activation_runs_in_background_and_the_registry_signs_with_new_tokens(app, client, magento):
    mock_exchange(magento)
    reply = client.post("/magento/oauth/callback", data=activation_form())
    assert reply.status_code == 200 and reply.json == {"status": "accepted"}
    stores = app.extensions["storage"]
    assert wait_finished(stores).status == "succeeded"

    request_call, access_call = magento.calls[0].request, magento.calls[1].request
    assert auth_params(request_call)["oauth_signature_method"] == "HMAC-SHA256"
    assert auth_params(request_call)["oauth_consumer_key"] == CONSUMER_KEY
    assert auth_params(access_call)["oauth_token"] == "r" * 32
    assert auth_params(access_call)["oauth_verifier"] == VERIFIER
    assert dict(parse_qsl(access_call.body))["oauth_verifier"] == VERIFIER

    stored = stores.connection.get()
    assert (stored.access_token, stored.access_token_secret, stored.source) == (ACCESS_TOKEN, ACCESS_SECRET,
                                                                                "activation")
    magento.get(MAGENTO_URL + "rest/default/V1/store/storeConfigs", json=[])
    with app.app_context():
        assert registry_module.get_client().get("/V1/store/storeConfigs") == []
    assert auth_params(magento.calls[2].request)["oauth_token"] == ACCESS_TOKEN
    assert stores.connection.get().last_success_at is not None


def test_identity_page_finishes_the_exchange_and_returns_to_magento(app, client, magento, background):
    mock_exchange(magento)
    assert client.post("/magento/oauth/callback", data=activation_form()).status_code == 200
    page = popup(client)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Connected." in html and MAGENTO_URL in html
    assert all(str(escape(route.words)) in html for route in ROUTES)  # the merchant is told all they grant
    assert f'<meta http-equiv="refresh" content="2;url={CALLBACK}">' in html
    background.run()  # the background exchange finds the attempt finished and does nothing
    assert len(magento.calls) == 2


@pytest.mark.parametrize("callback", [
    "https://evil.test/admin/",
    "javascript:alert(1)//shop.test/",
    "//evil.test/shop.test/",
    "/\\evil.test/",
    "ftp://shop.test/",
    "",
    # Python reads the host after "@", a browser reads "\" as "/" and goes to evil.example
    "https://evil.example\\@shop.test/",
    "https://evil.example\\@shop.test:443/admin/",
    "https:\\\\evil.example\\@shop.test/",
    "https://shop.test@evil.example/",
    "https://user:secret@shop.test/admin/",
    "https://shop.test:8443/admin/",
    "https://shop.test:80/admin/",
    "http://shop.test/admin/",
    "https://shop.test.evil.example/admin/",
    "https://evil.example/https://shop.test/",
    "https://evil.example%2Fshop.test/",
    "https://ev\til.example/",
])
def test_identity_page_redirects_only_to_the_store_origin(app, client, magento, background, callback):
    mock_exchange(magento)
    client.post("/magento/oauth/callback", data=activation_form())
    html = popup(client, callback=callback).get_data(as_text=True)
    assert "Connected." in html
    assert "http-equiv" not in html and "Back to Magento" not in html


@pytest.mark.parametrize(("callback", "href"), [
    (CALLBACK, CALLBACK),
    ("HTTPS://SHOP.TEST:443/admin/x/", "https://shop.test/admin/x/"),
    ("https://sh\top.te\nst/admin/", "https://shop.test/admin/"),
    ("https:\\\\shop.test\\admin/", "https://shop.test/admin/"),
    ("https://%73hop.test/admin/?a=1#b", "https://shop.test/admin/?a=1#b"),
])
def test_the_redirect_is_what_a_browser_would_load(app, client, magento, background, callback, href):
    mock_exchange(magento)
    client.post("/magento/oauth/callback", data=activation_form())
    html = popup(client, callback=callback).get_data(as_text=True)
    assert f'<meta http-equiv="refresh" content="2;url={href}">' in html.replace("&amp;", "&")


@pytest.mark.parametrize(("url", "trusted", "expected"), [
    # the backslash-before-host attack, and its port-mismatch twin
    ("http://evil.example\\@127.0.0.1/", "http://127.0.0.1/", None),
    ("http://127.0.0.1:8081/admin/", "http://127.0.0.1/", None),
    ("http://127.0.0.1/admin/", "http://127.0.0.1:8081/", None),
    ("http://127.0.0.1:80/admin/", "http://127.0.0.1/", "http://127.0.0.1/admin/"),
    ("http://0x7f.0.0.1:8081/admin/", "http://127.0.0.1:8081/", "http://127.0.0.1:8081/admin/"),
    ("https://BÜCHER.example/admin/", "https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/admin/"),
    ("https://xn--bcher-kva.example/admin/", "https://bücher.example/", "https://xn--bcher-kva.example/admin/"),
    ("https://bucher.example/admin/", "https://bücher.example/", None),
    ("https://[::1]:443/admin/", "https://[::1]/", "https://[::1]/admin/"),
    ("https://shop.test/", "not a url", None),
    (None, "https://shop.test/", None),
])
def test_safe_callback_url_compares_browser_origins(url, trusted, expected):
    assert views.safe_callback_url(url, trusted, None) == expected


def test_the_admin_url_origin_is_trusted_too(app_config, magento, background):
    app_config["MAGENTO_ADMIN_URL"] = "https://admin.shop.test/backend/"
    client = create_app(app_config).test_client()
    mock_exchange(magento)
    client.post("/magento/oauth/callback", data=activation_form())
    html = popup(client, callback="https://admin.shop.test/backend/admin/integration/").get_data(as_text=True)
    assert 'content="2;url=https://admin.shop.test/backend/admin/integration/"' in html


def test_html_answers_cannot_be_framed_or_leak_their_url(app, client, magento, background):
    mock_exchange(magento)
    client.post("/magento/oauth/callback", data=activation_form())
    for page in (popup(client), popup(client, key="z" * 32)):
        assert page.mimetype == "text/html"
        assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Referrer-Policy"] == "no-referrer"
    health = client.get("/healthz")
    assert health.mimetype == "application/json" and "X-Frame-Options" not in health.headers


def test_identity_page_escapes_what_it_shows(app, client, magento, background):
    mock_exchange(magento, problem="%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    client.post("/magento/oauth/callback", data=activation_form())
    html = popup(client, callback='https://shop.test/"><script>x()</script>').get_data(as_text=True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_identity_page_for_an_unknown_consumer(client):
    page = popup(client, key="z" * 32)
    assert page.status_code == 404
    assert "No activation is waiting" in page.get_data(as_text=True)


def test_oauth_problem_keeps_the_previous_connection(app, client, magento, background):
    stores = app.extensions["storage"]
    stores.connection.save(store_base_url=MAGENTO_URL, consumer_key="o" * 32, consumer_secret="p" * 32,
                           access_token="q" * 32, access_token_secret="t" * 32)
    mock_exchange(magento, problem="Consumer+key+has+expired")
    assert client.post("/magento/oauth/callback", data=activation_form()).status_code == 200
    html = popup(client).get_data(as_text=True)
    assert "The connection failed" in html and "Consumer key has expired" in html
    assert "http-equiv" not in html
    assert stores.activations.get(CONSUMER_KEY).status == "failed"
    kept = stores.connection.get()
    assert (kept.consumer_key, kept.access_token, kept.version) == ("o" * 32, "q" * 32, 1)


@pytest.mark.parametrize("store", ["https://evil.test/", "http://shop.test/", "https://shop.test/other/",
                                   "https://shop.test:8443/"])
def test_pinned_store_rejects_other_stores(app, client, magento, background, store):
    reply = client.post("/magento/oauth/callback", data=activation_form(store_base_url=store))
    assert reply.status_code == 403
    assert reply.json["errors"][0]["code"] == "activation_rejected"
    assert app.extensions["storage"].activations.get(CONSUMER_KEY) is None
    assert not background.targets


@pytest.mark.parametrize(("url", "normalised"), [
    ("HTTPS://Shop.Test:443/", "https://shop.test/"),
    ("http://shop.test:80/magento", "http://shop.test/magento/"),
    ("https://shop.test:8443/", "https://shop.test:8443/"),
])
def test_store_urls_are_compared_normalised(url, normalised):
    assert normalise_store_url(url) == normalised


@pytest.mark.parametrize(("field", "value"), [
    ("oauth_consumer_key", None),
    ("oauth_consumer_secret", ""),
    ("oauth_verifier", None),
    ("store_base_url", None),
    ("oauth_consumer_key", "A" * 32),
    ("oauth_consumer_secret", "b" * 31),
    ("oauth_verifier", "c" * 33),
    ("store_base_url", "https://shop.test"),
    ("store_base_url", "ftp://shop.test/"),
    ("store_base_url", "https://shop.test/?x=1/"),
])
def test_malformed_posts_are_rejected(app, client, background, field, value):
    reply = client.post("/magento/oauth/callback", data=activation_form(**{field: value}))
    assert reply.status_code == 400
    assert reply.json["errors"][0]["attr"] == field
    assert app.extensions["storage"].activations.get(CONSUMER_KEY) is None


def test_replay_after_success_changes_nothing(app, client, magento, background):
    mock_exchange(magento)
    client.post("/magento/oauth/callback", data=activation_form())
    background.run()
    stores = app.extensions["storage"]
    version = stores.connection.get().version
    replay = client.post("/magento/oauth/callback", data=activation_form())
    assert replay.status_code == 409
    assert not background.targets
    assert stores.connection.get().version == version
    assert len(magento.calls) == 2


def test_the_same_post_twice_runs_one_exchange(app, client, magento, background):
    mock_exchange(magento)
    assert client.post("/magento/oauth/callback", data=activation_form()).status_code == 200
    assert client.post("/magento/oauth/callback", data=activation_form()).status_code == 200
    assert len(background.targets) == 1
    background.run()
    assert len(magento.calls) == 2


def test_forged_post_for_the_connected_integration_fails_and_keeps_tokens(app, client, magento, background):
    mock_exchange(magento)
    client.post("/magento/oauth/callback", data=activation_form())
    background.run()
    magento.post(MAGENTO_URL + "oauth/token/request", status=401, body="oauth_problem=The+signature+is+invalid.",
                 content_type="text/plain")
    forged = activation_form(oauth_consumer_secret="x" * 32, oauth_verifier="y" * 32)
    assert client.post("/magento/oauth/callback", data=forged).status_code == 200
    background.run()
    stores = app.extensions["storage"]
    assert stores.activations.get(CONSUMER_KEY).status == "failed"
    stored = stores.connection.get()
    assert (stored.consumer_secret, stored.access_token, stored.version) == (CONSUMER_SECRET, ACCESS_TOKEN, 1)


def test_reauthorize_replaces_the_tokens(app, client, magento, background):
    mock_exchange(magento)
    client.post("/magento/oauth/callback", data=activation_form())
    background.run()
    mock_exchange(magento, access=("n" * 32, "m" * 32))
    assert client.post("/magento/oauth/callback", data=activation_form(oauth_verifier="w" * 32)).status_code == 200
    background.run()
    stored = app.extensions["storage"].connection.get()
    assert (stored.access_token, stored.access_token_secret, stored.version) == ("n" * 32, "m" * 32, 2)
    assert auth_params(magento.calls[3].request)["oauth_verifier"] == "w" * 32


def mock_store_code(magento, code, store=MAGENTO_URL, **reply):
    """The companion module's settings (GET /V1/gladly/config) publishing ``code`` as the setup code."""
    magento.get(store + "rest/default/V1/gladly/config", **(reply or {"json": {"enabled": True, "setup_code": code}}))


def test_unpinned_activation_is_confirmed_by_the_setup_code_the_store_publishes(unpinned, caplog, magento,
                                                                                 background):
    app, code = issued_code(caplog, unpinned)
    client = app.test_client()
    stores = app.extensions["storage"]
    mock_exchange(magento)
    mock_store_code(magento, code.lower().replace("-", " "))
    reply = client.post("/magento/oauth/callback", data=activation_form())  # Magento's four fields only
    assert reply.status_code == 200 and reply.json == {"status": "accepted"}
    background.run()
    assert stores.activations.get(CONSUMER_KEY).status == "succeeded"
    assert stores.connection.get().access_token == ACCESS_TOKEN
    config_call = magento.calls[2].request
    assert config_call.method == "GET"
    assert (auth_params(config_call)["oauth_consumer_key"], auth_params(config_call)["oauth_token"]) == (
        CONSUMER_KEY, ACCESS_TOKEN)
    assert not stores.activations.setup_code_valid(hash_setup_code(code))  # spent


@pytest.mark.parametrize(("reply", "cause"), [
    ({"status": 404, "json": {"message": "Request does not match any route."}}, "has no Gladly module"),
    ({"status": 401, "json": {"message": "The consumer isn't authorized to access %resources.",
                              "parameters": {"resources": "Gladly_Connector::config"}}}, "Gladly_Connector::config"),
    ({"json": {"enabled": True, "setup_code": ""}}, "Setup Code is empty"),
    ({"json": {"enabled": True}}, "Setup Code is empty"),
    ({"json": {"enabled": True, "setup_code": "ZZZZ-ZZZZ"}}, "Setup Code is wrong"),
])
def test_unconfirmed_setup_code_fails_and_keeps_the_previous_connection(unpinned, caplog, magento, background,
                                                                         reply, cause):
    app, code = issued_code(caplog, unpinned)
    client = app.test_client()
    stores = app.extensions["storage"]
    stores.connection.save(store_base_url="https://old.test/", consumer_key="o" * 32, consumer_secret="p" * 32,
                           access_token="q" * 32, access_token_secret="t" * 32)
    mock_exchange(magento)
    mock_store_code(magento, None, **reply)
    assert client.post("/magento/oauth/callback", data=activation_form()).status_code == 200
    html = popup(client).get_data(as_text=True)  # the pop-up runs the exchange and the check
    assert "The connection failed: The store did not confirm the bridge&#39;s setup code." in html
    assert "Stores › Configuration › Gladly › Setup Code" in html and cause in html
    assert "http-equiv" not in html
    item = stores.activations.get(CONSUMER_KEY)
    assert item.status == "failed" and cause in item.error
    kept = stores.connection.get()
    assert (kept.consumer_key, kept.access_token, kept.version) == ("o" * 32, "q" * 32, 1)
    assert stores.activations.setup_code_valid(hash_setup_code(code))  # not spent
    background.run()  # the background exchange finds the attempt finished and does nothing
    assert len(magento.calls) == 3


def connect_with_published_code(unpinned, caplog, magento, background):
    """An unpinned bridge connected by a store that published its setup code: (client, stores, code)."""
    app, code = issued_code(caplog, unpinned)
    client = app.test_client()
    stores = app.extensions["storage"]
    mock_exchange(magento)
    mock_store_code(magento, code)
    client.post("/magento/oauth/callback", data=activation_form())
    background.run()
    assert stores.connection.get().consumer_key == CONSUMER_KEY
    return client, stores, code


def test_the_published_setup_code_is_single_use(unpinned, caplog, magento, background):
    client, stores, code = connect_with_published_code(unpinned, caplog, magento, background)

    # Another store that learnt the code publishes it too: the spent code no longer counts.
    other_store = "https://other.test/"
    mock_exchange(magento, store=other_store, access=("n" * 32, "m" * 32))
    mock_store_code(magento, code, store=other_store)
    other = activation_form(oauth_consumer_key="k" * 32, oauth_verifier="u" * 32, store_base_url=other_store)
    assert client.post("/magento/oauth/callback", data=other).status_code == 200
    background.run()
    assert "already used" in stores.activations.get("k" * 32).error
    stored = stores.connection.get()
    assert (stored.consumer_key, stored.access_token, stored.version) == (CONSUMER_KEY, ACCESS_TOKEN, 1)


def test_a_setup_code_posted_with_the_activation_is_checked_at_once(unpinned, caplog, magento, background):
    app, code = issued_code(caplog, unpinned)
    client = app.test_client()
    stores = app.extensions["storage"]
    wrong = client.post("/magento/oauth/callback", data=activation_form(gladly_setup_code="AAAA-AAAA"))
    assert wrong.status_code == 403 and wrong.json["errors"][0]["attr"] == "gladly_setup_code"
    assert not background.targets

    mock_exchange(magento)  # no GET /V1/gladly/config: the posted code is enough
    accepted = client.post("/magento/oauth/callback",
                           data=activation_form(oauth_verifier="w" * 32, gladly_setup_code=code.lower()))
    assert accepted.status_code == 200
    background.run()
    assert stores.connection.get().access_token == ACCESS_TOKEN
    assert len(magento.calls) == 2

    other = activation_form(oauth_consumer_key="k" * 32, oauth_verifier="u" * 32, gladly_setup_code=code)
    assert client.post("/magento/oauth/callback", data=other).status_code == 403
    assert stores.connection.get().consumer_key == CONSUMER_KEY


def test_reauthorize_needs_no_setup_code_once_connected(unpinned, caplog, magento, background):
    client, stores, code = connect_with_published_code(unpinned, caplog, magento, background)
    mock_exchange(magento, access=("n" * 32, "m" * 32))
    assert client.post("/magento/oauth/callback", data=activation_form(oauth_verifier="w" * 32)).status_code == 200
    background.run()
    assert stores.connection.get().access_token == "n" * 32
    assert [call.request.method for call in magento.calls] == ["POST", "POST", "GET", "POST", "POST"]
    # A different store under the same consumer key is not a reauthorize: it must publish a current code.
    evil = "https://evil.test/"
    mock_exchange(magento, store=evil, access=("x" * 32, "z" * 32))
    mock_store_code(magento, code, store=evil)
    moved = activation_form(oauth_verifier="x" * 32, store_base_url=evil)
    assert client.post("/magento/oauth/callback", data=moved).status_code == 200
    background.run()
    assert stores.activations.get(CONSUMER_KEY).status == "failed"
    stored = stores.connection.get()
    assert (stored.store_base_url, stored.access_token, stored.version) == (MAGENTO_URL, "n" * 32, 2)


def test_no_setup_code_when_connected_or_pinned(app_config, unpinned, caplog):
    with caplog.at_level(logging.WARNING, logger="bridge"):
        create_app({**app_config, "MAGENTO_URL": MAGENTO_URL})
    assert "Setup code" not in caplog.text
    app, _ = issued_code(caplog, unpinned)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bridge"):
        create_app(unpinned)  # another worker starting: the code already out stays valid
    assert "Setup code" not in caplog.text


def test_workers_pick_up_a_new_stored_connection(app_config, monkeypatch):
    app_config.update({"MAGENTO_CONSUMER_KEY": "e" * 32, "MAGENTO_CONSUMER_SECRET": "f" * 32,
                       "MAGENTO_ACCESS_TOKEN": "g" * 32, "MAGENTO_ACCESS_TOKEN_SECRET": "h" * 32})
    worker = create_app(app_config).extensions["magento"]
    assert worker.current_connection().source == "environment"
    other_worker_stores = create_app(app_config).extensions["storage"]
    other_worker_stores.connection.save(store_base_url=MAGENTO_URL, consumer_key="o" * 32,
                                        consumer_secret="p" * 32, access_token="q" * 32,
                                        access_token_secret="t" * 32)
    assert worker.current_connection().source == "environment"  # checked less than CHECK_INTERVAL ago
    monkeypatch.setattr(registry_module, "CHECK_INTERVAL", 0.0)
    connection = worker.current_connection()
    assert (connection.source, connection.credentials.access_token) == ("activation", "q" * 32)
    assert worker.client().signer.token == "q" * 32
    other_worker_stores.connection.delete()
    assert worker.current_connection().source == "environment"


def test_a_new_connection_drops_the_cached_store_facts(app_config, monkeypatch):
    app_config.update({"MAGENTO_CONSUMER_KEY": "e" * 32, "MAGENTO_CONSUMER_SECRET": "f" * 32,
                       "MAGENTO_ACCESS_TOKEN": "g" * 32, "MAGENTO_ACCESS_TOKEN_SECRET": "h" * 32})
    app = create_app(app_config)
    registry = app.extensions["magento"]
    monkeypatch.setattr(registry_module, "CHECK_INTERVAL", 0.0)
    settings = SimpleNamespace(magento_url=MAGENTO_URL, cache_ttl=300, cache_size=16)
    registry.client()
    before = catalog_for(settings)
    assert catalog_for(settings) is before  # the same connection keeps its facts
    app.extensions["storage"].connection.save(store_base_url=MAGENTO_URL, consumer_key="o" * 32,
                                              consumer_secret="p" * 32, access_token="q" * 32,
                                              access_token_secret="t" * 32)
    registry.client()  # reauthorized: the grants, and so the module's settings or websites, may differ
    assert catalog_for(settings) is not before


def test_a_database_blip_keeps_the_connection_in_force(app, monkeypatch, caplog):
    registry = app.extensions["magento"]
    monkeypatch.setattr(registry_module, "CHECK_INTERVAL", 0.0)
    app.extensions["storage"].connection.save(store_base_url=MAGENTO_URL, consumer_key="o" * 32,
                                              consumer_secret="p" * 32, access_token="q" * 32,
                                              access_token_secret="t" * 32)
    assert registry.current_connection().source == "activation"

    def unreachable(*args, **kwargs):
        raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(registry.connection_store, "fingerprint", unreachable)
    monkeypatch.setattr(registry.connection_store, "record_success", unreachable)
    assert registry.current_connection().credentials.access_token == "q" * 32
    registry.record_success()
    assert "could not read the stored Magento connection" in caplog.text
    assert "could not record the last successful Magento call" in caplog.text


def test_last_success_is_written_at_most_once_a_minute(app, monkeypatch):
    registry = app.extensions["magento"]
    writes = []
    monkeypatch.setattr(registry.connection_store, "record_success", lambda: writes.append(1))
    registry.record_success()
    registry.record_success()
    assert len(writes) == 1


def forged_form(index: int, store: str = MAGENTO_URL) -> dict:
    return activation_form(oauth_consumer_key=f"{index:032d}", oauth_verifier=f"{index + 7:032d}",
                           store_base_url=store)


def test_a_burst_of_forged_callbacks_stores_and_exchanges_a_bounded_number(app, client, background):
    statuses = [client.post("/magento/oauth/callback", data=forged_form(index)).status_code for index in range(200)]
    rate = app.config["ACTIVATION_RATE"]
    assert statuses.count(200) == rate and statuses.count(429) == 200 - rate
    assert count_activations(app.extensions["storage"]) == rate
    assert len(background.targets) == rate  # one exchange per admitted attempt, none for the rest
    refused = client.post("/magento/oauth/callback", data=forged_form(500))
    assert refused.json["errors"][0]["code"] == "activation_throttled" and "Try again in" in refused.json[
        "errors"][0]["detail"]


def test_the_limit_is_shared_by_every_worker(app_config, background):
    workers = [create_app(app_config).test_client() for _ in range(3)]  # one database, three apps
    statuses = [workers[index % 3].post("/magento/oauth/callback", data=forged_form(index)).status_code
                for index in range(60)]
    assert statuses.count(200) == 6 and len(background.targets) == 6


def test_the_same_callback_repeated_is_one_pending_activation(app, client, background):
    for _ in range(50):
        assert client.post("/magento/oauth/callback", data=activation_form()).status_code == 200
    assert count_activations(app.extensions["storage"]) == 1 and len(background.targets) == 1


def test_unpinned_bridge_bounds_pending_activations_from_any_number_of_stores(unpinned, background):
    app = create_app(unpinned)
    client = app.test_client()
    statuses = [client.post("/magento/oauth/callback", data=forged_form(index, f"https://s{index}.test/")).status_code
                for index in range(200)]
    bound = app.config["ACTIVATION_MAX_PENDING"]
    assert statuses.count(200) == bound and count_activations(app.extensions["storage"]) == bound
    assert len(background.targets) == bound


def test_a_pinned_bridge_ignores_other_stores_before_any_work(app, client, background, monkeypatch):
    def untouchable(*args, **kwargs):
        raise AssertionError("storage touched for another store's callback")

    stores = app.extensions["storage"]
    for store, name in ((stores.activations, "get"), (stores.activations, "save"), (stores.connection, "get"),
                        (stores.activations, "setup_code_valid")):
        monkeypatch.setattr(store, name, untouchable)
    for index in range(200):
        reply = client.post("/magento/oauth/callback", data=forged_form(index, "https://evil.test/"))
        assert reply.status_code == 403
    assert not background.targets


def test_a_bridge_pinned_to_a_store_without_a_connection_says_what_to_do_next(app_config, caplog):
    with caplog.at_level(logging.WARNING, logger="bridge.magento.registry"):
        app = create_app(app_config)
    hint = next_step(app.config)
    assert [record.getMessage() for record in caplog.records if record.name == "bridge.magento.registry"] == [hint]
    assert app_config["MAGENTO_ADMIN_URL"] in hint and "System > Extensions > Integrations" in hint
    assert all(f"BRIDGE_{name}" in hint for name in ("MAGENTO_CONSUMER_KEY", "MAGENTO_CONSUMER_SECRET",
                                                     "MAGENTO_ACCESS_TOKEN", "MAGENTO_ACCESS_TOKEN_SECRET"))
    # Once activated (or with credentials, or without a pinned store) the bridge starts quietly.
    app.extensions["storage"].connection.save(store_base_url=MAGENTO_URL, consumer_key="k", consumer_secret="s",
                                              access_token="t", access_token_secret="ts")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bridge.magento.registry"):
        create_app(app_config)
        create_app({**app_config, "MAGENTO_URL": None})
    assert not [record for record in caplog.records if record.name == "bridge.magento.registry"]
