"""OAuth 1.0a signing and token exchange, checked against oauthlib's HMAC-SHA256 (magento-rest.md §1.4, §2)."""
import hashlib
import hmac
import json
import re
from base64 import b64encode
from urllib.parse import quote
from urllib.parse import urlsplit

import pytest
import requests
import responses
from hypothesis import given
from hypothesis import strategies as st
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth1 import Client as OAuthlibClient
from oauthlib.oauth1.rfc5849 import signature
from oauthlib.oauth1.rfc5849 import utils

from bridge.errors import ConfigError
from bridge.errors import MagentoOAuthError
from bridge.errors import MagentoTimeout
from bridge.errors import MagentoUnavailable
from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient
from bridge.magento.oauth import Signer
from bridge.magento.oauth import access_token
from bridge.magento.oauth import base_string_uri
from bridge.magento.oauth import encode
from bridge.magento.oauth import encode_encoded
from bridge.magento.oauth import request_token
from bridge.magento.search import SearchCriteria

STORE = "https://shop.test/"
CREDENTIALS = Credentials(consumer_key="0123456789abcdefghijklmnopqrstuv",
                          consumer_secret="consumersecret000000000000000000",
                          access_token="accesstoken000000000000000000000",
                          access_token_secret="accesstokensecret000000000000000")
NONCE = "abcdefghijklmnopqrstuvwxyz012345"
TIMESTAMP = "1700000000"
SEARCH = SearchCriteria().where("email", "jdoe@example.com").where("name", "%Jane Doe%", "like").limit(10)
SEARCH_URL = (
    "https://shop.test/rest/default/V1/customers/search?"
    "searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=email"
    "&searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=jdoe%40example.com"
    "&searchCriteria%5Bfilter_groups%5D%5B1%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=name"
    "&searchCriteria%5Bfilter_groups%5D%5B1%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=%25Jane%20Doe%25"
    "&searchCriteria%5Bfilter_groups%5D%5B1%5D%5Bfilters%5D%5B0%5D%5Bcondition_type%5D=like"
    "&searchCriteria%5BpageSize%5D=10&searchCriteria%5BcurrentPage%5D=1"
)
# Worked by hand: parameters percent-encoded, sorted by name, joined, then the whole encoded again.
BASE_STRING = (
    "GET&https%3A%2F%2Fshop.test%2Frest%2Fdefault%2FV1%2Fcustomers%2Fsearch&"
    "oauth_consumer_key%3D0123456789abcdefghijklmnopqrstuv%26oauth_nonce%3Dabcdefghijklmnopqrstuvwxyz012345"
    "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1700000000"
    "%26oauth_token%3Daccesstoken000000000000000000000%26oauth_version%3D1.0"
    "%26searchCriteria%255BcurrentPage%255D%3D1"
    "%26searchCriteria%255Bfilter_groups%255D%255B0%255D%255Bfilters%255D%255B0%255D%255Bfield%255D%3Demail"
    "%26searchCriteria%255Bfilter_groups%255D%255B0%255D%255Bfilters%255D%255B0%255D%255Bvalue%255D"
    "%3Djdoe%2540example.com"
    "%26searchCriteria%255Bfilter_groups%255D%255B1%255D%255Bfilters%255D%255B0%255D%255Bcondition_type%255D"
    "%3Dlike"
    "%26searchCriteria%255Bfilter_groups%255D%255B1%255D%255Bfilters%255D%255B0%255D%255Bfield%255D%3Dname"
    "%26searchCriteria%255Bfilter_groups%255D%255B1%255D%255Bfilters%255D%255B0%255D%255Bvalue%255D"
    "%3D%2525Jane%2520Doe%2525"
    "%26searchCriteria%255BpageSize%255D%3D10"
)
SIGNATURE = "aIbs5qJY7eFCM44+2D41XJxK5i4yNzz4vz+SmnEjTDA="


def sent_oauth_params(headers) -> dict:
    """The oauth_* parameters of an Authorization header, decoded."""
    return {key: utils.unescape(value) for key, value in utils.parse_authorization_header(headers["Authorization"])}


def oauthlib_signature(request, consumer_secret, token_secret, *, with_query=True) -> str:
    """oauthlib's HMAC-SHA256 of the request as sent: the exact URL and the header parameters.

    Bodies are left out: Magento signs neither JSON bodies nor body oauth_* fields when the header has
    some (FWOAUTH/Helper/Request.php::_processRequest).
    """
    query = urlsplit(request.url).query if with_query else ""
    params = signature.collect_parameters(uri_query=query, headers={"Authorization": request.headers["Authorization"]})
    base_string = signature.signature_base_string(request.method, signature.base_string_uri(request.url),
                                                  signature.normalize_parameters(params))
    keys = OAuthlibClient("", client_secret=consumer_secret, resource_owner_secret=token_secret)
    return signature.sign_hmac_sha256_with_client(base_string, keys)


@pytest.fixture
def client():
    client = MagentoClient(STORE, CREDENTIALS, retries=0, pool_size=2)
    yield client
    client.close()


@pytest.fixture
def fixed_nonce(monkeypatch):
    monkeypatch.setattr("bridge.magento.oauth.generate_nonce", lambda: NONCE)
    monkeypatch.setattr("bridge.magento.oauth.generate_timestamp", lambda: TIMESTAMP)


def test_known_vector(magento, client, fixed_nonce):
    """A searchCriteria URL with spaces, '@', brackets and '%' wildcards, against a hand-made base string."""
    magento.get("https://shop.test/rest/default/V1/customers/search", json={"items": []})

    client.get("/V1/customers/search", SEARCH)

    request = magento.calls[0].request
    assert request.url == SEARCH_URL
    expected = b64encode(hmac.new(b"consumersecret000000000000000000&accesstokensecret000000000000000",
                                  BASE_STRING.encode(), hashlib.sha256).digest()).decode()
    assert expected == SIGNATURE
    assert sent_oauth_params(request.headers) == {
        "oauth_consumer_key": CREDENTIALS.consumer_key, "oauth_token": CREDENTIALS.access_token,
        "oauth_signature_method": "HMAC-SHA256", "oauth_nonce": NONCE, "oauth_timestamp": TIMESTAMP,
        "oauth_version": "1.0", "oauth_signature": SIGNATURE}
    reference = OAuthlibClient(CREDENTIALS.consumer_key, client_secret=CREDENTIALS.consumer_secret,
                               resource_owner_key=CREDENTIALS.access_token,
                               resource_owner_secret=CREDENTIALS.access_token_secret,
                               signature_method=SIGNATURE_HMAC_SHA256, nonce=NONCE, timestamp=TIMESTAMP)
    _, headers, _ = reference.sign(SEARCH_URL)
    assert sent_oauth_params(headers)["oauth_signature"] == SIGNATURE


@pytest.mark.parametrize("params", [
    None,
    SEARCH.order_by("created_at", "DESC").fields("items[entity_id,increment_id],total_count"),
    [("searchCriteria[filter_groups][0][filters][0][value]", "Müller + Söhne & Co=1 ~/?"),
     ("searchCriteria[pageSize]", 5)],
], ids=["no-query", "criteria", "reserved-and-unicode"])
def test_get_signature_matches_oauthlib(magento, client, params):
    magento.get("https://shop.test/rest/default/V1/orders", json={"items": []})

    client.get("/V1/orders", params)

    request = magento.calls[0].request
    sent = sent_oauth_params(request.headers)
    assert sent["oauth_signature"] == oauthlib_signature(request, CREDENTIALS.consumer_secret,
                                                         CREDENTIALS.access_token_secret)
    query = urlsplit(request.url).query
    assert "+" not in query and "+" not in request.url
    if query:
        # Every query parameter is part of what was signed.
        assert sent["oauth_signature"] != oauthlib_signature(request, CREDENTIALS.consumer_secret,
                                                             CREDENTIALS.access_token_secret, with_query=False)


def test_spaces_are_sent_as_percent_20(magento, client):
    magento.get("https://shop.test/rest/default/V1/customers/search", json={"items": []})

    client.get("/V1/customers/search", SearchCriteria().where("name", "%Jane Doe%", "like"))

    assert "%25Jane%20Doe%25" in magento.calls[0].request.url


def test_json_body_is_not_signed(magento, client):
    payload = {"statusHistory": {"comment": "Customer asked to cancel", "parent_id": 3}}
    magento.post("https://shop.test/rest/default/V1/orders/3/comments", json=True,
                 match=[responses.matchers.json_params_matcher(payload)])

    assert client.post("/V1/orders/3/comments", payload) is True

    request = magento.calls[0].request
    sent = sent_oauth_params(request.headers)
    assert "oauth_body_hash" not in sent
    assert json.loads(request.body) == payload
    assert sent["oauth_signature"] == oauthlib_signature(request, CREDENTIALS.consumer_secret,
                                                         CREDENTIALS.access_token_secret)


def test_nonces_are_short_lowercase_and_unique():
    signer = Signer(CREDENTIALS.consumer_key, CREDENTIALS.consumer_secret, CREDENTIALS.access_token,
                    CREDENTIALS.access_token_secret)
    nonces = set()
    for _ in range(200):
        header = signer.authorization("GET", "https://shop.test/rest/default/V1/orders")
        nonces.add(sent_oauth_params({"Authorization": header})["oauth_nonce"])

    assert len(nonces) == 200
    assert all(re.fullmatch(r"[0-9a-z]{1,32}", nonce) for nonce in nonces)


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_encode_is_rfc5849_percent_encoding(value):
    """Only ALPHA, DIGIT and -._~ stay as they are; everything else is %XX of its UTF-8 bytes (RFC 5849 §3.6)."""
    assert encode(value) == quote(value, safe="-._~")
    assert encode(value + chr(0)).endswith("%00")


@given(st.lists(st.tuples(st.text(), st.text()), max_size=5))
def test_encode_encoded_matches_encode_on_encoded_pairs(pairs):
    """The base string's shortcut gives what encode gives for a query of encoded pairs."""
    query = "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)
    assert encode_encoded(query) == encode(query)


@pytest.mark.parametrize("url", [
    "https://Shop.TEST:443/rest/default/V1/orders", "HTTP://shop.test:80/rest/default/V1/orders",
    "https://shop.test:8443/rest/default/V1/orders", "http://[::1]:8080/rest/default/V1/orders",
    "https://shop.test", "https://shop.test/rest/default/V1/orders?ignored=1#fragment",
])
def test_base_string_uri_matches_oauthlib(url):
    """RFC 5849 §3.4.1.2: scheme and host lower-case, default ports dropped, query and fragment left out."""
    assert base_string_uri(url) == signature.base_string_uri(url)


def test_signer_with_a_nonstandard_port_matches_oauthlib(fixed_nonce):
    url = "https://shop.test:8443/rest/default/V1/orders"
    header = Signer("ck", "cs", "tk", "ts").authorization("GET", url, "searchCriteria%5BpageSize%5D=5")
    reference = OAuthlibClient("ck", client_secret="cs", resource_owner_key="tk", resource_owner_secret="ts",
                               signature_method=SIGNATURE_HMAC_SHA256, nonce=NONCE, timestamp=TIMESTAMP)
    _, headers, _ = reference.sign(url + "?searchCriteria%5BpageSize%5D=5")
    assert sent_oauth_params({"Authorization": header}) == sent_oauth_params(headers)


def test_request_token(magento):
    magento.post("https://shop.test/oauth/token/request", body="oauth_token=rt1&oauth_token_secret=rs1",
                 content_type="text/plain")

    assert request_token(requests.Session(), STORE, CREDENTIALS.consumer_key, CREDENTIALS.consumer_secret,
                         timeout=(1, 5)) == ("rt1", "rs1")

    call = magento.calls[0]
    sent = sent_oauth_params(call.request.headers)
    assert "oauth_token" not in sent and "oauth_verifier" not in sent
    assert sent["oauth_signature"] == oauthlib_signature(call.request, CREDENTIALS.consumer_secret, "")
    assert call.request.req_kwargs["timeout"] == (1, 5)


def test_access_token(magento):
    magento.post("https://shop.test/oauth/token/access", body="oauth_token=at1&oauth_token_secret=as1",
                 content_type="text/plain",
                 match=[responses.matchers.urlencoded_params_matcher({"oauth_verifier": "v" * 32})])

    assert access_token(requests.Session(), "https://shop.test", CREDENTIALS.consumer_key,
                        CREDENTIALS.consumer_secret, "rt1", "rs1", "v" * 32, timeout=5) == ("at1", "as1")

    request = magento.calls[0].request
    sent = sent_oauth_params(request.headers)
    assert sent["oauth_token"] == "rt1" and sent["oauth_verifier"] == "v" * 32
    assert sent["oauth_signature"] == oauthlib_signature(request, CREDENTIALS.consumer_secret, "rs1")


@pytest.mark.parametrize("status, problem", [
    (401, "The signature is invalid. Verify and try again."),
    (400, "Consumer key has expired"),
    (500, "An error occurred validating the nonce"),
])
def test_oauth_problem_is_raised(magento, status, problem):
    magento.post("https://shop.test/oauth/token/request", status=status, content_type="text/plain",
                 body="oauth_problem=" + problem.replace(" ", "+"))

    with pytest.raises(MagentoOAuthError) as caught:
        request_token(requests.Session(), STORE, CREDENTIALS.consumer_key, CREDENTIALS.consumer_secret, timeout=5)

    assert problem in caught.value.detail
    assert caught.value.magento_status == status
    assert caught.value.path == "/oauth/token/request"
    assert len(magento.calls) == 1


def test_token_call_timeout_is_not_retried(magento):
    magento.post("https://shop.test/oauth/token/access", body=requests.ReadTimeout())

    with pytest.raises(MagentoTimeout) as caught:
        access_token(requests.Session(), STORE, CREDENTIALS.consumer_key, CREDENTIALS.consumer_secret,
                     "rt1", "rs1", "v" * 32, timeout=5)

    assert caught.value.outcome_unknown
    assert len(magento.calls) == 1


def test_token_reply_without_tokens_is_an_error(magento):
    magento.post("https://shop.test/oauth/token/request", status=502, body="<html>Bad gateway</html>")

    with pytest.raises(MagentoUnavailable) as caught:
        request_token(requests.Session(), STORE, CREDENTIALS.consumer_key, CREDENTIALS.consumer_secret, timeout=5)

    assert caught.value.magento_status == 502
    assert not isinstance(caught.value, MagentoOAuthError)


def test_plain_http_store_is_refused():
    with pytest.raises(ConfigError, match="https"):
        MagentoClient("http://shop.test/", CREDENTIALS)
    with pytest.raises(ConfigError, match="https"):
        request_token(requests.Session(), "http://shop.test/", "k", "s", timeout=5)
