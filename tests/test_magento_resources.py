"""Unexpected Magento answers: checked before use, a clean 502, never cached."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.errors import MagentoBadReply
from bridge.magento import resources
from bridge.magento import shapes
from bridge.magento.store import clear_catalogs
from tests.conftest import form_token

DATA = Path(__file__).parent / "data"
API = "https://shop.test/rest/default"
DETAILED = {"lookupLevel": "DETAILED", "uniqueMatchRequired": True, "query": {"externalCustomerId": "2"}}


def load(name):
    return json.loads((DATA / name).read_text())


@pytest.fixture(autouse=True)
def _cold_catalog():
    clear_catalogs()
    yield
    clear_catalogs()


def bad_reply_error(response) -> dict:
    assert response.status_code == 502, response.get_json()
    [error] = response.get_json()["errors"]
    assert error["code"] == "magento_bad_reply"
    return error


@pytest.mark.parametrize(("reply", "where"), [
    ({"items": "nope"}, "items should be a list"),
    ([], "the reply should be an object"),
    ({"items": [{"email": "x@example.com"}]}, "items[0].id should be present"),
    ({"items": [{"id": 1, "addresses": [{"street": {"a": 1}}]}]}, "items[0].addresses[0].street should be a street"),
])
def test_a_misshapen_search_reply_is_a_502_naming_the_field(lookup, magento, reply, where):
    magento.get(f"{API}/V1/customers/search", json=reply)
    magento.get(f"{API}/V1/orders", json={"items": [], "total_count": 0})
    error = bad_reply_error(lookup({"lookupLevel": "BASIC", "query": {"emails": ["x@example.com"], "id": "g1"}}))
    assert error["detail"] == ("Magento's answer to GET /V1/customers/search is not what the bridge expects: "
                               f"{where}.")
    assert "x@example.com" not in error["detail"]


def detailed_reads(magento, store_configs, cold=True):
    """The reads of a detailed lookup of a customer without orders; ``cold``: the good store facts too."""
    if cold:
        magento.get(f"{API}/V1/gladly/config", status=404, json={"message": "Request does not match any route."})
        magento.get(f"{API}/V1/store/websites", json=load("magento_websites.json"))
    magento.get(f"{API}/V1/store/storeConfigs", json=store_configs)
    magento.get(f"{API}/V1/customers/2", json=load("magento_customer.json"))
    magento.get(f"{API}/V1/orders", json={"items": [], "total_count": 0})


def test_a_bad_store_configs_answer_is_not_cached(lookup, magento):
    detailed_reads(magento, {"message": "a maintenance page's JSON"})
    error = bad_reply_error(lookup(DETAILED))
    assert "GET /V1/store/storeConfigs" in error["detail"] and "the reply should be a list" in error["detail"]
    detailed_reads(magento, load("magento_store_configs.json"), cold=False)  # Magento is well again
    answer = lookup(DETAILED)
    assert answer.status_code == 200 and answer.get_json()["results"][0]["externalCustomerId"] == "2"
    assert [call.request.url.split("?")[0] for call in magento.calls].count(f"{API}/V1/store/storeConfigs") == 2


def test_a_timeout_after_a_bad_answer_is_still_a_clean_error(lookup, magento):
    import requests

    detailed_reads(magento, [{"id": "one"}])
    bad_reply_error(lookup(DETAILED))
    magento.get(f"{API}/V1/store/storeConfigs", body=requests.ReadTimeout("read timed out"))
    magento.get(f"{API}/V1/customers/2", json=load("magento_customer.json"))
    magento.get(f"{API}/V1/orders", json={"items": [], "total_count": 0})
    reply = lookup(DETAILED)
    assert reply.status_code == 504 and reply.get_json()["errors"][0]["code"] == "magento_timeout"
    # The websites read runs beside the failing storeConfigs read; whether it starts before the failure
    # cancels it depends on scheduling (it failed CI once), and it is not what this test is about.
    magento.remove("GET", f"{API}/V1/store/websites")


def test_a_misshapen_order_stops_an_action_before_any_write(client, gladly_headers, magento):
    magento.get(f"{API}/V1/gladly/config", status=404, json={"message": "Request does not match any route."})
    magento.get(f"{API}/V1/orders/7", json=["not", "an", "order"])
    body = b'{"comment": ""}'
    query = f"orderId=7&token={form_token('hold')}"
    reply = client.post(f"/gladly/actions/hold?{query}", data=body,
                        headers=gladly_headers("POST", "/gladly/actions/hold", body, query=query))
    assert reply.status_code == 400
    assert "GET /V1/orders/7 is not what the bridge expects" in reply.get_json()["errors"][0]["detail"]


def test_the_fixtures_fit_their_shapes():
    for name, shape in [("magento_customer.json", resources.CUSTOMER), ("magento_customers_search.json",
                        resources.CUSTOMERS), ("magento_orders.json", resources.ORDERS),
                        ("magento_guest_orders.json", resources.ORDERS), ("magento_order_totals.json",
                        resources.ORDER_TOTALS), ("magento_shipments.json", resources.SHIPMENTS),
                        ("magento_products.json", resources.PRODUCTS), ("magento_store_configs.json",
                        resources.STORE_CONFIGS), ("magento_websites.json", resources.WEBSITES)]:
        shapes.check(load(name), shape, name)


def test_the_module_settings_shape_checks_order_statuses():
    good = {"admin_base_url": "https://shop.test/admin/", "order_statuses": [
        {"store_id": 0, "code": "holded", "label": "On Hold"}, {"store_id": 1, "code": "holded", "label": "Paused"}]}
    assert shapes.check(good, resources.COMPANION_CONFIG, "GET /V1/gladly/config") == good
    bad = {"order_statuses": [{"store_id": 0, "code": "holded", "label": ["On Hold"]}]}
    with pytest.raises(MagentoBadReply, match=r"order_statuses\[0\]\.label should be a string"):
        shapes.check(bad, resources.COMPANION_CONFIG, "GET /V1/gladly/config")
