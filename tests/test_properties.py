"""Property-based: no request body, query or Magento reply makes the bridge fail with anything but a clean error.

Every endpoint's input parsing (lookup, action form, action submit, activation callback and identity) gets
arbitrary input and must answer below 500; every Magento reply parser gets fixtures with parts replaced by
arbitrary JSON and must either map them or raise MagentoBadReply (a clean 502), never another exception.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import responses
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bridge.actions.journal import Journal
from bridge.actions.model import Cap
from bridge.actions.offer import order_actions
from bridge.actions.operations import Requester
from bridge.actions.runner import OrderActions
from bridge.actions.tokens import FormTokens
from bridge.config import ACTION_NAMES
from bridge.errors import ActionError
from bridge.errors import MagentoBadReply
from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.gladly import action_views as gladly_actions
from bridge.gladly import lookup_views as views
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import LookupQuery
from bridge.lookup.service import LookupSettings
from bridge.lookup.service import run_lookup
from bridge.magento import oauth
from bridge.magento.activation import ActivationService
from bridge.magento.store import clear_catalogs
from bridge.storage import get_stores
from tests.conftest import SIGNING_KEY
from tests.conftest import form_token
from tests.test_actions_offer import ONLINE_INVOICE
from tests.test_actions_offer import PAID_ORDER

DATA = Path(__file__).parent / "data"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
SETTINGS = LookupSettings(magento_url="https://shop.test/", admin_url="https://shop.test/admin/")

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)
# Strings with the characters that break parsers: separators, escapes, non-ASCII, control characters.
TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from("@%&=?#[]\\/.:+ \x00"), max_size=40)


def load(name):
    return json.loads((DATA / name).read_text())


def _paths(value, prefix=()):
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


@st.composite
def mutated(draw, fixture):
    """``fixture`` with one to three parts (anything from a field to the whole reply) replaced or removed."""
    data = copy.deepcopy(fixture)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(data))))
        if not path:
            data = draw(JSON)
            continue
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return data


class FakeMagento:
    """Answers each path from a table; POSTs (action writes) succeed."""

    base_url = "https://shop.test/"

    def __init__(self, answers: dict):
        self.answers = answers

    def get(self, path, params=None, *, deadline=None):
        if path not in self.answers:
            raise MagentoNotFound(f"No such entity: {path}")
        return copy.deepcopy(self.answers[path])

    def post(self, path, payload=None, *, deadline=None):
        if path.endswith("/goodwill-coupon"):
            return {"code": "K3QZ-7PLM-X2D9", "rule_id": payload["ruleId"], "order_id": 7, "customer_id": 3}
        return 5 if path.endswith("/refund") else True

    def put(self, path, payload=None, *, deadline=None):
        return payload["address"]

    def parallel(self, *thunks):
        return [thunk() for thunk in thunks]


def store_answers() -> dict:
    return {"/V1/gladly/config": {"allowed_actions": list(ACTION_NAMES)},
            "/V1/store/storeConfigs": load("magento_store_configs.json"),
            "/V1/store/websites": load("magento_websites.json"),
            "/V1/products": load("magento_products.json")}


# -- Magento reply parsers ------------------------------------------------------------------------------


LOOKUP_REPLIES = {
    DETAILED: {"/V1/customers/2": load("magento_customer.json"), "/V1/orders": load("magento_orders.json"),
               "/V1/shipments": load("magento_shipments.json"), "/V1/creditmemos": load("magento_creditmemos.json"),
               **store_answers()},
    AUTO_LINK: {"/V1/customers/search": load("magento_customers_search.json"),
                "/V1/orders": load("magento_guest_orders.json")},
}


@pytest.mark.parametrize("kind", [DETAILED, AUTO_LINK, SEARCH])
@FAST
@given(data=st.data())
def test_every_lookup_reply_is_mapped_or_a_clean_bad_reply(kind, data):
    answers = copy.deepcopy(LOOKUP_REPLIES[DETAILED if kind == DETAILED else AUTO_LINK])
    path = data.draw(st.sampled_from(sorted(answers)))
    answers[path] = data.draw(mutated(answers[path]))
    query = LookupQuery(kind=kind, external_customer_id="2", emails=["jdoe@example.com"], phones=["+15125551111"],
                        names=["Jane Doe"], order_numbers=["000000001"])
    clear_catalogs()
    try:
        run_lookup(query, FakeMagento(answers), SETTINGS, order_actions=order_actions("", lambda: list(ACTION_NAMES)))
    except MagentoBadReply:
        pass


SHIPPABLE_ORDER = {**PAID_ORDER, "extension_attributes": {"shipping_assignments": [{"shipping": {"address": {
    "firstname": "Jane", "lastname": "Doe", "street": ["123 Oak Ave"], "city": "Austin", "region_code": "TX",
    "postcode": "78701", "country_id": "US", "telephone": "512-555-1111"}}}]}}
ORDER_REPLIES = {"/V1/orders/7": SHIPPABLE_ORDER, "/V1/invoices": {"items": [ONLINE_INVOICE], "total_count": 1},
                 "/V1/creditmemos": {"items": [], "total_count": 0},
                 "/V1/gladly/config": {"coupon_rules": [{"id": 4, "name": "Sorry", "amount": "10% off"}],
                                       "capabilities": ["order_address", "goodwill_coupon"]}}
REFUND = {"mode": "partial", "qty_11": "1", "shipping_amount": "0", "comment": "Torn"}


@pytest.fixture
def app_stores(app):
    with app.app_context():
        yield get_stores()


@pytest.mark.parametrize("action", ACTION_NAMES)
@FAST
@given(data=st.data())
def test_every_action_reply_gives_a_form_or_a_clean_action_error(app_stores, action, data):
    answers = copy.deepcopy(ORDER_REPLIES)
    path = data.draw(st.sampled_from(sorted(answers)))
    answers[path] = data.draw(mutated(answers[path]))
    actions = OrderActions(FakeMagento(answers), list(ACTION_NAMES), audit=app_stores.audit,
                           journal=Journal(app_stores.journal, wait=0), tokens=FormTokens(SIGNING_KEY),
                           caps={"coupon": Cap(1, 30)})
    try:
        actions.form(action, "7")
    except ActionError:
        pass
    payload = REFUND if action == "refund" else {"reason": "customer", "comment": "Hi", "notify": False, "rule": "4",
                                                 "firstname": "Jo", "lastname": "Doe", "street1": "1 Main St",
                                                 "city": "Austin", "postcode": "78701", "country_id": "US",
                                                 "telephone": "512-555-0100"}
    reply = actions.submit(action, "7", form_token(action), payload, Requester("A1"))
    assert reply.status in (200, 400, 406)


# -- endpoint input parsing -----------------------------------------------------------------------------


@pytest.fixture
def signed(client, gladly_headers):
    def send(method, path, body=b"", query=""):
        url = path + (f"?{query}" if query else "")
        return client.open(url, method=method, data=body, headers=gladly_headers(method, path, body, query=query))

    return send


@pytest.fixture
def fake_store(monkeypatch):
    """Lookups and actions read a FakeMagento that answers like the sample store."""
    magento = FakeMagento({**LOOKUP_REPLIES[AUTO_LINK], **LOOKUP_REPLIES[DETAILED], **ORDER_REPLIES})
    monkeypatch.setattr(views, "get_client", lambda: magento)
    monkeypatch.setattr(gladly_actions, "get_client", lambda: magento)
    clear_catalogs()
    yield magento
    clear_catalogs()


BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"lookupLevel": st.sampled_from(["BASIC", "DETAILED", "detailed"]) | TEXT,
                           "uniqueMatchRequired": JSON, "query": JSON | st.dictionaries(TEXT, JSON | TEXT)})
    .map(lambda value: json.dumps(value).encode()),
)


@FAST
@given(body=BODIES)
def test_lookup_input_never_gives_5xx(signed, fake_store, body):
    assert signed("POST", "/gladly/lookup", body).status_code < 500


QUERY_VALUE = TEXT.map(lambda text: quote(text, safe=""))


@FAST
@given(action=st.sampled_from(ACTION_NAMES) | TEXT.filter(lambda text: "/" not in text and text.isprintable()),
       order_id=QUERY_VALUE | st.sampled_from(["7", "8", "07", "99999999999999999999", "-7", "7.0"]))
def test_action_form_input_never_gives_5xx(signed, fake_store, action, order_id):
    path = "/gladly/actions/" + quote(action, safe="") + "/form"
    assert signed("GET", path, query=f"orderId={order_id}").status_code < 500


@FAST
@given(action=st.sampled_from(ACTION_NAMES), body=BODIES | st.dictionaries(TEXT, JSON).map(
    lambda value: json.dumps(value).encode()), token=QUERY_VALUE | st.just("tok-0123456789abcdef"),
    order_id=QUERY_VALUE | st.sampled_from(["7", "8"]))
def test_action_submit_input_never_gives_5xx(signed, fake_store, action, body, token, order_id):
    reply = signed("POST", f"/gladly/actions/{action}", body, query=f"orderId={order_id}&token={token}")
    assert reply.status_code < 500


@pytest.fixture
def no_exchange(monkeypatch):
    """Token exchanges would call the store: these tests check only how the input is read."""
    monkeypatch.setattr(ActivationService, "exchange", lambda *args: None)
    monkeypatch.setattr(ActivationService, "exchange_in_background", lambda *args: None)


CREDENTIAL = st.sampled_from(["a" * 32, "b" * 32, "0123456789abcdefghijklmnopqrstuv"]) | TEXT
URL = st.sampled_from(["https://shop.test/", "http://[::1/", "https://shop.test:99999/", "https://shop.test/?x#y",
                       "http://evil.example\\@shop.test/", "javascript:alert(1)//shop.test/"]) | TEXT


@FAST
@given(form=st.fixed_dictionaries(
    {"oauth_consumer_key": CREDENTIAL, "oauth_consumer_secret": CREDENTIAL, "oauth_verifier": CREDENTIAL,
     "store_base_url": URL}, optional={"gladly_setup_code": TEXT}))
@example(form={"oauth_consumer_key": "a" * 32, "oauth_consumer_secret": "a" * 32, "oauth_verifier": "a" * 32,
               "store_base_url": "http://[::1/"})
def test_activation_callback_input_never_gives_5xx(client, no_exchange, form):
    assert client.post("/magento/oauth/callback", data=form).status_code < 500


@pytest.fixture
def activated(app):
    """A finished activation, so the pop-up reads ``success_call_back``."""
    with app.app_context():
        activations = get_stores().activations
        attempt = activations.save(consumer_key="b" * 32, store_base_url="https://shop.test/",
                                   consumer_secret="c" * 32, verifier="v" * 32, setup_code_hash=None,
                                   store_key="https://shop.test/", per_store_limit=6, max_pending=10)
        activations.finish("b" * 32, attempt, "succeeded")


@FAST
@given(query=st.fixed_dictionaries({"oauth_consumer_key": st.just("b" * 32) | CREDENTIAL},
                                   optional={"success_call_back": URL}))
@example(query={"oauth_consumer_key": "b" * 32, "success_call_back": "http://[::1/"})
def test_activation_identity_input_never_gives_5xx(client, no_exchange, activated, query):
    assert client.get("/magento/oauth/identity", query_string=query).status_code < 500


@FAST
@given(status=st.sampled_from([200, 400, 401, 500]), body=TEXT | st.sampled_from(
    ["oauth_token=t&oauth_token_secret=s", "oauth_problem=token_rejected", "oauth_token=&oauth_token_secret=s"]))
def test_every_token_exchange_reply_gives_tokens_or_a_clean_magento_error(status, body):
    with responses.RequestsMock() as mock, requests.Session() as session:
        mock.post("https://shop.test/oauth/token/request", status=status, body=body.encode("utf-8", "replace"))
        try:
            token, secret = oauth.request_token(session, "https://shop.test/", "k" * 32, "s" * 32, timeout=(1, 1))
        except MagentoError:
            return
        assert token and secret
