"""Every lookup kind through the pinned bridge, checked field by field against what Magento itself holds.

Expected values are read back from Magento with an admin token (and, for status labels, from its status
table), never taken from the bridge's own code.
"""
from __future__ import annotations

import pytest

from magento_bridges import gladly_time
from magento_bridges import money


def basic(bridge, query: dict, unique: bool = True) -> list[dict]:
    reply = bridge.lookup({"lookupLevel": "BASIC", "uniqueMatchRequired": unique, "query": query})
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]


def detailed(bridge, customer_id: str) -> dict:
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": customer_id}})
    assert reply.status_code == 200, reply.text
    results = reply.json()["results"]
    assert len(results) == 1, results
    return results[0]


@pytest.fixture(scope="module")
def status_labels(magento) -> dict[str, str]:
    return dict(magento.sql("SELECT status, label FROM sales_order_status"))


def product_url(magento, product_id: int) -> str:
    """The storefront URL of a product: its url_key and the store's default .html suffix."""
    product = magento.search("/V1/products", ("entity_id", product_id, "eq"))[0]
    url_key = next(a["value"] for a in product["custom_attributes"] if a["attribute_code"] == "url_key")
    return f"{magento.base_url}{url_key}.html"


def expected_order(magento, entity_id: int, labels: dict[str, str]) -> dict:
    """The ORDER transaction an agent should see, derived from Magento's own records."""
    order = magento.get(f"/V1/orders/{entity_id}")
    shipments = magento.search("/V1/shipments", ("order_id", entity_id, "eq"))
    lines = [item for item in order["items"] if not item.get("parent_item_id")]
    billing = order["billing_address"]
    done = all(item["qty_shipped"] + item.get("qty_refunded", 0) + item.get("qty_canceled", 0) >= item["qty_ordered"]
               for item in lines)
    discount = abs(order.get("discount_amount") or 0)
    # Line totals from the database: REST's row_total is rewritten, without the quantity on 2.4.8 (orders.line_total).
    row_totals = dict(magento.sql(f"SELECT item_id, row_total FROM sales_order_item WHERE order_id = {int(entity_id)}"))
    return {
        "orderNumber": order["increment_id"],
        "createdAt": gladly_time(order["created_at"]),
        "orderStatus": labels[order["status"]],
        "orderTotal": money(order["grand_total"]),
        "currencyCode": order["order_currency_code"],
        "itemCount": len(lines),
        "discount": money(discount) if discount else "",
        "fulfilled": "Yes" if done and any(item["qty_shipped"] for item in lines) else "No",
        "shippingMethod": order["shipping_description"],
        "billingAddress": {
            "name": f"{billing['firstname']} {billing['lastname']}", "phone": billing["telephone"],
            "street1": billing["street"][0], "street2": "", "city": billing["city"],
            "state": billing["region_code"], "country": billing["country_id"], "zip": billing["postcode"]},
        "products": [{"id": str(item["item_id"]), "name": item["name"], "sku": item["sku"],
                      "quantity": item["qty_ordered"], "unitPrice": money(item["price"]),
                      "total": money(row_totals[str(item["item_id"])]),
                      "productUrl": product_url(magento, item["product_id"])}
                     for item in lines],
        "trackingNumbers": sorted(track["track_number"] for shipment in shipments for track in shipment["tracks"]),
        "carriers": sorted(track["title"] for shipment in shipments for track in shipment["tracks"]),
    }


def shown_order(transaction: dict) -> dict:
    """The same fields as :func:`expected_order`, read from the bridge's answer."""
    keys = ("orderNumber", "createdAt", "orderStatus", "orderTotal", "currencyCode", "itemCount", "discount",
            "fulfilled", "shippingMethod", "billingAddress")
    shown = {key: transaction.get(key) for key in keys}
    shown["products"] = [{key: line.get(key) for key in ("id", "name", "sku", "quantity", "unitPrice", "total",
                                                          "productUrl")} for line in transaction["products"]]
    shown["trackingNumbers"] = sorted(f["trackingNumber"] for f in transaction["fulfillments"] if f["trackingNumber"])
    shown["carriers"] = sorted(f["carrier"] for f in transaction["fulfillments"] if f["trackingNumber"])
    return shown


# --- auto-link and search ------------------------------------------------------------------------------


def test_auto_link_by_email_finds_the_one_customer(pinned_bridge, seed):
    bob = seed.customers["bob"]
    results = basic(pinned_bridge, {"emails": [bob["email"]]})
    assert [r["externalCustomerId"] for r in results] == [str(bob["id"])]
    assert results[0]["name"] == f"{bob['firstname']} {bob['lastname']}"
    assert results[0]["emails"] == [{"original": bob["email"]}]


def test_auto_link_uses_every_email_on_the_profile(pinned_bridge, seed):
    bob = seed.customers["bob"]
    results = basic(pinned_bridge, {"emails": ["nobody.here@example.com", bob["email"].upper()]})
    assert [r["externalCustomerId"] for r in results] == [str(bob["id"])]


def test_the_same_email_on_two_websites_is_never_auto_linked(pinned_bridge, seed):
    alice, other = seed.customers["alice"], seed.customers["alice_second_site"]
    # An agent's search sends strings (gladly-lookup-adaptor.md §2.3): both accounts are candidates.
    results = basic(pinned_bridge, {"emails": alice["email"]}, unique=False)
    assert sorted(r["externalCustomerId"] for r in results) == sorted([str(alice["id"]), str(other["id"])])
    # Auto-link sends arrays and the Gladly id (§2.4 rule 5): two matches link neither.
    assert basic(pinned_bridge, {"id": "gladly-profile-1", "emails": [alice["email"]]}, unique=False) == []


def test_auto_link_by_mobile_phone_of_the_default_billing_address(pinned_bridge, seed):
    bob = seed.customers["bob"]  # stored as "512-555-0102"; Gladly sends E.164
    results = basic(pinned_bridge, {"phones": ["+15125550102"]})
    assert [r["externalCustomerId"] for r in results] == [str(bob["id"])]


def test_a_guest_shopper_is_found_by_email(pinned_bridge, seed, magento):
    results = basic(pinned_bridge, {"emails": [seed.guest["email"]]})
    assert [r["externalCustomerId"] for r in results] == [f"guest:{seed.guest['email']}"]
    assert results[0]["name"] == f"{seed.guest['firstname']} {seed.guest['lastname']}"


def test_search_by_name(pinned_bridge, seed):
    carol = seed.customers["carol"]
    results = basic(pinned_bridge, {"name": f"{carol['firstname']} {carol['lastname']}"}, unique=False)
    assert [r["externalCustomerId"] for r in results] == [str(carol["id"])]


def test_search_by_order_number(pinned_bridge, seed):
    order = seed.orders["bob_shipped"]
    results = basic(pinned_bridge, {"orderNumber": order["increment_id"]}, unique=False)
    assert [r["externalCustomerId"] for r in results] == [str(seed.customers["bob"]["id"])]


def test_an_unknown_shopper_is_no_result_not_an_error(pinned_bridge):
    assert basic(pinned_bridge, {"emails": ["no.such.shopper@example.com"]}) == []


# --- detailed lookups ----------------------------------------------------------------------------------


def test_detailed_customer_matches_magento_field_by_field(pinned_bridge, seed, magento, status_labels):
    bob = seed.customers["bob"]
    profile = detailed(pinned_bridge, str(bob["id"]))
    customer = magento.get(f"/V1/customers/{bob['id']}")
    orders = magento.search("/V1/orders", ("customer_id", bob["id"], "eq"))
    group = magento.get(f"/V1/customerGroups/{customer['group_id']}")["code"]
    websites = {w["id"]: w["name"] for w in magento.get("/V1/store/websites")}
    live = [o for o in orders if o["state"] != "canceled"]
    attributes = profile["customAttributes"]
    assert profile["name"] == f"{customer['firstname']} {customer['lastname']}"
    assert profile["emails"] == [{"original": customer["email"]}]
    assert attributes["customerGroup"] == group
    assert attributes["website"] == websites[customer["website_id"]]
    assert attributes["orderCount"] == str(len(orders))
    assert attributes["lifetimeValue"] == money(sum(o["grand_total"] - (o.get("total_refunded") or 0) for o in live))
    assert attributes["customerLink"].startswith(magento.admin_url)
    # Newest first, every order of the customer, each exactly as Magento holds it.
    assert [t["orderNumber"] for t in profile["transactions"]] == [
        o["increment_id"] for o in sorted(orders, key=lambda o: (o["created_at"], o["entity_id"]), reverse=True)]
    for transaction in profile["transactions"]:
        entity_id = next(o["entity_id"] for o in orders if o["increment_id"] == transaction["orderNumber"])
        assert shown_order(transaction) == expected_order(magento, entity_id, status_labels)
        assert transaction["orderLink"].startswith(magento.admin_url)


def test_detailed_lookup_shows_discounts_and_configurable_lines_once(pinned_bridge, seed, magento, status_labels):
    alice = seed.customers["alice"]
    profile = detailed(pinned_bridge, str(alice["id"]))
    order = seed.orders["alice_discounted"]
    transaction = next(t for t in profile["transactions"] if t["orderNumber"] == order["increment_id"])
    expected = expected_order(magento, order["entity_id"], status_labels)
    assert expected["discount"]  # the seed applied a coupon
    assert shown_order(transaction) == expected
    assert sorted(line["sku"] for line in transaction["products"]) == ["GLADLY-HOODIE-S", "GLADLY-TEE"]


def test_detailed_guest_lookup_shows_the_guest_orders(pinned_bridge, seed, magento, status_labels):
    profile = detailed(pinned_bridge, f"guest:{seed.guest['email']}")
    guest_orders = [order for order in seed.orders.values() if order["customer"] == "guest"]
    assert sorted(t["orderNumber"] for t in profile["transactions"]) == sorted(o["increment_id"] for o in guest_orders)
    for order in guest_orders:
        transaction = next(t for t in profile["transactions"] if t["orderNumber"] == order["increment_id"])
        assert shown_order(transaction) == expected_order(magento, order["entity_id"], status_labels)


def test_partly_shipped_and_partly_refunded_lines_say_so(pinned_bridge, seed):
    profile = detailed(pinned_bridge, str(seed.customers["bob"]["id"]))
    by_number = {t["orderNumber"]: t for t in profile["transactions"]}
    partly_shipped = by_number[seed.orders["bob_partly_shipped"]["increment_id"]]
    assert [line["status"] for line in partly_shipped["products"]] == ["shipped", "invoiced"]
    assert partly_shipped["fulfilled"] == "No"
    refunded = by_number[seed.orders["bob_partly_refunded"]["increment_id"]]
    assert refunded["products"][0]["status"] == "invoiced"  # one of two refunded, one still open
    assert by_number[seed.orders["bob_shipped"]["increment_id"]]["fulfilled"] == "Yes"


def test_a_line_of_two_shows_the_line_total_the_database_holds(pinned_bridge, seed, magento):
    order = seed.orders["bob_shipped"]  # 2 x Gladly Tee at $25.00 and a mug
    profile = detailed(pinned_bridge, str(seed.customers["bob"]["id"]))
    transaction = next(t for t in profile["transactions"] if t["orderNumber"] == order["increment_id"])
    line = next(line for line in transaction["products"] if line["sku"] == "GLADLY-TEE")
    price, qty_ordered, row_total = magento.sql(
        f"SELECT price, qty_ordered, row_total FROM sales_order_item WHERE item_id = {int(line['id'])}")[0]
    assert float(qty_ordered) == 2 and float(row_total) == 2 * float(price) == 50
    rest = next(item for item in magento.get(f"/V1/orders/{order['entity_id']}")["items"]
                if item["item_id"] == int(line["id"]))
    assert (line["quantity"], line["unitPrice"], line["total"]) == (2, money(price), money(row_total)), (
        f"REST's row_total on this version: {rest['row_total']}")
