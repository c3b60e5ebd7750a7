"""The Magento client: URLs, timeouts, retries, the deadline, error interpretation and concurrency."""
import json
import logging
import threading
import time

import pytest
import requests
import responses
from responses.registries import OrderedRegistry

from bridge.errors import MagentoNotFound
from bridge.errors import MagentoRejected
from bridge.errors import MagentoTimeout
from bridge.errors import MagentoUnauthorized
from bridge.errors import MagentoUnavailable
from bridge.magento.client import Credentials
from bridge.magento.client import Deadline
from bridge.magento.client import MagentoClient
from bridge.magento.client import render_message
from bridge.magento.search import SearchCriteria

CREDENTIALS = Credentials("ck" + "0" * 30, "cs" + "1" * 30, "at" + "2" * 30, "as" + "3" * 30)
ORDERS = "https://shop.test/rest/default/V1/orders"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def make_client():
    clients = []

    def make(**options):
        options = {"connect_timeout": 1.0, "read_timeout": 3.5, "retries": 2, "pool_size": 4, **options}
        clients.append(MagentoClient("https://shop.test", CREDENTIALS, **options))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def ordered():
    """A strict mock answering each registered response once, in order (retry sequences)."""
    with responses.RequestsMock(registry=OrderedRegistry, assert_all_requests_are_fired=True) as mock:
        yield mock


def nonce(call) -> str:
    header = call.request.headers["Authorization"]
    return header.split('oauth_nonce="', 1)[1].split('"', 1)[0]


def test_get_builds_the_url_and_sends_json_headers_and_timeouts(magento, make_client):
    magento.get(f"{ORDERS}/3", json={"entity_id": 3})
    client = make_client()

    assert client.get("/V1/orders/3", [("fields", "entity_id,status")]) == {"entity_id": 3}

    request = magento.calls[0].request
    assert request.url == f"{ORDERS}/3?fields=entity_id%2Cstatus"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Authorization"].startswith("OAuth ")
    assert request.req_kwargs["timeout"] == (1.0, 3.5)
    assert client.calls == 1


def test_store_code_and_search_criteria(magento, make_client):
    magento.get("https://shop.test/rest/fr/V1/orders", json={"items": [], "total_count": 0})

    make_client(store_code="fr").get("/V1/orders", SearchCriteria().limit(5))

    assert magento.calls[0].request.url.endswith("?searchCriteria%5BpageSize%5D=5&searchCriteria%5BcurrentPage%5D=1")


@pytest.mark.parametrize("budget, timeout", [(10.0, (1.0, 3.5)), (2.0, (1.0, 2.0)), (0.5, (0.5, 0.5))])
def test_deadline_caps_the_timeouts(magento, make_client, budget, timeout):
    magento.get(ORDERS, json={})

    make_client().get("/V1/orders", deadline=Deadline(budget, clock=FakeClock()))

    assert magento.calls[0].request.req_kwargs["timeout"] == timeout


def test_spent_deadline_stops_before_calling(magento, make_client):
    clock = FakeClock()
    deadline = Deadline(1.0, clock=clock)
    clock.now += 1.0
    client = make_client()

    with pytest.raises(MagentoTimeout):
        client.get("/V1/orders", deadline=deadline)
    assert client.calls == 0


def test_deadline():
    clock = FakeClock()
    deadline = Deadline(2.0, clock=clock)
    clock.now += 1.5

    assert deadline.remaining() == 0.5
    assert deadline.allows(0.4) and not deadline.allows(0.5)
    clock.now += 0.5
    with pytest.raises(MagentoTimeout):
        deadline.remaining()


@pytest.mark.parametrize("failure", [
    {"status": 503}, {"status": 502, "body": "<html>Bad Gateway</html>"}, {"status": 504},
    {"body": requests.ConnectionError("reset")}, {"body": requests.ReadTimeout("slow")},
], ids=["503", "502", "504", "connection-error", "read-timeout"])
def test_get_is_retried_after_a_transient_failure(ordered, make_client, failure):
    ordered.get(ORDERS, **failure)
    ordered.get(ORDERS, json={"items": []})
    client = make_client()

    assert client.get("/V1/orders") == {"items": []}
    assert client.calls == 2
    # Each attempt is signed afresh: Magento refuses a nonce it has seen (§2.3).
    assert nonce(ordered.calls[0]) != nonce(ordered.calls[1])


def test_get_gives_up_after_its_retries(ordered, make_client):
    for _ in range(3):
        ordered.get(ORDERS, status=503, json={"message": "Service Unavailable"})
    client = make_client(retries=2)

    with pytest.raises(MagentoUnavailable) as caught:
        client.get("/V1/orders")

    assert caught.value.magento_status == 503
    assert not caught.value.outcome_unknown
    assert client.calls == 3


def test_internal_error_is_not_retried(magento, make_client):
    magento.get(ORDERS, status=500, json={"message": "Internal Error."})
    client = make_client()

    with pytest.raises(MagentoUnavailable):
        client.get("/V1/orders")
    assert client.calls == 1


@pytest.mark.parametrize("failure, error, outcome_unknown", [
    ({"status": 503}, MagentoUnavailable, True),
    ({"body": requests.ReadTimeout("slow")}, MagentoTimeout, True),
    ({"body": requests.ConnectionError("reset")}, MagentoUnavailable, True),
    ({"body": requests.ConnectTimeout("no route")}, MagentoTimeout, False),
], ids=["503", "read-timeout", "connection-error", "connect-timeout"])
def test_post_is_never_retried(magento, make_client, failure, error, outcome_unknown):
    magento.post(f"{ORDERS}/3/cancel", **failure)
    client = make_client(retries=2)

    with pytest.raises(error) as caught:
        client.post("/V1/orders/3/cancel")

    assert type(caught.value) is error
    assert caught.value.outcome_unknown is outcome_unknown
    assert caught.value.path == "/V1/orders/3/cancel"
    assert client.calls == 1


def test_deadline_stops_retries(magento, make_client):
    clock = FakeClock()

    def slow_unavailable(request):
        clock.now += 0.95  # the 503 came back after most of the budget was gone
        return 503, {}, json.dumps({"message": "Service Unavailable"})

    magento.add_callback("GET", ORDERS, callback=slow_unavailable)
    client = make_client(retries=5)

    with pytest.raises(MagentoUnavailable) as caught:
        client.get("/V1/orders", deadline=Deadline(1.0, clock=clock))

    assert caught.value.magento_status == 503
    assert client.calls == 1


@pytest.mark.parametrize("status, body, error, detail", [
    (400, {"message": "Signature method %1 is not supported", "parameters": ["HMAC-SHA1"]},
     MagentoRejected, "Signature method HMAC-SHA1 is not supported"),
    (400, {"message": "One or more input exceptions have occurred.",
           "errors": [{"message": '"%fieldName" is required. Enter and try again.',
                       "parameters": {"fieldName": "parent_id"}}]},
     MagentoRejected, 'One or more input exceptions have occurred. "parent_id" is required. Enter and try again.'),
    (401, {"message": "The consumer isn't authorized to access %resources.",
           "parameters": {"resources": "Magento_Sales::actions_view"}},
     MagentoUnauthorized, "The consumer isn't authorized to access Magento_Sales::actions_view."),
    (404, {"message": "The entity that was requested doesn't exist. Verify the entity and try again."},
     MagentoNotFound, "The entity that was requested doesn't exist."),
    (500, {"message": "Internal Error. Details are available in Magento log file. Report ID: webapi-65f1c0e3a1b2c"},
     MagentoUnavailable, "Report ID: webapi-65f1c0e3a1b2c"),
    (502, "<html><body>Bad Gateway</body></html>", MagentoUnavailable, "HTTP 502 without a JSON error"),
], ids=["400-list", "400-errors", "401-dict", "404", "500-report", "502-html"])
def test_errors_are_interpreted(magento, make_client, status, body, error, detail):
    options = {"json": body} if isinstance(body, dict) else {"body": body, "content_type": "text/html"}
    magento.get(f"{ORDERS}/3", status=status, **options)

    with pytest.raises(error) as caught:
        make_client(retries=0).get("/V1/orders/3")

    assert type(caught.value) is error
    assert detail in caught.value.detail
    assert caught.value.magento_status == status
    assert caught.value.path == "/V1/orders/3"
    if status == 401:
        assert "Re-check the Gladly integration" in caught.value.detail


@pytest.mark.parametrize("message, parameters, text", [
    ("Item %1 of %10 in %2", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], "Item a of j in b"),
    ("%field is %fieldName", {"field": "x", "fieldName": "y"}, "x is y"),
    ("The most money available to refund is %1.", [0], "The most money available to refund is 0."),
    ("100% done", None, "100% done"),
])
def test_placeholders_are_substituted_like_magento(message, parameters, text):
    assert render_message(message, parameters) == text


@pytest.mark.parametrize("options, result", [({"json": True}, True), ({"body": ""}, None)])
def test_success_bodies(magento, make_client, options, result):
    magento.post(f"{ORDERS}/3/emails", **options)

    assert make_client().post("/V1/orders/3/emails") is result


@pytest.mark.parametrize("options, detail", [
    ({"status": 200, "body": "<html>Maintenance</html>"}, "not JSON"),
    ({"status": 302, "headers": {"Location": "https://shop.test/admin/"}}, "https://shop.test/admin/"),
], ids=["html-200", "redirect"])
def test_unusable_replies(magento, make_client, options, detail):
    magento.get(ORDERS, **options)
    client = make_client()

    with pytest.raises(MagentoUnavailable, match=detail):
        client.get("/V1/orders")
    assert client.calls == 1


def test_parallel_runs_concurrently_and_keeps_order(make_client):
    client = make_client(pool_size=3)
    barrier = threading.Barrier(3, timeout=5)

    def meet(value):
        # Each thunk waits for the other two: this only returns if all three run at once.
        return lambda: (barrier.wait(), value)[1]

    assert client.parallel(meet("a"), meet("b"), meet("c")) == ["a", "b", "c"]
    assert client.parallel() == []


def test_parallel_raises_the_first_error(make_client):
    client = make_client()

    def fail():
        raise MagentoNotFound("gone")

    with pytest.raises(MagentoNotFound, match="gone"):
        client.parallel(lambda: 1, fail)


def test_nested_parallel_on_a_pool_thread_runs_inline(make_client):
    client = make_client(pool_size=1)

    # The second thunk holds the only pool thread; its own parallel() must not wait for the pool.
    assert client.parallel(lambda: 0, lambda: client.parallel(lambda: 1, lambda: 2)) == [0, [1, 2]]


def test_the_first_thunk_runs_on_the_caller_and_may_fan_out(make_client):
    client = make_client(pool_size=2)
    barrier = threading.Barrier(3, timeout=5)
    caller = threading.get_ident()

    def meet(value):
        return lambda: (barrier.wait(), value)[1]

    assert client.parallel(lambda: threading.get_ident() == caller, lambda: 1) == [True, 1]
    assert client.parallel(lambda: client.parallel(meet("a"), meet("b"), meet("c"))) == [["a", "b", "c"]]


def test_a_failing_first_thunk_lets_the_others_finish(make_client):
    client = make_client(pool_size=2)
    finished = threading.Event()
    started = threading.Event()

    def fail():
        started.wait(5)
        raise MagentoNotFound("gone")

    def slow():
        started.set()
        time.sleep(0.05)
        finished.set()

    with pytest.raises(MagentoNotFound):
        client.parallel(fail, slow)
    assert finished.is_set()


def test_parallel_calls_are_counted(magento, make_client):
    magento.get(ORDERS, json={"items": []})
    client = make_client(pool_size=8)

    client.parallel(*[lambda: client.get("/V1/orders")] * 20)

    assert client.calls == 20


def test_keep_alive_pool_and_configuration():
    client = MagentoClient.from_config("https://shop.test/", CREDENTIALS, {
        "MAGENTO_STORE_CODE": "default", "MAGENTO_CONNECT_TIMEOUT": 0.5, "MAGENTO_READ_TIMEOUT": 2.0,
        "MAGENTO_RETRIES": 1, "MAGENTO_POOL_SIZE": 7, "BREAKER_FAILURES": 4, "BREAKER_COOLDOWN": 3.0})
    try:
        assert client.adapter._pool_maxsize == 7
        assert (client.api_url, client.connect_timeout, client.read_timeout, client.retries) == (
            "https://shop.test/rest/default", 0.5, 2.0, 1)
        assert (client.breaker.threshold, client.breaker.cooldown) == (4, 3.0)
    finally:
        client.close()


def test_calls_are_logged_without_secrets(magento, make_client, caplog):
    magento.get(ORDERS, json={})
    caplog.set_level(logging.DEBUG, logger="bridge.magento.client")

    make_client().get("/V1/orders", SearchCriteria().where("customer_email", "jdoe@example.com"))

    assert "magento GET /V1/orders -> 200" in caplog.text
    assert "jdoe" not in caplog.text and CREDENTIALS.access_token not in caplog.text
    assert CREDENTIALS.consumer_secret not in repr(CREDENTIALS)


def test_environment_proxy_settings_are_read_once(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/merchant-ca.pem")
    client = MagentoClient("https://shop.test/", CREDENTIALS)
    try:
        assert client.proxies.get("https") == "http://proxy.internal:3128"
        assert client.verify == "/etc/ssl/merchant-ca.pem"
    finally:
        client.close()
