"""Gladly AI's surface under real gunicorn against the sandbox store: identity, every write, replayed and tampered
confirmations, the daily cap under 20 concurrent refunds and one coupon per customer under 10 concurrent requests
across two bridges sharing PostgreSQL, and a worker killed between its reservation and its write."""
from __future__ import annotations

import os
import signal
import threading
import time
from decimal import Decimal

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from openapi_core.contrib.requests import RequestsOpenAPIResponse

from bench.procs import manual_connection_env
from tests.e2e.conftest import start_bridge
from tests.e2e.conftest import start_bridges
from tests.e2e.conftest import start_sandbox
from tests.e2e.conftest import stop
from tests.e2e.test_e2e_actions import audit_rows
from tests.e2e.test_e2e_actions import magento_order
from tests.e2e.test_e2e_actions import refund_calls
from tests.e2e.test_e2e_actions import table_rows
from tests.e2e.test_e2e_reliability import _fresh_orders  # noqa: F401 - the autouse fixture, on this shop
from tests.e2e.test_e2e_reliability import wait_for
from tests.e2e.test_e2e_reliability import workers_of

pytestmark = pytest.mark.e2e

TOKEN = "e2e-gladly-ai-token-0123456789abcdef"
JANE, GUEST, BUSY = "jane@example.com", "guest@example.org", "busy@example.com"
EVERYTHING = "lookup,cancel,refund,address,coupon"
# The module's own limits, set loose: the bridge's decide unless a test tightens the module's.
MODULE_AI = {"ai_actions": EVERYTHING.split(","), "ai_refund_max": 1000, "ai_refund_daily_max": 10000,
             "ai_coupon_rule": 2}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The sample store plus the busy customer's twenty invoiced orders (one refund each for the cap)."""
    store = start_sandbox(tmp_path_factory.mktemp("ai-sandbox"), "--dataset", "busy")
    yield store
    stop(store.process)


@pytest.fixture(autouse=True)
def _module_ai(request, shop):
    request.getfixturevalue("_fresh_orders")  # the sandbox's data reset first
    shop.call("POST", "/sandbox/config", json={"ai": MODULE_AI}).raise_for_status()


def ai_env(shop, database_url: str, **more: str) -> dict[str, str]:
    return {**manual_connection_env(shop), "BRIDGE_DATABASE_URL": database_url, "BRIDGE_AI_TOKENS": TOKEN,
            "BRIDGE_AI_ACTIONS": EVERYTHING, "BRIDGE_AI_REFUND_MAX": "100", "BRIDGE_AI_REFUND_DAILY_MAX": "500",
            **more}


def ask(bridge, path: str, body: dict, **headers: str) -> requests.Response:
    return requests.post(f"{bridge.url}/gladly/ai/{path}", json=body, timeout=30,
                         headers={"Authorization": f"Bearer {TOKEN}", **headers})


def code(reply: requests.Response) -> str:
    assert reply.status_code == 422, reply.text
    return reply.json()["errors"][0]["code"]


def first_line(shop, entity_id: int) -> dict:
    return next(item for item in magento_order(shop, entity_id)["order"]["items"] if not item.get("parent_item_id"))


def preview(bridge, number: str, email: str, sku: str, quantity: int = 1) -> dict:
    reply = ask(bridge, "orders/refund/preview", {"orderNumber": number, "customerEmail": email,
                                                  "items": [{"sku": sku, "quantity": quantity}]})
    assert reply.status_code == 200, reply.text
    return reply.json()["refund"]


# Two bridge processes share one database only on PostgreSQL (several VMs): these tests take only that variant.
ON_POSTGRES = pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                                      indirect=True)


def reservations(database_url: str) -> list[dict]:
    return table_rows(database_url, "SELECT * FROM ai_reservation WHERE action = 'refund'")


def two_bridges(shop, tmp_path, database_url: str, **env: str) -> list:
    """Two bridges (two workers each) on one PostgreSQL database, as two VMs would run."""
    return start_bridges(tmp_path, ai_env(shop, database_url, **env))


def all_at_once(calls: list) -> dict[int, requests.Response]:
    """Each of ``calls`` on its own thread, released together; their replies by index."""
    replies: dict[int, requests.Response] = {}
    start = threading.Barrier(len(calls))

    def send(index: int) -> None:
        start.wait()
        replies[index] = calls[index]()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return replies


@pytest.fixture
def gladly_ai(shop, tmp_path, database_url):
    running = start_bridge(tmp_path, ai_env(shop, database_url))
    yield running
    stop(running.process)


def test_lookup_proves_identity_for_customers_and_guests(gladly_ai):
    mine = ask(gladly_ai, "orders/lookup", {"orderNumber": "000000002", "customerEmail": "JANE@example.com"})
    assert mine.status_code == 200, mine.text
    order = mine.json()["order"]
    assert (order["type"], order["orderNumber"], order["currencyCode"]) == ("ORDER", "000000002", "USD")
    assert order["orderTotal"] == "$168.00" and order["customerOrderUrl"]
    assert "refund" in mine.json()["availableActions"]
    guest = ask(gladly_ai, "orders/lookup", {"orderNumber": "000000008", "customerEmail": GUEST})
    assert guest.status_code == 200 and guest.json()["order"]["orderNumber"] == "000000008"
    # Someone else's e-mail on a real order answers exactly as an order that does not exist.
    wrong = ask(gladly_ai, "orders/lookup", {"orderNumber": "000000008", "customerEmail": JANE})
    unknown = ask(gladly_ai, "orders/lookup", {"orderNumber": "000000999", "customerEmail": JANE})
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    assert code(wrong) == "order_not_found"
    assert requests.post(f"{gladly_ai.url}/gladly/ai/orders/lookup", json={}, timeout=10).status_code == 401


def test_off_without_tokens_and_lookup_only_by_default(shop, tmp_path, database_url):
    (tmp_path / "off").mkdir()
    (tmp_path / "default").mkdir()
    off = start_bridge(tmp_path / "off", {**manual_connection_env(shop), "BRIDGE_DATABASE_URL": database_url})
    plain = {key: value for key, value in ai_env(shop, database_url).items() if key != "BRIDGE_AI_ACTIONS"}
    default = start_bridge(tmp_path / "default", plain)
    try:
        unknown = ask(off, "orders/lookup", {"orderNumber": "000000002", "customerEmail": JANE})
        body = {"orderNumber": "000000001", "customerEmail": JANE}
        looked_up = ask(default, "orders/lookup", body)
        refused = ask(default, "orders/cancel", {**body, "reason": "Changed my mind"})
    finally:
        stop(off.process)
        stop(default.process)
    assert unknown.status_code == 404  # no BRIDGE_AI_TOKENS: the surface does not exist
    assert looked_up.status_code == 200 and looked_up.json()["availableActions"] == []
    assert code(refused) == "action_disabled"
    assert magento_order(shop, 1)["order"]["state"] == "new"


def test_bad_input_names_each_field_and_writes_nothing(gladly_ai, shop, database_url):
    reply = ask(gladly_ai, "orders/refund/preview", {"orderNumber": "", "customerEmail": "nobody",
                                                     "items": [{"sku": "SB-MUG", "quantity": 0}]})
    assert reply.status_code == 422 and {(entry["attr"], entry["code"]) for entry in reply.json()["errors"]} == {
        ("orderNumber", "invalid_input"), ("customerEmail", "invalid_input"), ("items[0].quantity", "invalid_input")}
    address = ask(gladly_ai, "orders/shipping-address", {"orderNumber": "000000001", "customerEmail": JANE,
                                                         "address": {"firstName": "Jane", "countryId": "Narnia"}})
    assert code(address) == "invalid_input"
    assert {entry["attr"] for entry in address.json()["errors"]} >= {"address.countryId", "address.street"}
    assert audit_rows(database_url) == [] and refund_calls(shop) == 0


def test_cancel_and_its_trace_in_magento(gladly_ai, shop, database_url):
    reply = ask(gladly_ai, "orders/cancel", {"orderNumber": "000000001", "customerEmail": JANE,
                                            "reason": "Ordered twice by mistake"}, **{"Idempotency-Key": "c-1"})
    assert reply.status_code == 200, reply.text
    again = ask(gladly_ai, "orders/cancel", {"orderNumber": "000000001", "customerEmail": JANE,
                                            "reason": "Ordered twice by mistake"}, **{"Idempotency-Key": "c-1"})
    assert again.json() == reply.json()
    state = magento_order(shop, 1)["order"]
    assert state["state"] == "canceled"
    [note] = [entry["comment"] for entry in state["status_histories"] if "Gladly AI" in (entry["comment"] or "")]
    assert "Ordered twice by mistake" in note
    assert [(row["agent_id"], row["outcome"]) for row in audit_rows(database_url)] == [
        ("Gladly AI", "succeeded"), ("Gladly AI", "duplicate")]
    assert code(ask(gladly_ai, "orders/cancel", {"orderNumber": "000000003", "customerEmail": JANE,
                                                 "reason": "late"})) == "not_allowed_in_state"


def test_refund_replayed_and_tampered_confirmations(gladly_ai, shop, database_url):
    refund = preview(gladly_ai, "2000000001", JANE, "SB-MUG")
    assert refund["amount"] == "£12.00"  # the second website sells in pounds
    body = {"orderNumber": "2000000001", "customerEmail": JANE, "confirmationToken": refund["confirmationToken"]}
    forged, mac = refund["confirmationToken"].rsplit(".", 1)
    tampered = {**body, "confirmationToken": f"{forged}.{'A' * len(mac)}"}
    assert code(ask(gladly_ai, "orders/refund", tampered)) == "confirmation_invalid"
    done = ask(gladly_ai, "orders/refund", body)
    assert done.status_code == 200, done.text
    assert done.json()["result"]["status"] == "refunded" and done.json()["result"]["amount"] == "£12.00"
    assert ask(gladly_ai, "orders/refund", body).json() == done.json()  # replayed: the first answer
    # Another shopper cannot use it: the token is bound to the order, found only with its e-mail.
    assert code(ask(gladly_ai, "orders/refund", {**body, "customerEmail": GUEST})) == "order_not_found"
    state = magento_order(shop, 9)
    assert len(state["creditmemos"]) == 1 and refund_calls(shop) == 1
    assert [(row["status"], Decimal(row["amount"])) for row in reservations(database_url)] == [
        ("spent", Decimal(12))]


def test_a_guest_refund_and_the_per_refund_cap(gladly_ai, shop):
    big = ask(gladly_ai, "orders/refund/preview", {"orderNumber": "000000008", "customerEmail": GUEST})
    assert code(big) == "over_refund_limit"  # $132 left with shipping; at most $100 at once
    refund = preview(gladly_ai, "000000008", GUEST, "SB-TOTE", 2)
    done = ask(gladly_ai, "orders/refund", {"orderNumber": "000000008", "customerEmail": GUEST,
                                            "confirmationToken": refund["confirmationToken"]})
    assert done.status_code == 200, done.text
    assert len(magento_order(shop, 8)["creditmemos"]) == 1


def test_the_modules_stricter_limit_wins(gladly_ai, shop):
    shop.call("POST", "/sandbox/config", json={"ai": {"ai_refund_max": 10}}).raise_for_status()
    # The bridge caches the module's settings per worker (BRIDGE_CACHE_TTL): a fresh bridge reads them now.
    reply = ask(gladly_ai, "orders/refund/preview", {"orderNumber": "2000000001", "customerEmail": JANE,
                                                     "items": [{"sku": "SB-MUG", "quantity": 1}]})
    assert code(reply) == "over_refund_limit"


@ON_POSTGRES
def test_the_daily_cap_holds_under_twenty_concurrent_refunds_on_two_bridges(shop, tmp_path, database_url):
    cap = Decimal(150)
    bridges = two_bridges(shop, tmp_path, database_url, BRIDGE_AI_REFUND_DAILY_MAX=str(cap),
                          BRIDGE_AI_REFUND_MAX="1000")
    try:
        asks = []
        for entity_id in range(10, 30):  # the busy customer's twenty orders: one line of each
            order = magento_order(shop, entity_id)["order"]
            line = first_line(shop, entity_id)
            refund = preview(bridges[entity_id % 2], order["increment_id"], BUSY, line["sku"])
            asks.append((bridges[(entity_id + 1) % 2], {"orderNumber": order["increment_id"], "customerEmail": BUSY,
                                                        "confirmationToken": refund["confirmationToken"]},
                         Decimal(refund["amount"].lstrip("$"))))
        replies = all_at_once([lambda bridge=bridge, body=body: ask(bridge, "orders/refund", body)
                               for bridge, body, _amount in asks])
    finally:
        for bridge in bridges:
            stop(bridge.process)
    refunded = [asks[i][2] for i, reply in replies.items() if reply.status_code == 200]
    refused = [asks[i][2] for i, reply in replies.items() if reply.status_code != 200]
    assert len(replies) == 20 and refunded and refused
    assert {code(replies[i]) for i, reply in replies.items() if reply.status_code != 200} == {"over_daily_limit"}
    assert sum(refunded) <= cap
    # Each refusal saw less left than it asked for, and what is left only shrank since.
    assert all(amount > cap - sum(refunded) for amount in refused)
    memos = sum(len(magento_order(shop, entity_id)["creditmemos"]) for entity_id in range(10, 30))
    assert memos == refund_calls(shop) == len(refunded)
    held = reservations(database_url)
    assert {row["status"] for row in held} == {"spent"} and sum(Decimal(row["amount"]) for row in held) == \
        sum(refunded)


@ON_POSTGRES
def test_one_coupon_per_customer_under_ten_concurrent_requests_on_two_bridges(shop, tmp_path, database_url):
    # The module's own cap loosened: only the bridge's one AI coupon per period stands between the requests.
    shop.call("POST", "/sandbox/config", json={"coupon_limit": 100}).raise_for_status()
    bridges = two_bridges(shop, tmp_path, database_url)
    try:
        replies = all_at_once([
            lambda index=index: ask(bridges[index % 2], "customers/coupon",
                                    {"customerEmail": JANE, "reason": "The parcel came late"},
                                    **{"Idempotency-Key": f"coupon-{index}"})
            for index in range(10)])
    finally:
        for bridge in bridges:
            stop(bridge.process)
        shop.call("POST", "/sandbox/config", json={"coupon_limit": 1}).raise_for_status()
    [issued] = [reply for reply in replies.values() if reply.status_code == 200]
    assert issued.json()["result"]["status"] == "issued"
    assert len(replies) == 10 and sorted(code(reply) for reply in replies.values() if reply is not issued) == [
        "coupon_limit"] * 9
    by_route = shop.call("GET", "/sandbox/stats").json()["by_route"]
    assert sum(count for route, count in by_route.items() if route.endswith("/goodwill-coupon")) == 1
    notes = [entry["comment"] for entity_id in range(1, 10)
             for entry in magento_order(shop, entity_id)["order"]["status_histories"]
             if (entry["comment"] or "").startswith("Goodwill coupon")]
    assert len(notes) == 1 and issued.json()["result"]["code"] in notes[0]
    held = table_rows(database_url, "SELECT * FROM ai_reservation WHERE action = 'coupon'")
    assert [row["status"] for row in held] == ["spent"]


def test_a_worker_killed_between_reservation_and_write_neither_leaks_nor_refunds_twice(shop, tmp_path,
                                                                                        database_url):
    bridge = start_bridge(tmp_path, ai_env(shop, database_url, BRIDGE_ACTION_LEASE="2",
                                           BRIDGE_MAGENTO_READ_TIMEOUT="30"), workers=1)
    try:
        refund = preview(bridge, "2000000001", JANE, "SB-TEE-L-RED")
        body = {"orderNumber": "2000000001", "customerEmail": JANE, "confirmationToken": refund["confirmationToken"]}
        # Magento stalls the refund call before writing anything; the worker dies while it waits.
        shop.call("POST", "/sandbox/config", json={"hang_seconds": 20, "fail_next": [
            {"route_contains": "/refund", "mode": "timeout"}]}).raise_for_status()
        thread = threading.Thread(target=lambda: _swallow(lambda: ask(bridge, "orders/refund", body)))
        thread.start()
        wait_for(lambda: reservations(database_url) and refund_calls(shop), "the reservation and the call")
        [worker] = workers_of(bridge.process)
        os.kill(worker, signal.SIGKILL)
        thread.join(30)
        wait_for(lambda: [pid for pid in workers_of(bridge.process) if pid != worker], "a new worker")
        assert [row["status"] for row in reservations(database_url)] == ["held"]
        time.sleep(2.5)  # the dead worker's lease runs out
        again = ask(bridge, "orders/refund", body)  # the AI retries the same confirmation
    finally:
        stop(bridge.process)
    assert again.status_code == 200, again.text
    state = magento_order(shop, 9)
    assert len(state["creditmemos"]) == 1
    assert [(row["status"], Decimal(row["amount"])) for row in reservations(database_url)] == [
        ("spent", Decimal(25))]


def _swallow(call) -> None:
    try:
        call()
    except requests.RequestException:  # the worker died with the connection open
        pass


def test_shipping_address_and_one_goodwill_coupon_per_period(gladly_ai, shop, database_url):
    address = {"firstName": "Jane", "lastName": "Doe", "street": ["500 Market St"], "city": "San Francisco",
               "region": "CA", "postcode": "94105", "countryId": "US", "telephone": "415-555-0134"}
    moved = ask(gladly_ai, "orders/shipping-address", {"orderNumber": "000000001", "customerEmail": JANE,
                                                       "address": address})
    assert moved.status_code == 200, moved.text
    shipping = magento_order(shop, 1)["order"]["extension_attributes"]["shipping_assignments"][0]["shipping"]
    assert (shipping["address"]["city"], shipping["address"]["street"]) == ("San Francisco", ["500 Market St"])
    issued = ask(gladly_ai, "customers/coupon", {"customerEmail": JANE, "reason": "The parcel came late"})
    assert issued.status_code == 200, issued.text
    assert issued.json()["result"]["status"] == "issued" and issued.json()["result"]["code"]
    again = ask(gladly_ai, "customers/coupon", {"customerEmail": JANE, "reason": "Still late"})
    assert code(again) == "coupon_limit"
    assert code(ask(gladly_ai, "customers/coupon", {"customerEmail": GUEST, "reason": "late"})) \
        == "not_allowed_in_state"  # guests have no account to give a code to
    assert [row["action"] for row in audit_rows(database_url) if row["outcome"] == "succeeded"] == [
        "address", "coupon"]


def test_orders_older_than_the_window_are_left_to_agents(shop, tmp_path, database_url):
    bridge = start_bridge(tmp_path, ai_env(shop, database_url, BRIDGE_AI_ORDER_MAX_AGE_DAYS="30"))
    try:
        body = {"orderNumber": "000000001", "customerEmail": JANE}
        found = ask(bridge, "orders/lookup", body)  # the sandbox's orders are from 2024
        refused = ask(bridge, "orders/cancel", {**body, "reason": "late"})
    finally:
        stop(bridge.process)
    assert found.status_code == 200 and found.json()["availableActions"] == []
    assert code(refused) == "order_too_old"
    assert magento_order(shop, 1)["order"]["state"] == "new"


def test_answers_match_the_openapi_document(gladly_ai):
    api = OpenAPI.from_dict(requests.get(gladly_ai.url + "/openapi.json", timeout=10).json())

    def checked(reply: requests.Response) -> requests.Response:
        api.validate_request(RequestsOpenAPIRequest(reply.request))
        api.validate_response(RequestsOpenAPIRequest(reply.request), RequestsOpenAPIResponse(reply))
        return reply

    assert checked(ask(gladly_ai, "orders/lookup", {"orderNumber": "000000002", "customerEmail": JANE})).ok
    assert code(checked(ask(gladly_ai, "orders/lookup", {"orderNumber": "000000999", "customerEmail": JANE}))) \
        == "order_not_found"
    refund = checked(ask(gladly_ai, "orders/refund/preview", {"orderNumber": "2000000001", "customerEmail": JANE,
                                                              "items": [{"sku": "SB-MUG", "quantity": 1}]}))
    done = checked(ask(gladly_ai, "orders/refund", {"orderNumber": "2000000001", "customerEmail": JANE,
                                                    "confirmationToken": refund.json()["refund"]["confirmationToken"]}))
    assert done.json()["result"]["status"] == "refunded"
    canceled = checked(ask(gladly_ai, "orders/cancel", {"orderNumber": "000000001", "customerEmail": JANE,
                                                        "reason": "Ordered twice"}, **{"Idempotency-Key": "k-1"}))
    assert canceled.json()["result"]["status"] == "canceled"
    with pytest.raises(Exception, match="(?i)security|authoriz|bearer"):  # no token: the document requires one
        checked(requests.post(f"{gladly_ai.url}/gladly/ai/orders/lookup", json={}, timeout=10))
