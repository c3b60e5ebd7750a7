"""Auto-link, basic search and detailed lookup over HTTP: gunicorn bridge + sandbox store processes."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def auto_link(bridge, **query):
    return bridge.lookup({"lookupLevel": "BASIC", "uniqueMatchRequired": False,
                          "query": {"id": "gladly-1", "name": "Someone", **query}})


def test_ops_health(bridge):
    import requests

    assert requests.get(bridge.url + "/healthz", timeout=5).json() == {"status": "ok"}


def test_auto_link_by_email(bridge):
    reply = auto_link(bridge, emails=["SAM@example.com"])
    assert reply.status_code == 200
    results = reply.json()["results"]
    assert [r["externalCustomerId"] for r in results] == ["3"]
    assert {"original": "sam@example.com"} in results[0]["emails"]


def test_auto_link_refuses_an_email_shared_by_two_websites(bridge):
    reply = auto_link(bridge, emails=["jane@example.com"])
    assert reply.status_code == 200
    assert reply.json() == {"results": []}


def test_auto_link_by_mobile_phone(bridge):
    reply = auto_link(bridge, emails=[], phones=["+14155550134"])
    assert [r["externalCustomerId"] for r in reply.json()["results"]] == ["3"]


def test_auto_link_guest_only_shopper(bridge):
    reply = auto_link(bridge, emails=["guest@example.org"])
    assert [r["externalCustomerId"] for r in reply.json()["results"]] == ["guest:guest@example.org"]


def test_basic_search_lists_both_websites(bridge):
    reply = bridge.lookup({"lookupLevel": "BASIC", "uniqueMatchRequired": False,
                           "query": {"emails": "jane@example.com"}})
    ids = sorted(r["externalCustomerId"] for r in reply.json()["results"])
    assert ids == ["1", "2"]


def test_basic_search_by_name(bridge):
    reply = bridge.lookup({"lookupLevel": "BASIC", "uniqueMatchRequired": False, "query": {"name": "Sam Smith"}})
    assert "3" in [r["externalCustomerId"] for r in reply.json()["results"]]


def test_detailed_lookup(bridge, sandbox):
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": "1", "id": "gladly-1"}})
    assert reply.status_code == 200
    [profile] = reply.json()["results"]
    assert profile["externalCustomerId"] == "1"
    assert profile["customAttributes"]["customerSince"].startswith("20")
    assert profile["customAttributes"]["customerLink"].startswith(sandbox.url + "admin/")
    orders = profile["transactions"]
    assert orders and all(o["type"] == "ORDER" for o in orders)
    created = [o["createdAt"] for o in orders]
    assert created == sorted(created, reverse=True)
    assert all(o["createdAt"].endswith("Z") for o in orders)
    assert all(o["fulfilled"] in ("Yes", "No") for o in orders)
    lines = [line for order in orders for line in order["products"]]
    assert lines and all(line["productUrl"].startswith(sandbox.url) for line in lines)
    shipped = [f for order in orders for f in order.get("fulfillments", [])]
    assert any(f["trackingNumber"] for f in shipped)


def test_detailed_lookup_shows_refunds_addresses_payment_and_comments(bridge, sandbox):
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": "3"}})
    orders = {o["orderNumber"]: o for o in reply.json()["results"][0]["transactions"]}
    # Sandbox orders of Sam: 4 partly refunded (the mug), 5 refunded in full, 6 canceled.
    partly, full, canceled = (orders[f"00000000{n}"] for n in (4, 5, 6))
    assert partly["totalRefunded"] == "$12.00" and full["totalRefunded"] == "$24.50"  # 3 x $6.50 + $5 shipping
    assert partly["refunds"].endswith(" · $12.00 · offline") and partly["refunds"].count("\n") == 0
    assert (canceled["refunds"], canceled["totalRefunded"]) == ("", "")
    ship_to = {"name": "Sam Smith", "phone": "+1 (415) 555-0134", "street1": "500 Market St", "street2": "",
               "city": "San Francisco", "state": "CA", "country": "US", "zip": "94105"}
    assert partly["shippingAddress"] == ship_to
    assert [f["shippingAddress"] for f in partly["fulfillments"]] == [ship_to]
    assert {o["paymentMethod"] for o in orders.values()} == {"Check / Money order"}
    assert partly["customerOrderUrl"] == f"{sandbox.url}sales/order/view/order_id/{partly['orderLink'].split('/')[-2]}/"
    # Newest comment first: the refund came after the capture.
    assert partly["note"].split("\n")[0].endswith("We refunded $12.00 offline.")
    assert canceled["note"].endswith("Order canceled.")


def test_detailed_lookup_unknown_customer_is_empty(bridge):
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": "999999"}})
    assert reply.json() == {"results": []}


def test_unsigned_lookup_is_rejected(bridge):
    import requests

    reply = requests.post(bridge.url + "/gladly/lookup", json={"lookupLevel": "BASIC", "query": {}}, timeout=5)
    assert reply.status_code == 401
    assert reply.json()["errors"][0]["code"]
