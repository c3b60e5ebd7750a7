"""Bad input is a 400 that says what was wrong, decided before any Magento call."""
from __future__ import annotations

import json

import pytest

from bridge.gladly.requests import MAX_DEPTH
from bridge.gladly.requests import MAX_VALUES
from tests.conftest import form_token

TOKEN = form_token("comment")


@pytest.fixture
def post(client, gladly_headers, magento):
    """Sign and POST raw bytes; ``magento`` has no reply registered, so any Magento call would fail the test."""

    def send(path: str, raw: bytes, query: str = ""):
        url = path + (f"?{query}" if query else "")
        return client.post(url, data=raw, headers=gladly_headers("POST", path, raw, query=query))

    return send


def lookup_body(query: dict, level: str = "BASIC") -> bytes:
    return json.dumps({"lookupLevel": level, "query": query}).encode()


def detail(response) -> str:
    [error] = response.get_json()["errors"]
    return error["detail"]


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("raw", [
    nested(100_000),  # far beyond json's recursion limit, well under 1 MiB
    b'{"lookupLevel":"BASIC","query":{"x":' + nested(MAX_DEPTH) + b"}}",
])
def test_deep_nesting_is_400_on_lookups_and_action_submits(post, raw):
    reply = post("/gladly/lookup", raw)
    assert reply.status_code == 400 and detail(reply) == "The JSON body is nested more than 16 levels deep."
    action = post("/gladly/actions/comment", raw, query=f"orderId=7&token={TOKEN}")
    assert action.status_code == 400 and "nested more than 16 levels" in detail(action)


def test_nesting_within_the_limit_is_accepted(post):
    raw = b'{"lookupLevel":"DETAILED","query":{"x":' + nested(MAX_DEPTH - 2) + b"}}"
    reply = post("/gladly/lookup", raw)  # no externalCustomerId: no match, and no Magento call
    assert reply.status_code == 200 and reply.get_json() == {"results": []}


def test_a_lone_surrogate_is_400(post):
    raw = b'{"lookupLevel":"BASIC","query":{"emails":["jane\\ud800@example.com"]}}'
    reply = post("/gladly/lookup", raw)
    assert reply.status_code == 400 and "lone surrogate" in detail(reply)
    action = post("/gladly/actions/comment", b'{"comment":"\\udfff"}', query=f"orderId=7&token={TOKEN}")
    assert action.status_code == 400 and "lone surrogate" in detail(action)


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"", b'{"a":NaX}'])
def test_a_body_that_is_not_json_is_400(post, raw):
    reply = post("/gladly/lookup", raw)
    assert reply.status_code == 400 and detail(reply) == "The body is not valid JSON."


@pytest.mark.parametrize(("query", "message"), [
    ({"emails": ["a" * 250 + "@x.io"]}, "query.emails: each value has at most 254 characters, one has 255."),
    ({"email": "j" * 900_000}, "query.emails: each value has at most 254 characters, one has 900000."),
    ({"emails": [f"shopper{n}@example.com" for n in range(5000)]}, "query.emails: at most 20 values, got 5000."),
    ({"phones": ["+1" + "5" * 70]}, "query.phones: each value has at most 64 characters, one has 72."),
    ({"name": "N" * 900_000}, "query.names: each value has at most 128 characters, one has 900000."),
    ({"orderNumber": "1" * 256}, "query.orderNumbers: each value has at most 255 characters, one has 256."),
    ({"externalCustomerId": "guest:" + "g" * 300}, "query.externalCustomerId: at most 300 characters."),
])
def test_values_beyond_the_limits_are_400_naming_the_field(post, query, message):
    reply = post("/gladly/lookup", lookup_body(query))
    assert reply.status_code == 400
    assert detail(reply) == message


def test_values_at_the_limits_reach_magento(post, magento):
    emails = [f"{n:02d}" + "a" * 240 + "@example.com" for n in range(MAX_VALUES)]
    assert {len(email) for email in emails} == {254}
    magento.get("https://shop.test/rest/default/V1/customers/search", json={"items": [], "total_count": 0})
    magento.get("https://shop.test/rest/default/V1/orders", json={"items": [], "total_count": 0})
    reply = post("/gladly/lookup", lookup_body({"emails": emails, "id": "gladly-1"}))
    assert reply.status_code == 200 and reply.get_json() == {"results": []}


def test_custom_attributes_are_not_limited(post):
    # §2.4 rule 8: unknown keys never fail a lookup; they are not sent to Magento either.
    query = {"externalCustomerId": "", "favoriteFood": "p" * 10_000, **{f"attr{n}": "x" for n in range(100)}}
    reply = post("/gladly/lookup", lookup_body(query, "DETAILED"))
    assert reply.status_code == 200
