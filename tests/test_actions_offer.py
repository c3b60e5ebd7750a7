"""Which actions an order can take, the enabled set, the forms Gladly shows and the reading of submissions."""
import copy
import re
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bridge.actions.forms import NOT_A_NUMBER
from bridge.actions.forms import read_confirmation
from bridge.actions.model import InputSection
from bridge.actions.offer import OPERATIONS
from bridge.actions.offer import enabled_actions
from bridge.actions.offer import order_actions
from bridge.actions.offer import profile_actions
from bridge.actions.operations import CANCEL_REASONS
from bridge.actions.refund import RefundContext
from bridge.actions.refund import magento_payload
from bridge.actions.refund import refundable
from bridge.config import ACTION_NAMES
from bridge.errors import ActionValidationError
from bridge.gladly.responses import ActionFormSchema
from bridge.magento.resources import ORDER_FIELDS

MODULE = Path(__file__).resolve().parent.parent / "magento-module"

PAID_ORDER = {
    "entity_id": 7, "increment_id": "000000007", "state": "processing", "status": "processing",
    "customer_id": 3, "customer_is_guest": 0, "order_currency_code": "USD", "grand_total": 69, "total_paid": 69,
    "total_refunded": 0, "total_invoiced": 69,
    "shipping_amount": 5, "shipping_invoiced": 5, "shipping_refunded": 0, "payment": {"method": "checkmo"},
    "items": [
        {"item_id": 11, "sku": "TEE", "name": "Tee", "product_type": "simple", "qty_ordered": 2, "qty_invoiced": 2,
         "qty_refunded": 0, "qty_canceled": 0, "price": 20, "row_total": 40, "row_total_incl_tax": 40,
         "discount_amount": 0},
        {"item_id": 12, "sku": "HOOD-S", "name": "Hoodie", "product_type": "configurable", "qty_ordered": 1,
         "qty_invoiced": 1, "qty_refunded": 0, "qty_canceled": 0, "price": 24, "row_total": 24,
         "row_total_incl_tax": 24},
        {"item_id": 13, "parent_item_id": 12, "sku": "HOOD-S", "name": "Hoodie-S", "product_type": "simple",
         "qty_ordered": 1, "qty_invoiced": 1, "qty_refunded": 0},
    ],
}
ONLINE_INVOICE = {"entity_id": 3, "increment_id": "000000003", "order_id": 7, "state": 2, "transaction_id": "ch_1",
                  "items": [{"order_item_id": 11, "qty": 2}, {"order_item_id": 12, "qty": 1}]}


def order(state="processing", **changes):
    data = copy.deepcopy(PAID_ORDER)
    data.update(state=state, status=state, **changes)
    return data


def can(action, data):
    return OPERATIONS[action].can(data)


def unpaid(state="new"):
    data = order(state, total_paid=0, total_invoiced=0, shipping_invoiced=0)
    for item in data["items"]:
        item["qty_invoiced"] = 0
    return data


def test_the_bridge_and_the_module_name_the_same_actions():
    """OPERATIONS, BRIDGE_ACTIONS' choices, the constants of the module's AllowedActions source and the default of
    its ``allowed`` setting. Compared as sets: the admin lists the actions in its own display order."""
    constants = re.findall(r"public const [A-Z_]+ = '([a-z_]+)';",
                           (MODULE / "Model/Config/Source/AllowedActions.php").read_text())
    default = ElementTree.parse(MODULE / "etc/config.xml").findtext("default/gladly_connector/actions/allowed")
    lists = [list(OPERATIONS), list(ACTION_NAMES), constants, default.split(",")]
    assert all(len(names) == len(set(names)) for names in lists)  # no name twice: the sets lose only the order
    assert set(lists[0]) == set(lists[1]) == set(lists[2]) == set(lists[3])
    assert all(operation.name == name and operation.label for name, operation in OPERATIONS.items())


@pytest.mark.parametrize(("data", "expected"), [
    (unpaid("new"), {"cancel", "comment", "hold", "email", "coupon"}),
    (unpaid("pending_payment"), {"cancel", "comment", "hold", "email", "coupon"}),
    (order("processing"), {"refund", "comment", "hold", "email", "coupon"}),
    (order("complete"), {"refund", "comment", "email", "coupon"}),
    (order("holded"), {"comment", "unhold", "email", "coupon"}),
    (order("payment_review"), {"comment", "email", "coupon"}),
    (order("closed", total_refunded=69), {"comment", "email", "coupon"}),
    (unpaid("canceled"), {"comment"}),
], ids=["new", "pending_payment", "processing-invoiced", "complete", "holded", "payment_review", "closed", "canceled"])
def test_actions_per_state(data, expected):
    assert {name for name in ACTION_NAMES if can(name, data)} == expected


@pytest.mark.parametrize(("changes", "offered"), [
    ({}, True),
    ({"customer_id": None, "customer_is_guest": 1}, False),  # a guest: no account to give the code to
    ({"customer_is_guest": 1}, False),
    ({"state": "canceled"}, False),
], ids=["registered", "guest", "guest-flag", "canceled"])
def test_coupon_only_for_a_registered_customers_order_that_went_ahead(changes, offered):
    assert can("coupon", {**order(), **changes}) is offered


def test_partly_invoiced_order_can_be_cancelled_and_refunded():
    data = order()
    data["items"][0]["qty_invoiced"] = 1
    assert can("cancel", data) and can("refund", data)


def test_fully_refunded_lines_cannot_be_refunded_even_with_money_left():
    data = order()
    for item in data["items"]:
        item["qty_refunded"] = item["qty_invoiced"]
    assert not can("refund", data)


SHIP_TO = {"firstname": "Jane", "lastname": "Doe", "street": ["123 Oak Ave", "Suite 5"], "city": "Austin",
           "region": "Texas", "region_code": "TX", "postcode": "78701", "country_id": "US",
           "telephone": "512-555-1111"}
RULES = [{"id": 4, "name": "Sorry 10", "amount": "10% off matching items", "expires_on": ""},
         {"id": 9, "name": "Five off", "amount": "USD 5.00 off the cart", "expires_on": "2026-12-31"}]


def shippable(state="processing", shipped=0):
    data = order(state, extension_attributes={"shipping_assignments": [{"shipping": {"address": dict(SHIP_TO)}}]})
    data["items"][0]["qty_shipped"] = shipped
    return data


@pytest.mark.parametrize(("data", "allowed"), [
    (shippable("new"), True),
    (shippable("processing"), True),
    (shippable("holded"), True),
    (shippable("processing", shipped=1), False),  # anything shipped: the parcel has left
    (shippable("complete"), False),
    (shippable("closed"), False),
    (shippable("canceled"), False),
    (order("processing"), False),  # virtual: no shipping address
], ids=["new", "processing", "holded", "shipped", "complete", "closed", "canceled", "virtual"])
def test_address_change_only_before_anything_ships(data, allowed):
    assert can("address", data) is allowed


def test_enabled_set_is_the_environment_narrowed_by_the_module():
    assert enabled_actions(["refund", "cancel", "email"], None) == ["cancel", "refund", "email"]
    assert enabled_actions(["refund", "cancel"], {"allowed_actions": ["cancel", "hold"]}) == ["cancel"]
    assert enabled_actions(["refund"], {"enabled": True}) == ["refund"]  # an older module without the key


def test_coupon_and_address_need_the_module_to_offer_them():
    every = list(ACTION_NAMES)
    module = {"allowed_actions": every, "coupon_rules": RULES, "capabilities": ["order_address", "goodwill_coupon"]}
    assert enabled_actions(every, module)[-2:] == ["coupon", "address"]
    assert "coupon" not in enabled_actions(every, {**module, "coupon_rules": []})  # no rule chosen
    assert "address" not in enabled_actions(every, {**module, "capabilities": []})  # an older module
    # A module from before its goodwill-coupon route: the bridge no longer calls POST /V1/coupons/generate.
    assert "coupon" not in enabled_actions(every, {**module, "capabilities": ["order_address"]})
    assert not {"coupon", "address"} & set(enabled_actions(every, None))  # no module at all
    assert "coupon" not in enabled_actions(every, {**module, "allowed_actions": ["address"]})


def test_order_actions_hook_gives_buttons_and_resolves_the_enabled_set_once():
    calls = []
    hook = order_actions("/bridge", lambda: calls.append(1) or ["cancel", "refund", "hold"])
    assert [(a.name, a.form_url) for a in hook(order())] == [
        ("Refund order", "/bridge/gladly/actions/refund/form?orderId=7"),
        ("Hold order", "/bridge/gladly/actions/hold/form?orderId=7")]
    assert [a.name for a in hook(unpaid())] == ["Cancel order", "Hold order"]
    assert calls == [1]


def test_coupon_is_a_profile_action_keyed_by_the_latest_order():
    enabled = ["comment", "coupon"]
    assert [a.name for a in order_actions("", lambda: enabled)(order())] == ["Add order comment"]
    hook = profile_actions("/bridge", lambda: enabled)
    latest, older = order(entity_id=9), order()
    assert [(a.name, a.form_url) for a in hook([latest, older])] == [
        ("Issue goodwill coupon", "/bridge/gladly/actions/coupon/form?orderId=9")]
    assert hook([]) == []  # nothing to record the code on
    # A canceled or guest latest order leaves the newest order of the customer that can take a code.
    guest = order(entity_id=11, customer_id=None, customer_is_guest=1)
    assert [a.form_url for a in hook([order("canceled", entity_id=10), guest, latest, older])] == [
        "/bridge/gladly/actions/coupon/form?orderId=9"]
    assert hook([order("canceled", entity_id=10), guest]) == []
    assert profile_actions("", lambda: ["comment"])([latest]) == []


def test_the_lookup_projection_has_every_field_the_rules_read():
    for name in ("entity_id", "state", "total_paid", "total_refunded", "parent_item_id", "qty_ordered",
                 "qty_invoiced", "qty_refunded", "qty_canceled", "qty_shipped", "shipping_assignments"):
        assert re.search(rf"\b{name}\b", ORDER_FIELDS), name


# -- forms ------------------------------------------------------------------------------------------


def dumped(form):
    return ActionFormSchema().dump(form)


def form(action, data, context=None):
    return OPERATIONS[action].form(data, "/x", context)


def read(action, payload, context=None):
    return OPERATIONS[action].read(payload, context)


def refund_context(data):
    return RefundContext(refundable(data, []))


def inputs(form):
    return {section.attr: section for section in form.sections if isinstance(section, InputSection)}


def test_refund_form_has_one_quantity_per_visible_line_with_its_maximum():
    data = order()
    data["items"][0]["qty_refunded"] = 1
    refund_form = OPERATIONS["refund"].form(data, "/gladly/actions/refund?orderId=7&token=t", refund_context(data))
    fields = inputs(refund_form)
    assert [attr for attr in fields if attr.startswith("qty_")] == ["qty_11", "qty_12"]
    assert fields["qty_11"].hint == "max 1" and fields["qty_12"].hint == "max 1"
    assert fields["shipping_amount"].hint == "max $5.00"
    assert {"mode", "adjustment_positive", "adjustment_negative", "return_to_stock", "notify", "comment"} <= set(fields)
    assert {section.input.type for section in fields.values()} <= {"text", "select", "checkbox"}
    wire = dumped(refund_form)
    assert wire["actionUrl"] == "/gladly/actions/refund?orderId=7&token=t" and wire["submitButton"] == "Refund"
    assert "offline" in wire["sections"][0]["text"]


@pytest.mark.parametrize("rest_row_total", [45, 20], ids=["2.4.6", "2.4.8"])
def test_refund_unit_amount_counts_the_discount_once_from_stored_amounts(rest_row_total):
    # 2 x $25.00, $5.00 discount, $3.60 tax: REST's row_total is rewritten (row_total - discount on 2.4.6, price -
    # discount on 2.4.8, magento/magento2#39984) and row_total_incl_tax is already net of the discount.
    data = order()
    data["items"][0].update(price=25, row_total=rest_row_total, row_total_incl_tax=48.6, discount_amount=5,
                            tax_amount=3.6)
    line = refund_context(data).refundable.lines[0]
    assert line.unit_amount == Decimal("24.30")


def test_refund_form_says_online_when_the_invoice_was_captured_online():
    data = order(payment={"method": "braintree"})
    text = dumped(form("refund", data, RefundContext(refundable(data, [ONLINE_INVOICE]))))["sections"][0]["text"]
    assert "online" in text and "000000003" in text
    data = order(payment={"method": "checkmo"})
    online = RefundContext(refundable(data, [ONLINE_INVOICE]))
    assert "offline" in dumped(form("refund", data, online))["sections"][0]["text"]


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_every_form_uses_only_gladly_inputs(action):
    context = RULES if action == "coupon" else refund_context(order())
    wire = dumped(OPERATIONS[action].form(shippable(), "/gladly/actions/x?orderId=7&token=t", context))
    assert wire["title"] and wire["submitButton"] and wire["closeButton"] == "Close"
    for section in wire["sections"]:
        assert section["type"] in ("text", "input")
        if section["type"] == "input":
            assert section["input"]["type"] in ("text", "select", "checkbox")


def test_cancel_form_requires_a_reason():
    wire = dumped(form("cancel", order()))
    reason = next(section for section in wire["sections"] if section.get("attr") == "reason")
    assert reason["input"]["optional"] is False and len(reason["input"]["options"]) == len(CANCEL_REASONS)


# -- reading submissions -----------------------------------------------------------------------------


def field_errors(reader, payload, *args):
    with pytest.raises(ActionValidationError) as caught:
        reader(payload, *args)
    return caught.value.field_errors


@pytest.mark.parametrize(("payload", "attr", "detail"), [
    ({"qty_11": "3"}, "qty_11", "At most 2 can be refunded."),
    ({"qty_11": "abc"}, "qty_11", NOT_A_NUMBER),
    ({"qty_11": "-1"}, "qty_11", "Enter a number of 0 or more."),
    ({"qty_11": "1", "shipping_amount": "1,50"}, "shipping_amount", NOT_A_NUMBER),
    ({"qty_11": "1.5"}, "qty_11", "Enter a whole number."),
    ({"qty_11": "0", "qty_12": ""}, "qty_11", "Enter a quantity to refund for at least one line."),
    ({"qty_11": "1", "shipping_amount": "6"}, "shipping_amount", "At most $5.00 of shipping is left."),
    ({"qty_11": "1", "adjustment_positive": "70"}, "adjustment_positive", "At most $69.00 is left to refund."),
    ({"qty_11": "2", "qty_12": "1", "shipping_amount": "5", "adjustment_positive": "1"}, "adjustment_positive",
     "This refund comes to $70.00; only $69.00 is left to refund."),
    ({"qty_11": "1", "adjustment_negative": "20"}, "adjustment_negative",
     "The fee leaves nothing to refund; the credit memo must be positive."),
])
def test_refund_input_errors_name_their_field(payload, attr, detail):
    assert field_errors(OPERATIONS["refund"].read, payload, refund_context(order()))[attr] == detail


def test_refund_input_reports_every_bad_field_at_once():
    errors = field_errors(OPERATIONS["refund"].read, {"qty_11": "9", "qty_12": "x", "shipping_amount": "y"},
                          refund_context(order()))
    assert set(errors) == {"qty_11", "qty_12", "shipping_amount"}


def test_partial_refund_payload():
    request = read("refund", {"mode": "partial", "qty_11": "1", "qty_12": "0", "shipping_amount": "2.5",
                              "adjustment_negative": "1", "return_to_stock": True, "notify": True,
                              "comment": " Damaged "}, refund_context(order()))
    assert magento_payload(request, online=False) == {
        "items": [{"order_item_id": 11, "qty": 1}], "notify": True, "appendComment": True,
        "comment": {"comment": "Damaged", "is_visible_on_front": 0},
        "arguments": {"shipping_amount": 2.5, "adjustment_positive": 0, "adjustment_negative": 1,
                      "extension_attributes": {"return_to_stock_items": [11]}}}


def test_full_refund_takes_every_refundable_quantity_and_the_shipping():
    request = read("refund", {"mode": "full", "qty_11": "0"}, refund_context(order()))
    payload = magento_payload(request, online=True)
    assert payload["items"] == [{"order_item_id": 11, "qty": 2}, {"order_item_id": 12, "qty": 1}]
    assert payload["arguments"]["shipping_amount"] == 5 and payload["isOnline"] is True
    assert payload["appendComment"] is False and "comment" not in payload


@pytest.mark.parametrize(("action", "payload", "attr"), [
    ("cancel", {"reason": ""}, "reason"),
    ("cancel", {"reason": "bogus"}, "reason"),
    ("comment", {"comment": "   "}, "comment"),
    ("hold", {"comment": "x" * 2001}, "comment"),
    ("unhold", {"comment": "x" * 2001}, "comment"),
    ("email", {"comment": "x" * 2001}, "comment"),
])
def test_other_inputs_are_checked(action, payload, attr):
    assert attr in field_errors(OPERATIONS[action].read, payload, None)


def test_confirmations_read_an_optional_comment():
    assert read_confirmation({}) == {"comment": ""}
    assert all(read(action, {"comment": " Why "}) == {"comment": "Why"} for action in ("hold", "unhold", "email"))


def test_checkboxes_accept_booleans_and_their_string_forms():
    assert read("comment", {"comment": "Hi", "notify": "true", "visible_on_front": False}) == {
        "comment": "Hi", "notify": True, "visible_on_front": False}


def test_coupon_form_offers_the_allowed_rules_and_reads_one():
    wire = dumped(form("coupon", order(), RULES))
    rule = next(section for section in wire["sections"] if section.get("attr") == "rule")
    assert rule["input"]["options"] == [{"text": "Sorry 10: 10% off matching items", "value": "4"},
                                        {"text": "Five off: USD 5.00 off the cart, until 2026-12-31", "value": "9"}]
    assert "000000007" in wire["sections"][0]["text"]
    assert read("coupon", {"rule": "9", "comment": " late parcel "}, RULES) == {"rule": RULES[1],
                                                                              "comment": "late parcel"}
    for bad in ({}, {"rule": "5"}, {"rule": 4.5}):
        with pytest.raises(ActionValidationError) as raised:
            read("coupon", bad, RULES)
        assert raised.value.to_dicts()[0]["attr"] == "rule"


def test_address_form_is_prefilled_with_the_current_shipping_address():
    fields = inputs(form("address", shippable()))
    assert {attr: section.default_value for attr, section in fields.items()} == {
        "firstname": "Jane", "lastname": "Doe", "company": "", "street1": "123 Oak Ave", "street2": "Suite 5",
        "city": "Austin", "region": "TX", "postcode": "78701", "country_id": "US", "telephone": "512-555-1111"}
    assert [attr for attr, section in fields.items() if section.input.optional] == ["company", "street2", "region"]


def test_address_input_becomes_a_magento_order_address():
    payload = {"firstname": " Sam ", "lastname": "Smith", "company": "", "street1": "500  Market St", "street2": "",
               "city": "San Francisco", "region": "CA", "postcode": "94105", "country_id": "us",
               "telephone": "415-555-0134"}
    assert read("address", payload) == {
        "firstname": "Sam", "lastname": "Smith", "company": "", "street": ["500 Market St"], "city": "San Francisco",
        "region": "CA", "postcode": "94105", "country_id": "US", "telephone": "415-555-0134"}
    with pytest.raises(ActionValidationError) as raised:
        read("address", {**payload, "city": " ", "country_id": "USA", "lastname": "x" * 256})
    assert {error["attr"] for error in raised.value.to_dicts()} == {"city", "country_id", "lastname"}
