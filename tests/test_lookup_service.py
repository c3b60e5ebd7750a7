"""run_lookup against a strictly mocked Magento: every lookup kind, its exact calls and the mapping."""
import copy
import json
from pathlib import Path

import pytest
from responses import matchers

from bridge import create_app
from bridge.config import READ_PLANS
from bridge.errors import ConfigError
from bridge.errors import MagentoUnauthorized
from bridge.lookup.matching import CUSTOMER_FIELDS
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import Action
from bridge.lookup.model import Address
from bridge.lookup.model import LookupQuery
from bridge.lookup.model import Phone
from bridge.lookup.model import Refund
from bridge.lookup.service import LookupSettings
from bridge.lookup.service import run_lookup
from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient
from bridge.magento.resources import CREDIT_MEMO_FIELDS

pytestmark = pytest.mark.usefixtures("cold_catalog")

DATA = Path(__file__).parent / "data"
API = "https://shop.test/rest/default"
SETTINGS = LookupSettings(magento_url="https://shop.test/", admin_url="https://shop.test/admin/", order_limit=3,
                          search_limit=10)
NOT_FOUND = {"message": "The \"%1\" was not found.", "parameters": ["route"]}
TOTAL_FIELDS = ("items[state,created_at,store_id,grand_total,total_refunded,base_grand_total,base_total_refunded,"
                "order_currency_code,base_currency_code],total_count")


def load(name):
    return json.loads((DATA / name).read_text())


def criteria(*groups, size, page=1, sort=(), **extra):
    """Expected searchCriteria parameters; each group is a list of (field, value[, condition]) ORed filters."""
    params = {}
    for i, group in enumerate(groups):
        for j, (field, value, *condition) in enumerate(group):
            prefix = f"searchCriteria[filter_groups][{i}][filters][{j}]"
            params |= {f"{prefix}[field]": field, f"{prefix}[value]": value}
            if condition:
                params[f"{prefix}[condition_type]"] = condition[0]
    for k, (field, direction) in enumerate(sort):
        params |= {f"searchCriteria[sortOrders][{k}][field]": field,
                   f"searchCriteria[sortOrders][{k}][direction]": direction}
    return params | {"searchCriteria[pageSize]": str(size), "searchCriteria[currentPage]": str(page)} | extra


def listing(items, total=None):
    return {"items": items, "search_criteria": {}, "total_count": len(items) if total is None else total}



@pytest.fixture
def shop():
    client = MagentoClient("https://shop.test/", Credentials("ck", "cs", "at", "as"), retries=0)
    yield client
    client.close()


@pytest.fixture
def expect(magento):
    """Mock one GET whose query contains ``params`` (exactly, with ``strict=True``)."""

    def add(path, params, body, status=200, strict=False):
        magento.get(API + path, json=body, status=status,
                    match=[matchers.query_param_matcher(params, strict_match=strict)])

    return add


def expect_store(expect, companion=None, websites=True):
    """The store-level calls a cold catalog makes; the companion module and websites may answer 404."""
    if companion is None:
        expect("/V1/gladly/config", {}, NOT_FOUND, status=404, strict=True)
    else:
        expect("/V1/gladly/config", {}, companion, strict=True)
    expect("/V1/store/storeConfigs", {}, load("magento_store_configs.json"), strict=True)
    if websites:
        expect("/V1/store/websites", {}, load("magento_websites.json"), strict=True)
    else:
        expect("/V1/store/websites", {}, NOT_FOUND, status=404, strict=True)


def expect_owner_orders(expect, owner, recent, totals=None, limit=3):
    """The orders calls of a detailed lookup: the newest ``limit`` and, when the shopper has more orders than
    that, the money of all of them (``totals``)."""
    expect("/V1/orders", criteria(*owner, size=limit, sort=[("created_at", "DESC")]), recent)
    if totals is not None:
        expect("/V1/orders", criteria(*owner, size=300, sort=[("entity_id", "ASC")], fields=TOTAL_FIELDS), totals)


def detailed(external_id):
    return LookupQuery(kind=DETAILED, external_customer_id=external_id)


def cancel_action(order):
    return [Action("Cancel order", f"/actions/cancel-form?orderId={order['entity_id']}")]


# --- detailed lookup ------------------------------------------------------------------------------------

def test_detailed_lookup_maps_customer_orders_lines_and_shipments(shop, expect):
    expect("/V1/customers/2", {"fields": CUSTOMER_FIELDS}, load("magento_customer.json"), strict=True)
    expect_owner_orders(expect, [[("customer_id", "2")]], load("magento_orders.json"),
                        load("magento_order_totals.json"))
    expect_store(expect)
    expect("/V1/shipments", criteria([("order_id", "4,3,2", "in")], size=300), load("magento_shipments.json"))
    expect("/V1/products", criteria([("entity_id", "67,1553,1600,1700,2001", "in")], size=5),
           load("magento_products.json"))
    # Only order 3 has a refund, so only its credit memos are asked for.
    expect("/V1/creditmemos", criteria([("order_id", "3", "in")], size=300, fields=CREDIT_MEMO_FIELDS),
           load("magento_creditmemos.json"), strict=True)

    [profile] = run_lookup(detailed("2"), shop, SETTINGS, order_actions=cancel_action)

    assert (profile.external_customer_id, profile.name, profile.emails) == ("2", "Jane Doe", ["jdoe@example.com"])
    assert profile.address == "123 Oak Ave, Purchase, NY 10755, US"
    assert profile.phones == [Phone("+15125551111", "MOBILE"), Phone("+16465550199", "OTHER")]
    # 5 orders in all, 3 shown; lifetime value over all 5: 0 (refunded) + 25 + 74 + 16, canceled one left out.
    # Created 2017-01-31 01:18 UTC: the evening before in store 1's timezone (America/New_York).
    assert profile.custom_attributes == {
        "customerSince": "2017-01-30", "customerLink": "https://shop.test/admin/customer/index/edit/id/2/",
        "customerGroup": "General", "website": "Main Website", "orderCount": "5", "lifetimeValue": "$115.00"}
    assert profile.actions == []

    gbp, usd, eur = profile.transactions
    assert (gbp.order_number, gbp.created_at, gbp.order_status, gbp.order_total, gbp.currency_code) == (
        "000000004", "2017-09-01T08:05:00Z", "Pending Payment", "£12.50", "GBP")
    assert (gbp.discount, gbp.fulfilled, gbp.fulfillments, gbp.shipping_method) == ("", "No", [], "Flat Rate - Fixed")
    # Registered: the shopper's own order page. No refund, no comments, a payment known by its code only.
    assert gbp.customer_order_url == "https://shop.test/sales/order/view/order_id/4/"
    assert (gbp.refunds, gbp.total_refunded, gbp.note, gbp.payment_method) == ([], "", "", "Check / Money order")
    assert gbp.shipping_address is None  # no shipping assignment in the reply: nothing invented
    [mug] = gbp.products
    assert (mug.id, mug.quantity, mug.unit_price, mug.total, mug.status) == ("8", 2, "£6.25", "£12.50", "ordered")
    # Magento no longer has product 1600 (deleted): any URL of it answers 404, so there is none.
    assert (mug.product_url, mug.image_url) == (None, None)

    assert (usd.order_total, usd.discount, usd.item_count, usd.fulfilled) == ("$84.00", "$5.00", 3, "Yes")
    assert usd.order_link == "https://shop.test/admin/sales/order/view/order_id/3/"
    assert usd.actions == [Action("Cancel order", "/actions/cancel-form?orderId=3")]
    assert usd.billing_address == Address(name="Jane Doe", phone="512-555-1111", street1="123 Oak Ave",
                                          street2="Suite 5", city="Purchase", state="NY", country="US", zip="10755")
    tee, hoodie, gift = usd.products
    # The configurable product appears once, as its parent row, linked to the parent product's page.
    assert (hoodie.id, hoodie.name, hoodie.sku, hoodie.unit_price, hoodie.status) == (
        "5", "Chaz Kangeroo Hoodie", "MH01-S-Gray", "$52.00", "shipped")
    assert hoodie.product_url == "https://shop.test/chaz-kangeroo-hoodie.html"
    assert hoodie.image_url == "https://shop.test/media/catalog/product/m/h/mh01-gray_main.jpg"
    assert tee.product_url == "https://shop.test/radiant-tee.html"
    assert (gift.status, gift.image_url) == ("refunded", None)
    ups, courier = usd.fulfillments
    assert (ups.product_ids, ups.status, ups.carrier, ups.shipping_speed, ups.tracking_number) == (
        ["3", "5"], "shipped", "United Parcel Service", "Best Way - Table Rate", "1Z999AA10123456784")
    assert ups.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert (courier.carrier, courier.tracking_number, courier.tracking_url) == ("Local Courier", "LC-77", "")
    ship_to = Address(name="Jo Doe", phone="518-555-0100", street1="9 Gift Rd", street2="", city="Albany",
                      state="NY", country="US", zip="12201")
    assert usd.shipping_address == ship_to and [f.shipping_address for f in usd.fulfillments] == [ship_to] * 2
    assert usd.payment_method == "Bank Transfer (Wire)"  # the title Magento stored, not the code's
    # Credit memos oldest first, dated in the store view's timezone (02:30 UTC on the 25th is the 24th in
    # New York); the one with a gateway transaction was refunded online.
    assert usd.refunds == [Refund("000000004", "2017-08-24", "$4.00", online=False),
                           Refund("000000005", "2017-08-25", "$6.00", online=True)]
    assert usd.total_refunded == "$10.00"
    # The three newest comments, newest first (ties by id), whitespace folded; empty entries skipped; at
    # their time in the store view's timezone (New York, 4 hours behind UTC in August).
    assert usd.note.split("\n") == ["2017-08-25 06:00 Customer asked for the gift wrap to be refunded",
                                    "2017-08-25 06:00 We refunded $10.00 offline.",
                                    "2017-08-21 18:22 Captured amount of $84.00 online."]

    assert (eur.order_number, eur.order_total, eur.discount, eur.order_status) == (
        "200000002", "€1,234.50", "€12.35", "Canceled")
    assert (eur.fulfilled, eur.products[0].status) == ("No", "canceled")
    assert eur.products[0].product_url == "https://eu.shop.test/sac-voyage.html"  # the order's own store view


def test_detailed_lookup_links_through_the_companion_module_and_survives_missing_websites(shop, expect):
    expect("/V1/customers/2", {}, load("magento_customer.json"))
    order = load("magento_orders.json")["items"][1]
    expect_owner_orders(expect, [[("customer_id", "2")]], listing([order]))  # one order: no totals call
    statuses = [{"store_id": 0, "code": "complete", "label": "Complete"},
                {"store_id": 1, "code": "complete", "label": "Delivered"}]  # the merchant's store view label
    expect_store(expect, companion={"enabled": True, "admin_base_url": "https://shop.test/admin_x1/",
                                    "product_url_suffix": "", "allowed_actions": ["cancel"],
                                    "order_statuses": statuses}, websites=False)
    expect("/V1/shipments", criteria([("order_id", "3", "in")], size=300), listing([]))
    expect("/V1/products", criteria([("entity_id", "67,1553,2001", "in")], size=3), load("magento_products.json"))
    expect("/V1/creditmemos", criteria([("order_id", "3", "in")], size=300), listing([]))

    [profile] = run_lookup(detailed("2"), shop, SETTINGS)

    assert profile.custom_attributes["customerLink"] == "https://shop.test/admin_x1/gladlybridge/open/customer/id/2/"
    assert profile.custom_attributes["lifetimeValue"] == "$74.00"  # its one order, read from the recent list
    assert profile.custom_attributes["website"] == "1"  # no website names: the id
    [usd] = profile.transactions
    assert usd.order_link == "https://shop.test/admin_x1/gladlybridge/open/order/id/3/"
    assert usd.order_status == "Delivered"
    assert usd.products[1].product_url == "https://shop.test/chaz-kangeroo-hoodie"
    assert usd.actions == []


def test_detailed_lookup_of_a_guest_only_shopper(shop, expect):
    guest = load("magento_guest_orders.json")["items"][0]
    order = copy.deepcopy(load("magento_orders.json")["items"][0])
    order |= {key: guest[key] for key in ("customer_email", "billing_address")} | {
        "customer_id": None, "customer_is_guest": 1}
    owner = [[("customer_email", "guest@example.com")], [("customer_is_guest", "1")]]
    expect_owner_orders(expect, owner, listing([order]))
    expect_store(expect)
    expect("/V1/shipments", criteria([("order_id", "4", "in")], size=300), listing([]))
    expect("/V1/products", criteria([("entity_id", "1600", "in")], size=1), listing([]))

    [profile] = run_lookup(detailed("guest:Guest@Example.com"), shop, SETTINGS)

    assert (profile.external_customer_id, profile.name) == ("guest:guest@example.com", "Gus Guest")
    assert profile.phones == [Phone("+17375550142", "MOBILE")]
    assert profile.address == "7 Elm St, Austin, TX 78701, US"
    assert profile.custom_attributes == {"customerSince": "2017-09-01", "customerGroup": "NOT LOGGED IN",
                                         "website": "Main Website", "orderCount": "1", "lifetimeValue": "$16.00"}
    assert [order.order_number for order in profile.transactions] == ["000000004"]
    assert profile.transactions[0].customer_order_url is None  # a guest has no account page


def test_detailed_lookup_of_a_missing_customer_is_empty(shop, expect):
    expect("/V1/customers/99", {}, {"message": "No such entity with %fieldName = %fieldValue",
                                    "parameters": {"fieldName": "customerId", "fieldValue": 99}}, status=404)
    expect_owner_orders(expect, [[("customer_id", "99")]], listing([]))
    expect_store(expect)

    assert run_lookup(detailed("99"), shop, SETTINGS) == []


@pytest.mark.parametrize("external_id", ["abc", "", None, "guest:nobody"])
def test_detailed_lookup_of_an_id_the_bridge_never_issued_makes_no_call(shop, external_id):
    assert run_lookup(detailed(external_id), shop, SETTINGS) == []
    assert shop.calls == 0


def generated_orders(count):
    """``count`` one-line orders of customer 2, each with one shipment and a refund."""
    template = load("magento_orders.json")["items"][1]
    orders = [template | {"entity_id": 100 + n, "increment_id": f"{100 + n:09d}", "items": template["items"][:1]}
              for n in range(count)]
    shipments = [{"entity_id": n, "order_id": order["entity_id"], "items": [{"order_item_id": 3, "qty": 1}],
                  "tracks": [{"track_number": f"1Z{n}", "carrier_code": "ups", "title": "UPS"}]}
                 for n, order in enumerate(orders)]
    return orders, shipments


def expect_any_detailed(expect, orders, shipments):
    """A detailed lookup of customer 2 with the given orders, matching the calls by their filters only."""
    expect("/V1/customers/2", {}, load("magento_customer.json"))
    expect("/V1/orders", {"searchCriteria[sortOrders][0][field]": "created_at"}, listing(orders))
    expect_store(expect)
    expect("/V1/shipments", {}, listing(shipments))
    expect("/V1/products", {}, load("magento_products.json"))
    memos = [{"entity_id": n, "order_id": order["entity_id"], "increment_id": f"CM{n}", "grand_total": 10}
             for n, order in enumerate(orders)]
    expect("/V1/creditmemos", {}, listing(memos))


@pytest.mark.parametrize("order_count", [1, 20])
def test_detailed_lookup_call_count_does_not_grow_with_orders(shop, expect, order_count):
    orders, shipments = generated_orders(order_count)
    expect_any_detailed(expect, orders, shipments)
    settings = LookupSettings(magento_url="https://shop.test/", admin_url="https://shop.test/admin/", order_limit=20)

    [profile] = run_lookup(detailed("2"), shop, settings)

    assert len(profile.transactions) == order_count
    assert len({f.tracking_number for order in profile.transactions for f in order.fulfillments}) == order_count
    assert len({refund.number for order in profile.transactions for refund in order.refunds}) == order_count
    # customer, orders, companion config, storeConfigs, websites | shipments, products, credit memos
    assert shop.calls == 8


def test_second_lookup_reads_products_and_store_data_from_the_cache(shop, expect, magento):
    orders, shipments = generated_orders(2)
    expect_any_detailed(expect, orders, shipments)

    first = run_lookup(detailed("2"), shop, SETTINGS)
    calls_after_first = shop.calls
    second = run_lookup(detailed("2"), shop, SETTINGS)

    assert first == second
    assert (calls_after_first, shop.calls - calls_after_first) == (8, 4)
    cached = ("/V1/products", "/V1/store/storeConfigs", "/V1/store/websites", "/V1/gladly/config")
    for path in cached:
        assert sum(call.request.url.startswith(API + path) for call in magento.calls) == 1, path


def test_lifetime_value_pages_through_every_order(shop, expect):
    totals = [{"state": "complete", "base_grand_total": 1, "base_currency_code": "USD"}] * 301
    owner = [("customer_id", "2")]
    expect("/V1/customers/2", {}, load("magento_customer.json"))
    expect("/V1/orders", criteria(owner, size=3, sort=[("created_at", "DESC")]), listing([], total=301))
    expect("/V1/orders", criteria(owner, size=300, sort=[("entity_id", "ASC")]), listing(totals[:300], total=301))
    expect("/V1/orders", criteria(owner, size=300, page=2, sort=[("entity_id", "ASC")]),
           listing(totals[300:], total=301))
    expect_store(expect)

    [profile] = run_lookup(detailed("2"), shop, SETTINGS)

    assert profile.custom_attributes["orderCount"] == "301"
    assert profile.custom_attributes["lifetimeValue"] == "$301.00"
    assert profile.transactions == []


# --- auto-link and search -------------------------------------------------------------------------------

def customers(*ids):
    return listing([c for c in load("magento_customers_search.json")["items"] if c["id"] in ids])


def test_auto_link_matches_every_email_registered_and_guest_in_one_stage(shop, expect):
    emails = "jdoe@example.com,guest@example.com"
    expect("/V1/customers/search", criteria([("email", emails, "in")], size=50), customers(2))
    expect("/V1/orders", criteria([("customer_email", emails, "in")], [("customer_is_guest", "1")], size=300,
                                  sort=[("created_at", "DESC")]), load("magento_guest_orders.json"))

    query = LookupQuery(kind=AUTO_LINK, gladly_id="g1", emails=["JDoe@example.com", "guest@example.com"],
                        names=["Jane Doe"])
    jane, guest = run_lookup(query, shop, SETTINGS)

    assert (jane.external_customer_id, jane.name, jane.emails) == ("2", "Jane Doe", ["jdoe@example.com"])
    assert jane.phones == [Phone("+15125551111", "MOBILE")]
    # A guest-only shopper, named from the most recent guest order; Jane's old guest order is hers.
    assert (guest.external_customer_id, guest.name, guest.emails) == (
        "guest:guest@example.com", "Gus Guest", ["guest@example.com"])
    assert (guest.phones, guest.address) == ([Phone("+17375550142", "MOBILE")], "7 Elm St, Austin, TX 78701, US")
    assert jane.transactions is None and jane.custom_attributes == {}
    assert shop.calls == 2


def test_auto_link_returns_every_website_account_of_an_email(shop, expect):
    expect("/V1/customers/search", criteria([("email", "jdoe@example.com", "in")], size=50), customers(2, 7))
    expect("/V1/orders", {"searchCriteria[filter_groups][0][filters][0][field]": "customer_email"}, listing([]))

    profiles = run_lookup(LookupQuery(kind=AUTO_LINK, emails=["jdoe@example.com"]), shop, SETTINGS)

    assert [p.external_customer_id for p in profiles] == ["2", "7"]


@pytest.mark.parametrize("stored", ["512-555-1111", "(512) 555 1111", "+1 512.555.1111", "15125551111"])
def test_auto_link_by_phone_compares_digits_after_a_broad_search(shop, expect, stored):
    jane = copy.deepcopy(customers(2)["items"][0])
    jane["addresses"][0]["telephone"] = stored
    decoy = copy.deepcopy(customers(7)["items"][0]) | {"id": 8}
    decoy["addresses"][0]["telephone"] = "+44 512 555 1111"  # same digits after another country code
    expect("/V1/customers/search", criteria([("billing_telephone", "%5%5%5%1%1%1%1", "like")], size=50),
           listing([jane, decoy]))

    profiles = run_lookup(LookupQuery(kind=AUTO_LINK, phones=["+15125551111"]), shop, SETTINGS)

    assert [(p.external_customer_id, p.phones) for p in profiles] == [("2", [Phone("+15125551111", "MOBILE")])]


def test_auto_link_ors_every_phone_in_one_call(shop, expect):
    expect("/V1/customers/search", criteria([("billing_telephone", "%5%5%5%1%1%1%1", "like"),
                                             ("billing_telephone", "%0%9%0%0%1%2%3", "like")], size=50),
           customers(2, 7))

    query = LookupQuery(kind=AUTO_LINK, phones=["+15125551111", "+447700900123"])
    profiles = run_lookup(query, shop, SETTINGS)

    assert [p.external_customer_id for p in profiles] == ["2", "7"]
    assert profiles[1].phones == [Phone("+447700900123", "MOBILE")]
    assert shop.calls == 1


def test_search_by_name(shop, expect):
    expect("/V1/customers/search", criteria([("name", "%Jane%Doe%", "like")], size=50), customers(2, 7))

    profiles = run_lookup(LookupQuery(kind=SEARCH, names=["Jane Doe"]), shop, SETTINGS)

    assert [(p.external_customer_id, p.name) for p in profiles] == [("2", "Jane Doe"), ("7", "Jane Doe")]


def test_search_by_order_number_finds_the_customer_or_the_guest(shop, expect):
    registered = load("magento_guest_orders.json")["items"][2] | {"customer_id": 2, "customer_is_guest": 0,
                                                                  "increment_id": "000000003"}
    guest = load("magento_guest_orders.json")["items"][0]
    expect("/V1/orders", criteria([("increment_id", "3,000000003,000000041", "in")], size=50,
                                  sort=[("created_at", "DESC")]), listing([guest, registered]))

    query = LookupQuery(kind=SEARCH, order_numbers=["3", "#000000041"])
    profiles = run_lookup(query, shop, SETTINGS)

    assert [(p.external_customer_id, p.name, p.emails) for p in profiles] == [
        ("guest:guest@example.com", "Gus Guest", ["guest@example.com"]),
        ("2", "Jane Doe", ["jdoe@example.com"])]


def test_search_combines_dedupes_and_caps_in_one_stage(shop, expect):
    expect("/V1/customers/search", criteria([("email", "jdoe@example.com", "in")], size=50), customers(2))
    expect("/V1/orders", {"searchCriteria[filter_groups][0][filters][0][field]": "customer_email"}, listing([]))
    expect("/V1/customers/search", criteria([("name", "%Jane%Doe%", "like")], size=50), customers(2, 7))
    query = LookupQuery(kind=SEARCH, emails=["jdoe@example.com"], names=["Jane Doe"])

    assert [p.external_customer_id for p in run_lookup(query, shop, SETTINGS)] == ["2", "7"]
    limited = LookupSettings(magento_url="https://shop.test/", admin_url="https://shop.test/admin/", search_limit=1)
    assert [p.external_customer_id for p in run_lookup(query, shop, limited)] == ["2"]
    assert shop.calls == 6


def test_lookup_without_anything_to_match_makes_no_call(shop):
    assert run_lookup(LookupQuery(kind=AUTO_LINK, emails=["nope"], phones=["123"]), shop, SETTINGS) == []
    assert shop.calls == 0


def test_magento_401_surfaces_as_magento_unauthorized(shop, expect):
    expect("/V1/customers/search", {}, {"message": "The consumer isn't authorized to access %resources.",
                                        "parameters": {"resources": "Magento_Customer::customer"}}, status=401)

    with pytest.raises(MagentoUnauthorized, match="Magento_Customer::customer"):
        run_lookup(LookupQuery(kind=AUTO_LINK, phones=["+15125551111"]), shop, SETTINGS)


def test_settings_from_config():
    config = {"MAGENTO_URL": "https://shop.test/", "MAGENTO_ADMIN_URL": None, "ORDER_LIMIT": 5, "SEARCH_LIMIT": 7,
              "MAGENTO_PRODUCT_URL_SUFFIX": "", "LOOKUP_DEADLINE": 3.5, "CACHE_TTL": 60, "CACHE_SIZE": 10,
              "READ_PLAN": "stock"}

    assert LookupSettings.from_config(config) == LookupSettings(
        magento_url="https://shop.test/", admin_url="https://shop.test/admin/", order_limit=5, search_limit=7,
        product_url_suffix="", deadline=3.5, cache_ttl=60, cache_size=10, read_plan="stock")
    activated = LookupSettings.from_config(config | {"MAGENTO_ADMIN_URL": "https://shop.test/x1/"},
                                           magento_url="https://other.test")
    assert (activated.magento_url, activated.admin_url) == ("https://other.test/", "https://shop.test/x1/")


def test_the_read_plan_setting_is_one_of_three(app_config):
    assert {create_app({**app_config, "READ_PLAN": plan}).config["READ_PLAN"] for plan in READ_PLANS} == set(READ_PLANS)
    with pytest.raises(ConfigError, match="BRIDGE_READ_PLAN must be one of auto, module, stock, got 'fast'"):
        create_app({**app_config, "READ_PLAN": "fast"})
