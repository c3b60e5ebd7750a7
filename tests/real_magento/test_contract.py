"""Keeps the sandbox honest: the requests the bridge makes, sent to real Magento and to the sandbox, must get
answers of the same shape (keys, types, nesting, ``fields`` projections, error bodies).

Each lookup runs in-process through the bridge's own lookup code and Magento client, once against each
store (with each store's own shopper of the same kind); every HTTP exchange is recorded per route
template and ``fields`` projection, and the shapes are compared. What the sandbox still does differently
on purpose is listed in KNOWN_DIFFERENCES (and in docs/testing.md, "What the sandbox does differently from Magento").
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import pytest
import requests

from bridge.errors import MagentoRejected
from bridge.gladly.requests import load_lookup_request
from bridge.lookup.service import LookupSettings
from bridge.lookup.service import run_lookup
from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient
from bridge.magento.search import encode_query
from magento_bridges import bridge_credentials
from magento_bridges import ensure_pinned
from magento_bridges import goodwill_rule
from tests.processes import start_sandbox
from tests.processes import stop

# (route template, key path) -> why the sandbox differs. Empty means it does not, and should stay so.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {}

# The same kinds of lookup on each store: (real Magento query, sandbox query), filled from each store's data.
SCENARIOS = ("detailed customer", "detailed refunded customer", "detailed configurable line", "detailed guest",
             "auto-link email", "auto-link phone", "search name", "search order number")


def scenario_bodies(seed) -> dict[str, tuple[dict, dict]]:
    bob = seed.customers["bob"]

    def basic(query, unique=True):
        return {"lookupLevel": "BASIC", "uniqueMatchRequired": unique, "query": query}

    def full(customer_id):
        return {"lookupLevel": "DETAILED", "uniqueMatchRequired": True, "query": {"externalCustomerId": customer_id}}

    return {
        "detailed customer": (full(str(bob["id"])), full("1")),
        # Credit memos are read only for orders with a refund: Bob has one, the sandbox's Sam too.
        "detailed refunded customer": (full(str(bob["id"])), full("3")),
        "detailed configurable line": (full(str(seed.customers["alice"]["id"])), full("1")),
        "detailed guest": (full(f"guest:{seed.guest['email']}"), full("guest:guest@example.org")),
        "auto-link email": (basic({"emails": [bob["email"]]}), basic({"emails": ["sam@example.com"]})),
        "auto-link phone": (basic({"phones": ["+15125550102"]}), basic({"phones": ["+14155550134"]})),
        "search name": (basic({"name": "Carol Quietly"}, False), basic({"name": "Pat Quinn"}, False)),
        "search order number": (basic({"orderNumber": seed.orders["bob_shipped"]["increment_id"]}, False),
                                basic({"orderNumber": "000000003"}, False)),
    }


def shape(value):
    """The type skeleton of a JSON value; list elements merged, numbers one type, nulls left out.

    ``trace`` is left out too: Magento adds it to error bodies in developer mode only (the suite's mode).
    """
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items() if item is not None and key != "trace"}
    if isinstance(value, list):
        merged = None
        for item in value:
            merged = merge(merged, shape(item))
        return ["list", merged]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def merge(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {key: merge(a.get(key), b.get(key)) for key in a.keys() | b.keys()}
    if isinstance(a, list) and isinstance(b, list):
        return ["list", merge(a[1], b[1])]
    return a if a == b else f"{a}|{b}"


def differences(real, fake, path: str = "") -> list[tuple[str, str]]:
    """(key path, what differs) between two shapes; an empty list on either side says nothing."""
    if real is None or fake is None:
        return []
    if isinstance(real, dict) and isinstance(fake, dict):
        found = []
        for key in sorted(real.keys() | fake.keys()):
            if key not in fake:
                found.append((f"{path}.{key}", "missing in the sandbox"))
            elif key not in real:
                found.append((f"{path}.{key}", "only in the sandbox"))
            else:
                found += differences(real[key], fake[key], f"{path}.{key}")
        return found
    if isinstance(real, list) and isinstance(fake, list):
        return differences(real[1], fake[1], f"{path}[]")
    if real != fake and "|" not in str(real):
        return [(path, f"{real} in Magento, {fake} in the sandbox")]
    return []


def route_key(request) -> str:
    """``GET /V1/orders/{id} fields=...``: the method, the path with ids folded, and the projection."""
    parts = urlsplit(request.url)
    path = re.sub(r"/rest/[^/]+", "", parts.path)
    path = re.sub(r"/\d+(?=/|$)", "/{id}", path)
    fields = dict(parse_qsl(parts.query)).get("fields", "")
    return f"{request.method} {path}" + (f" fields={fields}" if fields else "")


class Recorder:
    """Every answer a client got, by route key: status code and JSON shape."""

    def __init__(self, client: MagentoClient) -> None:
        self.by_route: dict[str, list[tuple[int, object]]] = {}
        client.on_response = self.record

    def record(self, response, *args, **kwargs):
        try:
            body = response.json()
        except ValueError:
            body = response.text
        self.by_route.setdefault(route_key(response.request), []).append((response.status_code, shape(body)))


def signed_get(client: MagentoClient, path: str, query: str = "") -> requests.Response:
    """A GET signed with the client's keys, its answer as it came (no error interpretation)."""
    url = client.api_url + path
    headers = {"Accept": "application/json", "Authorization": client.signer.authorization("GET", url, query)}
    return requests.get(url + (f"?{query}" if query else ""), headers=headers, timeout=60)


def merged_by_route(recorder: Recorder) -> dict[str, tuple[set[int], object]]:
    result = {}
    for route, answers in recorder.by_route.items():
        merged = None
        for _, skeleton in answers:
            merged = merge(merged, skeleton)
        result[route] = ({status for status, _ in answers}, merged)
    return result


def run_scenarios(client: MagentoClient, base_url: str, bodies: list[dict]) -> Recorder:
    """Each lookup by both call plans, so that the stock routes and the module's GET /V1/gladly/profile are
    both recorded."""
    recorder = Recorder(client)
    for plan in ("stock", "module"):
        settings = LookupSettings(magento_url=base_url, admin_url=base_url + "admin/", deadline=60, read_plan=plan)
        for body in bodies:
            assert run_lookup(load_lookup_request(body), client, settings), f"no result for {body} at {base_url}"
    return recorder


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    store = start_sandbox(tmp_path_factory.mktemp("contract-sandbox"))
    yield store
    stop(store.process)


@pytest.fixture(scope="module")
def recorded(_pinned, activations, magento, seed, sandbox):
    ensure_pinned(_pinned, activations, seed)  # its token is the integration's live one
    bodies = scenario_bodies(seed)
    real_client = MagentoClient(magento.base_url, bridge_credentials(_pinned), read_timeout=60, retries=0)
    creds = sandbox.credentials
    fake_client = MagentoClient(sandbox.url, Credentials(creds["consumer_key"], creds["consumer_secret"],
                                                         creds["access_token"], creds["access_token_secret"]),
                                read_timeout=60, retries=0)
    try:
        real = run_scenarios(real_client, magento.base_url, [bodies[name][0] for name in SCENARIOS])
        fake = run_scenarios(fake_client, sandbox.url, [bodies[name][1] for name in SCENARIOS])
        yield merged_by_route(real), merged_by_route(fake), real_client, fake_client
    finally:
        real_client.close()
        fake_client.close()


def test_the_sandbox_is_asked_the_same_routes_and_projections(recorded):
    real, fake, *_ = recorded
    assert sorted(real) == sorted(fake)


def test_the_sandbox_answers_in_magentos_shape(recorded):
    real, fake, *_ = recorded
    found = []
    for route in sorted(real.keys() & fake.keys()):
        (real_status, real_shape), (fake_status, fake_shape) = real[route], fake[route]
        if real_status != fake_status:
            found.append((route, "", f"status {sorted(real_status)} in Magento, {sorted(fake_status)} in the sandbox"))
        found += [(route, key, what) for key, what in differences(real_shape, fake_shape)
                  if (route.split(" fields=")[0], key) not in KNOWN_DIFFERENCES]
    assert found == [], "\n".join(f"{route} {key}: {what}" for route, key, what in found)


@pytest.mark.parametrize("path, params", [
    ("/V1/orders/987654", None),  # not found
    ("/V1/customers/987654", None),
    ("/V1/orders", [("searchCriteria[pageSize]", "x")]),  # invalid input
    ("/V1/no/such/route", None),
])
def test_error_bodies_have_magentos_shape(recorded, path, params):
    *_, real_client, fake_client = recorded
    query = encode_query(params or [])
    answers = []
    for client in (real_client, fake_client):
        response = signed_get(client, path, query)
        answers.append((response.status_code, shape(response.json())))
    assert answers[0] == answers[1]


def test_a_bad_signature_is_refused_alike(recorded, _pinned, magento, sandbox):
    real = bridge_credentials(_pinned)
    fake = sandbox.credentials
    answers = []
    for base, consumer_key, token in ((magento.base_url, real.consumer_key, real.access_token),
                                      (sandbox.url, fake["consumer_key"], fake["access_token"])):
        bad = MagentoClient(base, Credentials(consumer_key, "not-the-secret", token, "not-the-token-secret"),
                            retries=0, read_timeout=60)
        try:
            response = signed_get(bad, "/V1/store/websites")
            answers.append((response.status_code, shape(response.json())))
        finally:
            bad.close()
    assert answers[0] == answers[1]


def _goodwill_answers(client: MagentoClient, registered_order: int, guest_order: int, rule_id: int) -> dict:
    """The module's coupon route asked for a registered customer's order, then for a guest's: shapes by route."""
    recorder = Recorder(client)
    path = "/V1/gladly/orders/{}/goodwill-coupon"
    client.post(path.format(registered_order), {"ruleId": rule_id, "note": "from the contract test."})
    with pytest.raises(MagentoRejected):
        client.post(path.format(guest_order), {"ruleId": rule_id})
    return dict(recorder.by_route)


def test_the_goodwill_coupon_route_answers_alike(recorded, magento, seed):
    """A code for Alice's order (the sandbox: Jane's), a refusal for a guest's order: same statuses and shapes."""
    *_, real_client, fake_client = recorded
    with goodwill_rule(magento, "Contract goodwill") as rule:
        real = _goodwill_answers(real_client, seed.orders["alice_discounted"]["entity_id"],
                                 seed.orders["guest_pending"]["entity_id"], rule)
    fake = _goodwill_answers(fake_client, 1, 7, 2)
    assert real == fake
