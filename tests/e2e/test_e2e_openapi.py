"""GET /openapi.json: valid OpenAPI 3, and real requests and answers of a running bridge match it."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from openapi_core.contrib.requests import RequestsOpenAPIResponse
from openapi_spec_validator import validate

from bench.procs import manual_connection_env
from tests.processes import LOCAL_CLIENT
from tests.processes import start_bridge
from tests.processes import start_sandbox
from tests.processes import stop

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """A bridge of its own (actions write to the sandbox), connected by hand-copied credentials."""
    tmp = tmp_path_factory.mktemp("openapi")
    shop = start_sandbox(tmp)
    bridge = start_bridge(tmp, manual_connection_env(shop), workers=1)
    yield bridge
    stop(bridge.process)
    stop(shop.process)


@pytest.fixture(scope="module")
def document(running) -> dict:
    reply = requests.get(running.url + "/openapi.json", timeout=10)
    assert reply.status_code == 200
    return reply.json()


@pytest.fixture(scope="module")
def checked(document):
    """Send a request and check both it and its answer against the document; return the answer."""
    api = OpenAPI.from_dict(document)

    def exchange(response: requests.Response) -> requests.Response:
        api.validate_request(RequestsOpenAPIRequest(response.request))
        api.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
        return response

    return exchange


def test_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")
    scheme = document["components"]["securitySchemes"]["gladlySignature"]
    assert scheme == {"type": "apiKey", "in": "header", "name": "Gladly-Authorization",
                      "description": scheme["description"]}
    assert "hmac-sha256" in scheme["description"] and "Gladly-Time" in scheme["description"]
    # Without BRIDGE_GLADLY_BASIC_USER only the signature is required.
    assert document["paths"]["/gladly/lookup"]["post"]["security"] == [{"gladlySignature": []}]
    assert set(document["paths"]) >= {"/gladly/lookup", "/gladly/actions/{action}/form", "/gladly/actions/{action}",
                                      "/magento/oauth/callback", "/magento/oauth/identity", "/healthz",
                                      "/readyz", "/metrics"}


@pytest.mark.parametrize("body", [
    {"lookupLevel": "BASIC", "uniqueMatchRequired": False,
     "query": {"id": "gladly-1", "name": "Sam Smith", "emails": ["sam@example.com"], "phones": ["+14155550134"]}},
    {"lookupLevel": "BASIC", "uniqueMatchRequired": False, "query": {"emails": "jane@example.com"}},
    {"lookupLevel": "DETAILED", "uniqueMatchRequired": True, "query": {"externalCustomerId": "3", "id": "g-1"}},
    {"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
     "query": {"externalCustomerId": "guest:guest@example.org", "id": "g-2"}},
    {"lookupLevel": "BASIC", "query": {"emails": "nobody@example.net"}},
], ids=["auto-link", "search", "detailed", "detailed-guest", "no-match"])
def test_lookups_match_the_document(running, checked, body):
    reply = checked(running.lookup(body))
    assert reply.status_code == 200
    if body["lookupLevel"] == "DETAILED":
        [profile] = reply.json()["results"]
        assert profile["transactions"] and profile["transactions"][0]["products"]


def test_errors_match_the_document(running, checked):
    assert checked(running.lookup({"lookupLevel": "SOMETIMES"})).status_code == 400
    unsigned = requests.post(running.url + "/gladly/lookup", json={"lookupLevel": "BASIC"}, timeout=10,
                             headers={"Gladly-Time": "20260101T000000Z", "Gladly-Authorization": "nonsense"})
    assert checked(unsigned).status_code == 401


def test_an_action_form_and_submission_match_the_document(running, checked):
    [profile] = running.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                                "query": {"externalCustomerId": "3", "id": "g-1"}}).json()["results"]
    form_url = next(action["formUrl"] for order in profile["transactions"] for action in order["actions"]
                    if action["name"] == "Add order comment")
    url = urlsplit(form_url)
    form = checked(running.signed("GET", url.path, query=url.query))
    assert form.status_code == 200
    sections = form.json()["sections"]
    assert {section["type"] for section in sections} >= {"input"}
    action = urlsplit(form.json()["actionUrl"])
    values = {"comment": "Checked against the OpenAPI document", "notify": False}
    done = checked(running.signed("POST", action.path, values, query=action.query))
    assert done.status_code == 200 and set(done.json()) == {"message", "detail"}
    # A malformed token: refused, in the documented error shape.
    forged = action.query.split("token=")[0] + "token=short"
    refused = checked(running.signed("POST", action.path, values, query=forged))
    assert refused.status_code == 406 and refused.json()["errors"][0]["code"] == "action_rejected"


def test_activation_and_operations_endpoints_match_the_document(running, checked):
    bad = requests.post(running.url + "/magento/oauth/callback", timeout=10,
                        data={"oauth_consumer_key": "k" * 32, "oauth_consumer_secret": "s" * 32,
                              "store_base_url": "https://elsewhere.example/", "oauth_verifier": "v" * 32})
    assert checked(bad).status_code == 403  # not the store BRIDGE_MAGENTO_URL names
    assert checked(requests.get(running.url + "/magento/oauth/identity", timeout=10,
                                params={"oauth_consumer_key": "k" * 32})).status_code == 404
    health = checked(requests.get(running.url + "/healthz", timeout=10))
    assert json.loads(health.content) == {"status": "ok"}
    ready = checked(requests.get(running.url + "/readyz", headers=LOCAL_CLIENT, timeout=10))
    assert ready.status_code == 200 and ready.json()["status"] == "ok"
    metrics = checked(requests.get(running.url + "/metrics", headers=LOCAL_CLIENT, timeout=10))
    assert metrics.status_code == 200 and "bridge_" in metrics.text
