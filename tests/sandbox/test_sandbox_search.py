"""searchCriteria, fields projections, shapes, 404s and ACL of the read API (magento-rest.md §3-8, §13)."""

import pytest
from sandbox_helpers import criteria

from sandbox import search
from sandbox.__main__ import parse_args
from sandbox.integrations import RESOURCES
from sandbox.rest import ROUTES


def ids(reply, key="entity_id"):
    return [item[key] for item in reply.get_json()["items"]]


def test_missing_search_criteria_is_a_400(signed):
    reply = signed("GET", "/rest/V1/orders")
    assert reply.status_code == 400
    assert reply.get_json() == {"message": '"%fieldName" is required. Enter and try again.',
                                "parameters": {"fieldName": "searchCriteria"}}


@pytest.mark.parametrize("name", ["pageSize", "currentPage"])
def test_a_page_number_that_is_not_an_integer_is_a_400(signed, name):
    reply = signed("GET", "/rest/V1/orders", {f"searchCriteria[{name}]": "x"})
    assert reply.status_code == 400
    assert reply.get_json() == {"message": f'Error occurred during "{name}" processing. The "x" value\'s type '
                                           'is invalid. The "int" type was expected. Verify and try again.'}


@pytest.mark.parametrize("spelling", ["snake", "camel"])
def test_both_spellings_filter_alike(signed, spelling):
    params = criteria([("customer_email", "JANE@example.com", "eq")], spelling=spelling)
    assert ids(signed("GET", "/rest/V1/orders", params)) == [1, 2, 3, 9]


def test_or_inside_a_group_and_between_groups(signed):
    params = criteria([("state", "closed", "eq"), ("state", "canceled", "eq")],
                      [("customer_email", "sam@example.com", "eq")])
    assert ids(signed("GET", "/rest/V1/orders", params)) == [5, 6]
    params = criteria([("state", "closed", "eq")], [("customer_email", "jane@example.com", "eq")])
    assert ids(signed("GET", "/rest/V1/orders", params)) == []


@pytest.mark.parametrize("condition, value, expected", [
    ("neq", "processing", [1, 3, 5, 6, 7]),
    ("gt", "100", [2, 4, 8]),
    ("gteq", "106", [2, 4, 8]),
    ("lt", "29", [5, 6]),
    ("lteq", "29", [3, 5, 6]),
    ("in", "1, 5,9", [1, 5, 9]),
    ("nin", "1,2,3,4,5,6,7", [8, 9]),
    ("like", "%GUEST%", [7, 8]),
    ("nlike", "%example.com", [7, 8]),
    ("null", "", [7, 8]),
    ("notnull", "", [1, 2, 3, 4, 5, 6, 9]),
    ("from", "2024-03-01 00:00:00", [1, 2, 9]),
    ("to", "2024-01-21 00:00:00", [5]),
])
def test_condition_types(signed, condition, value, expected):
    field = {"neq": "status", "in": "entity_id", "nin": "entity_id", "like": "customer_email",
             "nlike": "customer_email", "null": "customer_id", "notnull": "customer_id",
             "from": "created_at", "to": "created_at"}.get(condition, "grand_total")
    reply = signed("GET", "/rest/V1/orders", criteria([(field, value, condition)]))
    assert ids(reply) == expected


def test_finset():
    rows = [{"id": 1, "tags": "a,b"}, {"id": 2, "tags": "bc"}]
    crit = search.parse_criteria(criteria([("tags", "b", "finset")]).items())
    assert [r["id"] for r in search.search(rows, crit)["items"]] == [1]


def test_from_and_to_need_separate_groups(signed):
    """Filters in one group are ORed, so a date range takes two groups (§3.2)."""
    one = criteria([("created_at", "2024-02-01", "from"), ("created_at", "2024-02-20", "to")])
    two = criteria([("created_at", "2024-02-01", "from")], [("created_at", "2024-02-20", "to")])
    assert len(ids(signed("GET", "/rest/V1/orders", one))) == 9
    assert ids(signed("GET", "/rest/V1/orders", two)) == [3, 4]


def test_sort_page_and_echo(signed):
    params = criteria([("customer_email", "jane@example.com", "eq")],
                      sort=[("created_at", "DESC")], page_size=2, page=2)
    body = signed("GET", "/rest/V1/orders", params).get_json()
    assert [o["increment_id"] for o in body["items"]] == ["2000000001", "000000003"]
    assert body["total_count"] == 4
    assert body["search_criteria"] == {
        "filter_groups": [{"filters": [{"field": "customer_email", "value": "jane@example.com",
                                        "condition_type": "eq"}]}],
        "sort_orders": [{"field": "created_at", "direction": "DESC"}],
        "page_size": 2, "current_page": 2}


def test_overflowing_page_returns_the_last_page(signed):
    params = criteria([("customer_email", "sam@example.com", "eq")], page_size=2, page=9)
    assert ids(signed("GET", "/rest/V1/orders", params)) == [6]


@pytest.mark.parametrize("field, value, condition, expected", [
    ("email", "jane@example.com", "eq", [1, 2]),
    ("name", "%Sam%Smith%", "like", [3]),
    ("billing_telephone", "%1111", "like", [1]),
    ("billing_telephone", "+1 (415) 555-0134", "eq", [3]),
    ("billing_postcode", "97201", "eq", [4]),
    ("billing_city", "london", "eq", [2]),
    ("billing_country_id", "US", "eq", [1, 3, 4]),
    ("website_id", "2", "eq", [2]),
])
def test_customer_search_fields(signed, field, value, condition, expected):
    reply = signed("GET", "/rest/V1/customers/search", criteria([(field, value, condition)]))
    assert ids(reply, "id") == expected


def test_fields_projection_on_lists_and_objects(signed):
    params = {**criteria([("entity_id", "2", "eq")]),
              "fields": "items[entity_id,increment_id,items[sku,name]],total_count"}
    assert signed("GET", "/rest/V1/orders", params).get_json() == {
        "items": [{"entity_id": 2, "increment_id": "000000002", "items": [
            {"sku": "SB-WATCH", "name": "Field Watch"},
            {"sku": "SB-TEE-M-BLUE", "name": "Classic Tee"},
            {"sku": "SB-TEE-M-BLUE", "name": "Classic Tee Blue M"},
            {"sku": "SB-TOTE", "name": "Canvas Tote"}]}],
        "total_count": 1}
    reply = signed("GET", "/rest/V1/orders/2", {"fields": "billing_address[telephone],payment[method]"})
    assert reply.get_json() == {"billing_address": {"telephone": "512-555-1111"},
                                "payment": {"method": "braintree"}}


def test_parse_fields():
    assert search.parse_fields("a, b[c,d[e]],f") == {"a": None, "b": {"c": None, "d": {"e": None}},
                                                     "f": None}


def test_order_shape(signed):
    order = signed("GET", "/rest/V1/orders/2").get_json()
    for field in ("entity_id", "increment_id", "state", "status", "created_at", "updated_at",
                  "store_id", "customer_email", "customer_id", "customer_firstname",
                  "customer_lastname", "customer_is_guest", "customer_group_id", "grand_total",
                  "base_grand_total", "subtotal", "discount_amount", "shipping_amount",
                  "shipping_description", "tax_amount", "total_paid", "total_invoiced",
                  "total_refunded", "total_due", "total_canceled", "order_currency_code",
                  "base_currency_code", "total_item_count", "items", "billing_address",
                  "payment", "status_histories", "extension_attributes"):
        assert field in order, field
    parent, child = order["items"][1], order["items"][2]
    assert (parent["product_type"], parent["product_id"], parent["price"]) == ("configurable", 10, 25.0)
    assert (child["parent_item_id"], child["price"], child["product_type"]) == (parent["item_id"], 0.0, "simple")
    assert child["parent_item"]["item_id"] == parent["item_id"]
    assert order["extension_attributes"]["shipping_assignments"][0]["shipping"]["method"]


def test_guest_and_discount_orders(signed):
    order = signed("GET", "/rest/V1/orders/8").get_json()
    assert order["customer_is_guest"] == 1 and order.get("customer_id") is None
    assert order["discount_amount"] == -10.0 and order["discount_description"] == "SAVE10"


def test_shipments_with_tracks(signed):
    reply = signed("GET", "/rest/V1/shipments", criteria([("order_id", "2,3", "in")]))
    tracks = [t["carrier_code"] for s in reply.get_json()["items"] for t in s["tracks"]]
    assert tracks == ["ups", "usps", "custom", "fedex"]
    assert signed("GET", "/rest/V1/shipment/1").get_json()["items"][0]["sku"] == "SB-WATCH"


def test_products_by_entity_id_and_sku(signed):
    params = criteria([("entity_id", "10,1", "in")])
    body = signed("GET", "/rest/V1/products", params).get_json()
    assert [p["sku"] for p in body["items"]] == ["SB-MUG", "SB-TEE"]
    product = signed("GET", "/rest/default/V1/products/SB-TEE-S-BLUE").get_json()
    assert product["visibility"] == 1
    assert {"attribute_code": "url_key", "value": "classic-tee-blue-s"} in product["custom_attributes"]


def test_store_configs_follow_the_request_host(signed):
    configs = signed("GET", "/rest/V1/store/storeConfigs").get_json()
    assert [(c["code"], c["base_currency_code"]) for c in configs] == [("default", "USD"), ("uk", "GBP")]
    assert configs[1]["secure_base_link_url"] == "http://localhost/uk/"
    assert configs[0]["secure_base_media_url"] == "http://localhost/media/"
    views = signed("GET", "/rest/V1/store/storeViews").get_json()
    assert [v["code"] for v in views] == ["admin", "default", "uk"]
    websites = signed("GET", "/rest/V1/store/websites").get_json()
    assert [(w["id"], w["name"]) for w in websites] == [(0, "Admin"), (1, "Main Website"), (2, "UK Website")]


@pytest.mark.parametrize("path, body", [
    ("/rest/V1/orders/99", {"message": "The entity that was requested doesn't exist. Verify the "
                                       "entity and try again."}),
    ("/rest/V1/customers/99", {"message": "No such entity with %fieldName = %fieldValue",
                               "parameters": {"fieldName": "customerId", "fieldValue": 99}}),
    ("/rest/V1/products/NOPE", {"message": "The product that was requested doesn't exist. Verify "
                                           "the product and try again."}),
    ("/rest/V1/nothing", {"message": "Request does not match any route."}),
    ("/rest/mars/V1/orders/1", {"message": "Request does not match any route."}),
])
def test_not_found_bodies(signed, path, body):
    reply = signed("GET", path)
    assert (reply.status_code, reply.get_json()) == (404, body)


def test_acl_denial(signed, sandbox_store):
    sandbox_store.deny("Magento_Sales::shipment")
    reply = signed("GET", "/rest/V1/shipment/1")
    assert reply.status_code == 401
    assert reply.get_json()["parameters"] == {"resources": "Magento_Sales::shipment"}
    assert signed("GET", "/rest/V1/orders/1").status_code == 200
    sandbox_store.grant("Magento_Sales::shipment")
    assert signed("GET", "/rest/V1/shipment/1").status_code == 200


def test_acl_over_http_and_cli(sandbox_client, signed):
    sandbox_client.post("/sandbox/acl", json={"deny": ["Gladly_Connector::config"]})
    assert signed("GET", "/rest/V1/gladly/config").status_code == 401
    assert parse_args(["--deny", "Magento_Sales::hold,Magento_Sales::unhold"]).deny
    with pytest.raises(SystemExit):
        parse_args(["--deny", "Magento_Sales::everything"])


def test_every_route_names_a_known_resource():
    assert {resource for _, _, resource in ROUTES} == set(RESOURCES)


def test_stats_count_every_call(signed, sandbox_client):
    signed("GET", "/rest/V1/orders/1")
    signed("GET", "/rest/uk/V1/orders/2")
    signed("GET", "/rest/V1/customers/1")
    assert sandbox_client.get("/sandbox/stats").get_json() == {
        "calls": 3,
        "by_route": {"GET /V1/orders/{order_id}": 2, "GET /V1/customers/{customer_id}": 1}}
    assert sandbox_client.post("/sandbox/reset-stats").get_json() == {"calls": 0, "by_route": {}}


def test_busy_dataset(signed, sandbox_store):
    sandbox_store.dataset_name = "busy"
    sandbox_store.reset()
    orders = signed("GET", "/rest/V1/orders", {
        **criteria([("customer_email", "busy@example.com", "eq")]),
        "fields": "items[entity_id,items[sku,parent_item_id]],total_count"}).get_json()
    assert orders["total_count"] == 20
    lines = [row["sku"] for o in orders["items"] for row in o["items"]]
    assert (len(lines), len(set(lines))) == (60, 40)
    order_ids = ",".join(str(o["entity_id"]) for o in orders["items"])
    shipments = signed("GET", "/rest/V1/shipments", criteria([("order_id", order_ids, "in")]))
    assert shipments.get_json()["total_count"] == 25
