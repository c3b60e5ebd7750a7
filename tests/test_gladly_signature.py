"""Gladly request signing (gladly-lookup-adaptor.md §5): the published test vector and every way to fail."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from bridge.errors import InvalidSignature
from bridge.errors import StaleRequest
from bridge.gladly.signature import build_headers
from bridge.gladly.signature import canonical_query
from bridge.gladly.signature import canonical_request
from bridge.gladly.signature import sign
from bridge.gladly.signature import verify

DATA = Path(__file__).parent / "data"
KEY = "test-signing-key-0123456789abcdef"
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
PATH = "/gladly/lookup"
BODY = b'{"lookupLevel":"BASIC","query":{"emails":["jane@example.com"]}}'

# §5.2 and §5.5, verbatim.
VECTOR_KEY = "test-apikey-1"
VECTOR_PATH = "/api/v2/customer/lookup"
VECTOR_NOW = datetime(2019, 2, 13, 21, 40, 16, tzinfo=timezone.utc)
VECTOR_SIGNATURE = "4c633fca4914f51df04c9ec40f4545d66d653e771c6634e33eed52a242bc278c"
VECTOR_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "Gladly-Correlation-Id": "vXmSEPjVSWCaCMzvjufxZg",
    "X-B3-Traceid": "bd799210f8d549609a08ccef8ee7f166",
    "Gladly-Time": "20190213T214016Z",
    "Gladly-Authorization": "SigningAlgorithm=hmac-sha256, SignedHeaders=accept;content-type;gladly-correlation-id;"
                            f"gladly-time;x-b3-traceid, Signature={VECTOR_SIGNATURE}",
}
VECTOR_CANONICAL = """POST
/api/v2/customer/lookup

accept:application/json
content-type:application/json
gladly-correlation-id:vXmSEPjVSWCaCMzvjufxZg
gladly-time:20190213T214016Z
x-b3-traceid:bd799210f8d549609a08ccef8ee7f166

accept;content-type;gladly-correlation-id;gladly-time;x-b3-traceid
f187462a1d8e09bc86ea4b4ff8c022e5e4ed23ae783b3b1b5baee4b8d69e02ca"""


@pytest.fixture
def vector_body():
    body = (DATA / "gladly_detailed_flat.json").read_bytes()
    assert len(body) == 279
    return body


def verify_vector(key, body):
    verify(key, method="POST", path=VECTOR_PATH, query="", headers=VECTOR_HEADERS, body=body, now=VECTOR_NOW,
           tolerance=300)


def test_official_test_vector(vector_body):
    assert hashlib.sha256(vector_body).hexdigest() == (
        "f187462a1d8e09bc86ea4b4ff8c022e5e4ed23ae783b3b1b5baee4b8d69e02ca")
    signed = [(name.lower(), VECTOR_HEADERS[name]) for name in
              ("Accept", "Content-Type", "Gladly-Correlation-Id", "Gladly-Time", "X-B3-Traceid")]
    canonical = canonical_request(method="POST", path=VECTOR_PATH, query="", headers=signed, body=vector_body)
    assert canonical == VECTOR_CANONICAL
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "f96c13077adb3c06df1fa5fda8a6f32d7067735f63aa58d47e45fd6429d3cad3")
    assert hmac.new(VECTOR_KEY.encode(), b"20190213", hashlib.sha256).hexdigest() == (
        "63268c9529c307d562837baf622f84d77e2772ff634fa7192ddb83dd0398747e")
    unsigned = {name: value for name, value in VECTOR_HEADERS.items() if name != "Gladly-Authorization"}
    assert sign(VECTOR_KEY, method="POST", path=VECTOR_PATH, query="", headers=unsigned, body=vector_body) == (
        VECTOR_HEADERS["Gladly-Authorization"])
    verify_vector(VECTOR_KEY, vector_body)


def test_official_test_vector_fails_with_another_key(vector_body):
    with pytest.raises(InvalidSignature, match="Signature is incorrect"):
        verify_vector("test-apikey-2", vector_body)


def test_build_headers_reproduces_gladly_headers(vector_body):
    headers = build_headers(VECTOR_KEY, method="POST", path=VECTOR_PATH, body=vector_body, now=VECTOR_NOW,
                            correlation_id="vXmSEPjVSWCaCMzvjufxZg")
    assert headers == VECTOR_HEADERS


def test_build_headers_invents_a_correlation_id_with_matching_trace_id():
    headers = build_headers(KEY, method="GET", path=PATH, now=NOW)
    assert len(headers["Gladly-Correlation-Id"]) == 22
    assert len(headers["X-B3-Traceid"]) == 32
    assert build_headers(KEY, method="GET", path=PATH, now=NOW)["Gladly-Correlation-Id"] != (
        headers["Gladly-Correlation-Id"])


def request(**changes):
    """verify() keyword arguments for a correctly signed request, with ``changes`` applied after signing."""
    headers = build_headers(KEY, method="POST", path=PATH, body=BODY, now=NOW, extra=changes.pop("extra", None))
    headers.update(changes.pop("headers", {}))
    for name in changes.pop("drop", ()):
        del headers[name]
    return {"method": "POST", "path": PATH, "query": "", "headers": headers, "body": BODY, "now": NOW,
            "tolerance": 300, **changes}


def authorization(signature="0" * 64, algorithm="hmac-sha256",
                  names="accept;content-type;gladly-correlation-id;gladly-time;x-b3-traceid"):
    return {"Gladly-Authorization": f"SigningAlgorithm={algorithm}, SignedHeaders={names}, Signature={signature}"}


def test_verify_accepts_a_signed_request():
    verify(KEY, **request())


def test_verify_accepts_lower_case_header_keys_and_padded_values():
    kwargs = request()
    kwargs["headers"] = {name.lower(): f"  {value} " for name, value in kwargs["headers"].items()}
    verify(KEY, **kwargs)


@pytest.mark.parametrize("key, kwargs, error, detail", [
    pytest.param("other-key", request(), InvalidSignature, "Signature is incorrect", id="wrong-key"),
    pytest.param(KEY, request(body=BODY.replace(b"jane", b"john")), InvalidSignature, "Signature is incorrect",
                 id="tampered-body"),
    pytest.param(KEY, request(method="GET"), InvalidSignature, "Signature is incorrect", id="other-method"),
    pytest.param(KEY, request(path="/other"), InvalidSignature, "Signature is incorrect", id="other-path"),
    pytest.param(KEY, request(query="a=1"), InvalidSignature, "Signature is incorrect", id="added-query"),
    pytest.param(KEY, request(headers={"Accept": "text/html"}), InvalidSignature, "Signature is incorrect",
                 id="tampered-signed-header"),
    pytest.param(KEY, request(drop=["Gladly-Authorization"]), InvalidSignature, "Missing Gladly-Authorization",
                 id="missing-authorization"),
    pytest.param(KEY, request(drop=["Gladly-Time"]), InvalidSignature, "Missing Gladly-Time", id="missing-time"),
    pytest.param(KEY, request(headers={"Gladly-Time": "2024-05-06T07:08:09Z"}), InvalidSignature,
                 "Malformed Gladly-Time", id="iso-time"),
    pytest.param(KEY, request(headers={"Gladly-Time": "20241306T070809Z"}), InvalidSignature,
                 "Malformed Gladly-Time", id="impossible-time"),
    pytest.param(KEY, request(headers={"Gladly-Authorization": "hmac-sha256 " + "0" * 64}), InvalidSignature,
                 "Malformed Gladly-Authorization", id="no-parts"),
    pytest.param(KEY, request(headers={"Gladly-Authorization": "SigningAlgorithm=hmac-sha256, Signature="
                                       + "0" * 64}), InvalidSignature, "missing SignedHeaders",
                 id="missing-signed-headers"),
    pytest.param(KEY, request(headers={"Gladly-Authorization": authorization()["Gladly-Authorization"]
                                       + ", Signature=" + "0" * 64}), InvalidSignature,
                 "Malformed Gladly-Authorization", id="repeated-part"),
    pytest.param(KEY, request(headers={"Gladly-Authorization": authorization()["Gladly-Authorization"]
                                       + ", Extra=1"}), InvalidSignature, "Malformed Gladly-Authorization",
                 id="unknown-part"),
    pytest.param(KEY, request(headers=authorization(algorithm="hmac-sha1")), InvalidSignature,
                 "Unsupported SigningAlgorithm", id="hmac-sha1"),
    pytest.param(KEY, request(headers=authorization(algorithm="HMAC-SHA256")), InvalidSignature,
                 "Unsupported SigningAlgorithm", id="upper-case-algorithm"),
    pytest.param(KEY, request(headers=authorization(names="content-type;accept")), InvalidSignature,
                 "must be sorted", id="unsorted-signed-headers"),
    pytest.param(KEY, request(headers=authorization(names="accept;accept")), InvalidSignature,
                 "must be sorted and unique", id="repeated-signed-header"),
    pytest.param(KEY, request(headers=authorization(names="Accept;Content-Type")), InvalidSignature,
                 "Malformed SignedHeaders", id="upper-case-signed-headers"),
    pytest.param(KEY, request(headers=authorization(names="accept;;gladly-time")), InvalidSignature,
                 "Malformed SignedHeaders", id="empty-signed-header"),
    pytest.param(KEY, request(headers=authorization(names="accept;gladly-time;x-api-key")), InvalidSignature,
                 "missing from the request: x-api-key", id="signed-header-absent"),
    pytest.param(KEY, request(headers=authorization(signature="A" * 64)), InvalidSignature, "Malformed Signature",
                 id="upper-case-signature"),
    pytest.param(KEY, request(headers=authorization(signature="0" * 63)), InvalidSignature, "Malformed Signature",
                 id="short-signature"),
    pytest.param(KEY, request(now=NOW + timedelta(seconds=301)), StaleRequest, "301 s in the past",
                 id="stale-past"),
    pytest.param(KEY, request(now=NOW - timedelta(minutes=10)), StaleRequest, "600 s in the future",
                 id="stale-future"),
    pytest.param(KEY, request(now=NOW + timedelta(seconds=61), tolerance=60), StaleRequest, "window is ±60 s",
                 id="stale-custom-tolerance"),
])
def test_verify_rejects(key, kwargs, error, detail):
    with pytest.raises(error, match=detail) as raised:
        verify(key, **kwargs)
    # Neither the key nor any signature (the expected one least of all) is ever echoed.
    assert key not in raised.value.detail
    assert not re.search(r"[0-9a-fA-F]{64}", raised.value.detail)


@pytest.mark.parametrize("skew", [timedelta(seconds=300), timedelta(seconds=-300)])
def test_verify_accepts_the_edges_of_the_window(skew):
    verify(KEY, **request(now=NOW + skew))


def test_basic_auth_headers_are_signed_like_any_other():
    extra = {"Authorization": "Basic dXNlcjpwYXNz", "WWW-Authenticate": 'Basic realm="gladly"'}
    kwargs = request(extra=extra)
    assert "SignedHeaders=accept;authorization;content-type;gladly-correlation-id;gladly-time;www-authenticate;" \
           "x-b3-traceid," in kwargs["headers"]["Gladly-Authorization"]
    verify(KEY, **kwargs)
    with pytest.raises(InvalidSignature, match="Signature is incorrect"):
        verify(KEY, **request(extra=extra, headers={"Authorization": "Basic b3RoZXI6b3RoZXI="}))


@pytest.mark.parametrize("query, canonical", [
    ("", ""),
    ("orderId=3&b=2", "b=2&orderId=3"),
    ("b=1&B=2&a=3", "B=2&a=3&b=1"),  # case-sensitive: upper case sorts first, as in Go
    ("k=2&j=0&k=1", "j=0&k=2&k=1"),  # repeated keys keep their order
    ("q=a+b&r=%2F&flag", "flag=&q=a+b&r=%2F"),  # form-encoded like url.QueryEscape
])
def test_canonical_query_sorts_like_go(query, canonical):
    assert canonical_query(query) == canonical


def test_action_url_query_is_signed_sorted():
    headers = build_headers(KEY, method="GET", path="/gladly/actions/cancel-form", query="orderId=3&b=2", now=NOW)
    kwargs = {"method": "GET", "path": "/gladly/actions/cancel-form", "headers": headers, "body": b"", "now": NOW,
              "tolerance": 300}
    verify(KEY, query="orderId=3&b=2", **kwargs)
    verify(KEY, query="b=2&orderId=3", **kwargs)
    with pytest.raises(InvalidSignature, match="Signature is incorrect"):
        verify(KEY, query="orderId=4&b=2", **kwargs)


def test_sign_requires_gladly_time():
    with pytest.raises(ValueError, match="Gladly-Time"):
        sign(KEY, method="POST", path=PATH, query="", headers={"Accept": "application/json"}, body=b"")
