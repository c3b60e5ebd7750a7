"""Order fields and actions against real Magento 2.4.6: the order fields, field by field against what the admin REST
holds, and the goodwill coupon (with the module's cap and refusals) and shipping address actions end to end with
their refusals.

The shop of this module is its own (one product, one customer, two orders, two cart price rules), created
through Magento's REST API, so that the checks do not depend on other tests' orders.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from magento_bridges import gladly_integration

PASSWORD = "Gladly-Features-42!"
# The bridge caches the module's settings per worker for BRIDGE_CACHE_TTL (2 s for the suite's bridge).
SETTINGS_WAIT = 30


@dataclass
class Shop:
    customer: dict
    shipped: dict  # invoiced, shipped with a track, one line refunded offline, commented
    open: dict  # placed only: nothing shipped, the customer's newest order
    track: str  # the shipped order's tracking number
    auto_rule: int  # "Specific Coupon" with auto-generation, allowed to agents
    manual_rule: int  # "Specific Coupon" without auto-generation: never offered


def _cart_address(first: str, last: str, email: str) -> dict:
    return {"firstname": first, "lastname": last, "street": ["1 Congress Ave", "Suite 4"], "city": "Austin",
            "region": "Texas", "region_id": 57, "region_code": "TX", "postcode": "78701", "country_id": "US",
            "telephone": "512-555-0110", "email": email}


def _place_order(magento, email: str, sku: str) -> int:
    """A customer's order through their own token, as on the storefront (checkmo, flat rate)."""
    base = magento.base_url + "rest/default/V1"
    token = requests.post(f"{base}/integration/customer/token", json={"username": email, "password": PASSWORD},
                          timeout=120)
    token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()}"}

    def call(path, body=None):
        reply = requests.post(f"{base}{path}", json=body, headers=headers, timeout=120)
        assert reply.ok, f"{path}: {reply.status_code} {reply.text[:500]}"
        return reply.json()

    cart = call("/carts/mine")
    call("/carts/mine/items", {"cartItem": {"sku": sku, "qty": 2, "quote_id": cart}})
    address = _cart_address("Fay", "Features", email)
    call("/carts/mine/shipping-information", {"addressInformation": {
        "shipping_address": address, "billing_address": address,
        "shipping_carrier_code": "flatrate", "shipping_method_code": "flatrate"}})
    return int(call("/carts/mine/payment-information", {"paymentMethod": {"method": "checkmo"},
                                                         "billingAddress": address}))


def _rule(magento, name: str, auto: bool) -> int:
    return magento.post("/V1/salesRules", {"rule": {
        "name": name, "website_ids": [1], "customer_group_ids": [0, 1, 2, 3], "is_active": True,
        "coupon_type": "SPECIFIC_COUPON", "use_auto_generation": auto, "simple_action": "cart_fixed",
        "discount_amount": 5, "uses_per_coupon": 1, "to_date": "2031-12-31"}})["rule_id"]


@pytest.fixture(scope="module")
def shop(magento) -> Shop:
    tag = uuid.uuid4().hex[:8]
    sku = f"FEAT-{tag}"
    magento.post("/V1/products", {"product": {
        "sku": sku, "name": f"Feature Tee {tag}", "attribute_set_id": 4, "price": 20, "status": 1,
        "visibility": 4, "type_id": "simple", "weight": 1,
        "extension_attributes": {"website_ids": [1], "stock_item": {"qty": 100, "is_in_stock": True}}}})
    email = f"fay.{tag}@example.com"
    address = {**_cart_address("Fay", "Features", email), "region": {"region_code": "TX", "region": "Texas",
                                                                      "region_id": 57},
               "default_billing": True, "default_shipping": True}
    for key in ("region_id", "region_code", "email"):
        address.pop(key)
    customer = magento.post("/V1/customers", {"customer": {"email": email, "firstname": "Fay", "lastname": "Features",
                                                           "website_id": 1, "addresses": [address]},
                                              "password": PASSWORD})
    shipped_id = _place_order(magento, email, sku)
    magento.post(f"/V1/order/{shipped_id}/invoice", {"capture": True})
    track = f"1Z{tag.upper()}"
    magento.post(f"/V1/order/{shipped_id}/ship", {"tracks": [{"track_number": track, "title": "UPS",
                                                              "carrier_code": "ups"}]})
    line = magento.get(f"/V1/orders/{shipped_id}")["items"][0]["item_id"]
    magento.post(f"/V1/order/{shipped_id}/refund", {"items": [{"order_item_id": line, "qty": 1}],
                                                    "arguments": {"shipping_amount": 0}})
    status = magento.get(f"/V1/orders/{shipped_id}")["status"]
    for text in ("Customer called about the parcel", "Promised a call back"):
        magento.post(f"/V1/orders/{shipped_id}/comments", {"statusHistory": {
            "comment": text, "is_customer_notified": 0, "is_visible_on_front": 0, "parent_id": shipped_id,
            "status": status}})
    time.sleep(1)  # created_at has whole seconds: the open order must be the newest
    open_id = _place_order(magento, email, sku)
    auto_rule, manual_rule = _rule(magento, f"Goodwill {tag}", True), _rule(magento, f"Manual {tag}", False)
    magento.config_set("gladly_connector/actions/coupon_rules", f"{auto_rule},{manual_rule}")
    return Shop(customer=customer, shipped=magento.get(f"/V1/orders/{shipped_id}"),
                open=magento.get(f"/V1/orders/{open_id}"), track=track, auto_rule=auto_rule,
                manual_rule=manual_rule)


def _profile(bridge, customer_id) -> dict:
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": str(customer_id)}})
    assert reply.status_code == 200, reply.text
    [profile] = reply.json()["results"]
    return profile


def _card(profile: dict, order: dict) -> dict:
    return next(card for card in profile["transactions"] if card["orderNumber"] == order["increment_id"])


def _signed(bridge, method: str, url: str, body: dict | None = None):
    parts = urlsplit(url)
    return bridge.signed(method, parts.path, body, query=parts.query)


def _money(amount) -> str:
    return f"${float(amount):,.2f}"


def _gladly_address(address: dict) -> dict:
    street = address.get("street") or []
    return {"name": f"{address['firstname']} {address['lastname']}", "phone": address.get("telephone") or "",
            "street1": street[0] if street else "", "street2": ", ".join(street[1:]), "city": address["city"],
            "state": address.get("region_code") or address.get("region") or "", "country": address["country_id"],
            "zip": address.get("postcode") or ""}


def _shipping(order: dict) -> dict:
    return order["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]


def test_new_order_fields_match_what_magento_holds(magento, shop, pinned_bridge):
    profile = _profile(pinned_bridge, shop.customer["id"])
    for order in (shop.shipped, shop.open):
        admin = magento.get(f"/V1/orders/{order['entity_id']}")
        card = _card(profile, admin)
        ship_to = _gladly_address(_shipping(admin))
        assert card["shippingAddress"] == ship_to
        assert all(fulfillment["shippingAddress"] == ship_to for fulfillment in card.get("fulfillments", []))
        titles = {entry["key"]: entry["value"] for entry in admin["extension_attributes"]["payment_additional_info"]}
        assert card["paymentMethod"] == titles["method_title"] == "Check / Money order"
        assert card["customerOrderUrl"] == f"{magento.base_url}sales/order/view/order_id/{admin['entity_id']}/"
        memos = magento.search("/V1/creditmemos", ("order_id", admin["entity_id"], "eq"))
        # Dated as the admin dates them: in the timezone of the order's store view.
        expected = [f"{memo['increment_id']} · {magento.local_time(memo['created_at'], admin['store_id'])} · "
                    f"{_money(memo['grand_total'])} · offline"
                    for memo in sorted(memos, key=lambda memo: memo["entity_id"])]
        assert (card["refunds"].split("\n") if card["refunds"] else []) == expected
        assert card["totalRefunded"] == (_money(admin["total_refunded"]) if admin.get("total_refunded") else "")
        comments = sorted((entry for entry in admin["status_histories"] if entry.get("comment")),
                          key=lambda entry: (entry["created_at"], entry["entity_id"]), reverse=True)[:3]
        assert [line.split(" ", 2)[2] for line in card["note"].split("\n") if line] == [
            entry["comment"] for entry in comments]
        assert [line[:16] for line in card["note"].split("\n") if line] == [
            magento.local_time(entry["created_at"], admin["store_id"], "%Y-%m-%d %H:%M") for entry in comments]
    shipped = _card(profile, shop.shipped)
    assert len(shipped["refunds"].split("\n")) == 1 and shipped["totalRefunded"] == "$20.00"
    assert shipped["note"].split("\n")[0].endswith("Promised a call back")
    assert [f["trackingNumber"] for f in shipped["fulfillments"]] == [shop.track]
    assert _card(profile, shop.open)["refunds"] == "" and _card(profile, shop.open)["totalRefunded"] == ""


def _coupon_button(bridge, shop) -> dict:
    """The profile's coupon action, once the bridge has read the module's new rule list."""
    deadline = time.monotonic() + SETTINGS_WAIT
    while True:
        actions = _profile(bridge, shop.customer["id"]).get("actions") or []
        if actions or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert [action["name"] for action in actions] == ["Issue goodwill coupon"], actions
    return actions[0]


def test_goodwill_coupon_end_to_end(magento, shop, pinned_bridge):
    button = _coupon_button(pinned_bridge, shop)
    assert button["formUrl"].endswith(f"/coupon/form?orderId={shop.open['entity_id']}")  # the newest order
    form = _signed(pinned_bridge, "GET", button["formUrl"]).json()
    [rule] = [section for section in form["sections"] if section.get("attr") == "rule"]
    # Only the auto-generating rule: the module leaves out the one whose codes are typed by hand.
    assert [option["value"] for option in rule["input"]["options"]] == [str(shop.auto_rule)]
    assert rule["input"]["options"][0]["text"].endswith("USD 5.00 off the cart, until 2031-12-31")

    # Withdrawn by the merchant after a form was opened: refused, no code made (that form's token is spent).
    withdrawn_form = _signed(pinned_bridge, "GET", button["formUrl"]).json()
    magento.config_set("gladly_connector/actions/coupon_rules", "")
    try:
        later = _signed(pinned_bridge, "POST", withdrawn_form["actionUrl"], {"rule": str(shop.auto_rule)})
    finally:
        magento.config_set("gladly_connector/actions/coupon_rules", f"{shop.auto_rule},{shop.manual_rule}")
    # 406 either way: "Action unavailable" once the bridge's cached settings expire, else "No coupon rule" from
    # the settings the submission reads afresh.
    assert later.status_code == 406
    assert later.json()["errors"][0]["message"] in ("Action unavailable", "No coupon rule")
    assert int(magento.sql(f"SELECT COUNT(*) FROM salesrule_coupon WHERE rule_id = {shop.auto_rule}")[0][0]) == 0
    _coupon_button(pinned_bridge, shop)  # the rules are back in the bridge's cached settings

    refused = _signed(pinned_bridge, "POST", form["actionUrl"], {"rule": str(shop.manual_rule)})
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "rule"

    first = _signed(pinned_bridge, "POST", form["actionUrl"], {"rule": str(shop.auto_rule), "comment": "Late"})
    again = _signed(pinned_bridge, "POST", form["actionUrl"], {"rule": str(shop.auto_rule), "comment": "Late"})
    assert first.status_code == 200, first.text
    assert first.json() == again.json()  # idempotent: one code for one submission
    code = first.json()["message"].split()[1]
    # The rule, not the agent, sets the limits: one use per code (uses_per_coupon).
    [row] = magento.sql(f"SELECT rule_id, usage_limit FROM salesrule_coupon WHERE code = '{code}'")
    assert (int(row[0]), int(row[1])) == (shop.auto_rule, 1)
    assert int(magento.sql(f"SELECT COUNT(*) FROM salesrule_coupon WHERE rule_id = {shop.auto_rule}")[0][0]) == 1
    history = magento.get(f"/V1/orders/{shop.open['entity_id']}")["status_histories"]
    assert history[0]["comment"].startswith(f"Goodwill coupon {code} (Goodwill ")
    assert history[0]["comment"].endswith("issued from Gladly. Late")
    # The module's own record, which its cap counts: one code for this customer.
    assert magento.sql(f"SELECT order_id, rule_id, code FROM gladly_goodwill_coupon "
                       f"WHERE customer_id = {shop.customer['id']}") == [
        (str(shop.open["entity_id"]), str(shop.auto_rule), code)]

    # A second code within the period: the bridge refuses first (BRIDGE_COUPON_LIMIT 1), before asking Magento...
    second_form = _signed(pinned_bridge, "GET", button["formUrl"]).json()
    second = _signed(pinned_bridge, "POST", second_form["actionUrl"], {"rule": str(shop.auto_rule)})
    assert second.status_code == 406 and second.json()["errors"][0]["message"] == "Coupon limit reached", second.text
    # ...and the module refuses it too ("Goodwill Coupons per Customer" 1 per 30 days), whoever asks.
    module_says = _issue(magento, shop.shipped["entity_id"], shop.auto_rule)
    assert module_says.status_code == 400
    assert module_says.json()["message"].startswith("The customer of order %1 has already received %2 goodwill")
    assert [str(value) for value in module_says.json()["parameters"]] == [shop.shipped["increment_id"], "1", "30"]
    assert int(magento.sql(f"SELECT COUNT(*) FROM salesrule_coupon WHERE rule_id = {shop.auto_rule}")[0][0]) == 1


def _issue(magento, order_id: int, rule_id: int) -> requests.Response:
    """The module's route called directly (admin token), as any holder of its ACL resource could."""
    return magento.rest("POST", f"/V1/gladly/orders/{order_id}/goodwill-coupon",
                        json={"ruleId": rule_id, "note": "from the real-Magento suite."})


def test_the_module_issues_no_goodwill_coupon_on_a_guest_order(magento, shop):
    [(guest_order, number)] = magento.sql("SELECT entity_id, increment_id FROM sales_order "
                                          "WHERE customer_is_guest = 1 ORDER BY entity_id LIMIT 1")
    reply = _issue(magento, int(guest_order), shop.auto_rule)
    assert reply.status_code == 400, reply.text
    assert (reply.json()["message"], reply.json()["parameters"]) == (
        "Order %1 was placed as a guest; goodwill coupons go to registered customers only.", [number])
    assert magento.sql(f"SELECT COUNT(*) FROM gladly_goodwill_coupon WHERE order_id = {guest_order}") == [("0",)]


def test_the_integration_issues_coupons_without_editing_cart_price_rules(magento):
    """Its only coupon right is the module's narrow resource, not Magento_SalesRule::quote (every cart price rule)."""
    integration = gladly_integration(magento)
    granted = {row[0] for row in magento.sql(
        "SELECT r.resource_id FROM authorization_rule r JOIN authorization_role ro ON ro.role_id = r.role_id "
        f"WHERE ro.user_type = 1 AND ro.user_id = {integration['integration_id']} AND r.permission = 'allow'")}
    assert "Gladly_Connector::goodwill_coupon" in granted
    assert not {resource for resource in granted if resource.startswith("Magento_SalesRule::")}


def test_shipping_address_change_end_to_end(magento, shop, pinned_bridge):
    profile = _profile(pinned_bridge, shop.customer["id"])
    shipped, open_card = _card(profile, shop.shipped), _card(profile, shop.open)
    assert "Change shipping address" not in {action["name"] for action in shipped.get("actions", [])}
    [button] = [action for action in open_card["actions"] if action["name"] == "Change shipping address"]
    form = _signed(pinned_bridge, "GET", button["formUrl"]).json()
    values = {section["attr"]: section["defaultValue"] for section in form["sections"] if section["type"] == "input"}
    assert (values["street1"], values["street2"], values["city"], values["region"], values["postcode"]) == (
        "1 Congress Ave", "Suite 4", "Austin", "TX", "78701")

    wrong = _signed(pinned_bridge, "POST", form["actionUrl"], {**values, "region": "Tx."})
    assert wrong.status_code == 400 and "is not a region of US" in wrong.json()["errors"][0]["detail"]
    new = {**values, "street1": "500 Market St", "street2": "", "city": "San Francisco", "region": "CA",
           "postcode": "94105"}
    reply = _signed(pinned_bridge, "POST", form["actionUrl"], new)
    assert reply.status_code == 200, reply.text

    admin = magento.get(f"/V1/orders/{shop.open['entity_id']}")
    address = _shipping(admin)
    assert (address["street"], address["city"], address["region_code"], address["region_id"],
            address["postcode"]) == (["500 Market St"], "San Francisco", "CA", 12, "94105")
    assert admin["billing_address"]["city"] == "Austin"  # only the shipping address moves
    comment = admin["status_histories"][0]["comment"]
    assert comment.startswith("Shipping address changed from Gladly.\nWas: Fay Features, 1 Congress Ave, Suite 4")
    assert "\nNow: Fay Features, 500 Market St, San Francisco, California 94105, US" in comment
    assert _card(_profile(pinned_bridge, shop.customer["id"]), admin)["shippingAddress"]["city"] == "San Francisco"

    # Refusals: the bridge offers no form for a shipped order, and the module refuses it on its own.
    shipped_form = f"/gladly/actions/address/form?orderId={shop.shipped['entity_id']}"
    assert _signed(pinned_bridge, "GET", shipped_form).status_code == 406
    direct = magento.rest("PUT", f"/V1/gladly/orders/{shop.shipped['entity_id']}/shipping-address",
                          json={"address": _shipping(admin)})
    assert direct.status_code == 400 and "can no longer be changed" in direct.json()["message"]
