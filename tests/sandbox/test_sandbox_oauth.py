"""OAuth 1.0a verification as Magento does it (magento-rest.md §2), checked with oauthlib as signer."""

import time
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1
from sandbox_helpers import HOST
from sandbox_helpers import oauth_client
from sandbox_helpers import query

from sandbox import oauth

ORDER = "/rest/V1/orders/1"
NOT_AUTHORIZED = {"message": "The consumer isn't authorized to access %resources.",
                  "parameters": {"resources": "Magento_Sales::actions_view"}}
BAD_SIGNATURE = {"message": "The signature is invalid. Verify and try again."}


def signed_headers(credentials, method="GET", path=ORDER, **overrides):
    uri, headers, _ = oauth_client(credentials, **overrides).sign(HOST + path, method)
    return uri[len(HOST):], headers


def edit_header(headers, name, value):
    """Replace or drop (value None) one oauth_* field of a signed Authorization header."""
    fields = [f for f in headers["Authorization"][6:].split(", ") if not f.startswith(name + "=")]
    if value is not None:
        fields.append(f'{name}="{value}"')
    return {"Authorization": "OAuth " + ", ".join(fields)}


def test_oauthlib_signed_request_is_accepted(signed):
    reply = signed("GET", ORDER, {"fields": "entity_id,increment_id"})
    assert reply.status_code == 200
    assert reply.get_json() == {"entity_id": 1, "increment_id": "000000001"}


def test_store_code_path_is_signed_too(signed):
    assert signed("GET", "/rest/uk/V1/orders/9").get_json()["order_currency_code"] == "GBP"


def test_sandbox_signature_equals_oauthlib(sandbox_store):
    path = ORDER + "?" + query({"searchCriteria[pageSize]": 5, "fields": "a,b[c]"})
    uri, headers = signed_headers(sandbox_store.credentials, path=path)
    params = oauth.collect_params(oauth.parse_authorization(headers["Authorization"]),
                                  uri.split("?", 1)[1])
    creds = sandbox_store.credentials
    assert oauth.sign("GET", HOST + ORDER, params, creds["consumer_secret"],
                      creds["access_token_secret"]) == params["oauth_signature"]


@pytest.mark.parametrize("tamper, expected", [
    ("query", BAD_SIGNATURE),
    ("secret", BAD_SIGNATURE),
    ("sha1", {"message": "Signature method %1 is not supported", "parameters": ["HMAC-SHA1"]}),
])
def test_rejections(sandbox_client, sandbox_store, tamper, expected):
    creds = sandbox_store.credentials
    overrides = {"secret": {"client_secret": "x" * 32},
                 "sha1": {"signature_method": SIGNATURE_HMAC_SHA1}}.get(tamper, {})
    uri, headers = signed_headers(creds, path=ORDER + "?fields=entity_id", **overrides)
    if tamper == "query":
        uri = uri.replace("entity_id", "increment_id")
    reply = sandbox_client.get(uri, headers=headers)
    assert reply.status_code == (400 if tamper == "sha1" else 401)
    assert reply.get_json() == expected


def test_reused_nonce_is_rejected(sandbox_client, sandbox_store):
    uri, headers = signed_headers(sandbox_store.credentials)
    assert sandbox_client.get(uri, headers=headers).status_code == 200
    reply = sandbox_client.get(uri, headers=headers)
    assert reply.status_code == 401
    assert reply.get_json() == {
        "message": "The nonce is already being used by the consumer with ID %1", "parameters": [1]}


@pytest.mark.parametrize("field, value, status, body", [
    ("oauth_nonce", None, 400,
     {"message": '"%fieldName" is required. Enter and try again.',
      "parameters": {"fieldName": "oauth_nonce"}}),
    ("oauth_timestamp", str(int(time.time()) + 3600), 400,
     {"message": "Incorrect timestamp value in the oauth_timestamp parameter"}),
    ("oauth_timestamp", "0", 400,
     {"message": "Incorrect timestamp value in the oauth_timestamp parameter"}),
    ("oauth_nonce", "n" * 33, 401, {"message": "An error occurred validating the nonce"}),
    ("oauth_token", "short", 400,
     {"message": "The token length is invalid. Check the length and try again."}),
    ("oauth_token", "t" * 32, 401, {"message": "Specified token does not exist"}),
    ("oauth_consumer_key", "c" * 32, 401,
     {"message": "A consumer having the specified key does not exist"}),
    ("oauth_version", "2.0", 400,
     {"message": 'The "%1" Oauth version isn\'t supported. Verify and try again.',
      "parameters": ["2.0"]}),
])
def test_protocol_checks(sandbox_client, sandbox_store, field, value, status, body):
    uri, headers = signed_headers(sandbox_store.credentials)
    reply = sandbox_client.get(uri, headers=edit_header(headers, field, value))
    assert (reply.status_code, reply.get_json()) == (status, body)


def test_version_is_checked_before_missing_parameters(sandbox_client, sandbox_store):
    uri, headers = signed_headers(sandbox_store.credentials)
    headers = edit_header(edit_header(headers, "oauth_nonce", None), "oauth_version", "1.1")
    assert sandbox_client.get(uri, headers=headers).get_json()["parameters"] == ["1.1"]


def test_bad_signature_still_uses_up_the_nonce(sandbox_client, sandbox_store):
    uri, headers = signed_headers(sandbox_store.credentials)
    forged = edit_header(headers, "oauth_signature", "AAAA")
    assert sandbox_client.get(uri, headers=forged).status_code == 401
    assert "nonce" in sandbox_client.get(uri, headers=headers).get_json()["message"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer abc"}])
def test_unsigned_calls_are_anonymous(sandbox_client, headers):
    reply = sandbox_client.get(ORDER, headers=headers)
    assert (reply.status_code, reply.get_json()) == (401, NOT_AUTHORIZED)


def test_plus_in_query_is_a_literal_plus(signed, sandbox_store):
    """`+` is signed as a plus by Magento but as a space by oauthlib: only %20 is safe (§2.3)."""
    path = "/rest/V1/customers/search"
    name_like = "searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D"
    base = (f"{name_like}%5Bfield%5D=name&{name_like}%5Bcondition_type%5D=like"
            f"&{name_like}%5Bvalue%5D=")
    assert signed("GET", path, raw_query=base + "Sam+Smith").status_code == 401
    reply = signed("GET", path, raw_query=base + "Sam%20Smith")
    assert reply.status_code == 200 and reply.get_json()["total_count"] == 1


def test_plus_signed_as_plus_is_accepted(sandbox_client, sandbox_store):
    """A client that signs '+' literally (as rawurldecode reads it) matches Magento."""
    creds = sandbox_store.credentials
    raw = "fields=entity_id+increment_id"
    params = {"oauth_consumer_key": creds["consumer_key"], "oauth_token": creds["access_token"],
              "oauth_signature_method": "HMAC-SHA256", "oauth_nonce": "p" * 32,
              "oauth_timestamp": str(int(time.time())), "oauth_version": "1.0"}
    signature = oauth.sign("GET", HOST + ORDER, {**params, **oauth.query_params(raw)},
                           creds["consumer_secret"], creds["access_token_secret"])
    header = ", ".join(f'{k}="{oauth.rawurlencode(v)}"'
                       for k, v in {**params, "oauth_signature": signature}.items())
    reply = sandbox_client.get(f"{ORDER}?{raw}", headers={"Authorization": "OAuth " + header})
    assert reply.status_code == 200


def test_raw_query_parsing_rules():
    assert oauth.query_params("a=1&b=x%2By+z&c&d=1=2&oauth_x=1&e=") == {
        "a": "1", "b": "x+y+z", "e": ""}


def test_url_normalisation_keeps_port_and_raw_path():
    assert oauth.normalize_url("HTTP", "Shop.Test:80", "/rest/V1/products/a%2Fb?x=1") == \
        "http://shop.test/rest/V1/products/a%2Fb"
    assert oauth.normalize_url("http", "127.0.0.1:8081", "/rest/V1/x") == "http://127.0.0.1:8081/rest/V1/x"


def test_real_server_on_a_port(live_sandbox):
    import requests

    creds = live_sandbox.store.credentials
    uri, headers, _ = oauth_client(creds).sign(live_sandbox.url + "rest/V1/orders/3", "GET")
    reply = requests.get(uri, headers=headers, timeout=5)
    assert reply.status_code == 200 and reply.json()["state"] == "complete"


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_rawurlencode_keeps_only_unreserved_characters(value):
    """PHP's rawurlencode: ALPHA, DIGIT and -_.~ stay; everything else is %XX of its UTF-8 bytes."""
    assert oauth.rawurlencode(value) == quote(value, safe="-_.~")
