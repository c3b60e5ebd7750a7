"""Gladly wire formats: lookup requests in every observed shape (§2.3, §2.4), responses (§3) and forms (§6)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.errors import InvalidRequest
from bridge.actions.model import ActionForm
from bridge.actions.model import ActionResult
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import Option
from bridge.actions.model import TextSection
from bridge.gladly.schemas import ActionFormSchema
from bridge.gladly.schemas import ActionSchema
from bridge.gladly.schemas import FulfillmentSchema
from bridge.gladly.schemas import ActionResultSchema
from bridge.gladly.schemas import LookupResponseSchema
from bridge.gladly.schemas import compile_dump
from bridge.gladly.schemas import OrderLineSchema
from bridge.gladly.schemas import ProfileSchema
from bridge.gladly.schemas import load_lookup_request
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import Action
from bridge.lookup.model import Address
from bridge.lookup.model import Fulfillment
from bridge.lookup.model import LookupQuery
from bridge.lookup.model import Order
from bridge.lookup.model import OrderLine
from bridge.lookup.model import Phone
from bridge.lookup.model import Profile
from bridge.lookup.model import Refund

DATA = Path(__file__).parent / "data"

MARTHA = LookupQuery(
    kind=DETAILED, external_customer_id="abc", gladly_id="o2sg-TMTSD2rTwMuxzewbA", names=["Martha Williams"],
    emails=["martha.williams@gmail.com"], phones=["+15013299800"],
    custom_attributes={"favoriteDate": "2018-08-19T07:00:00.000Z", "favoriteFood": "Apple Pie"},
)


def load(name):
    return json.loads((DATA / name).read_text())


@pytest.mark.parametrize("sample, expected", [
    ("gladly_autolink_lp.json", LookupQuery(kind=AUTO_LINK, gladly_id="Br1zuiBMTA-daPVl50x45w",
                                            emails=["yasir@gladly.com"], names=["Yasir Sadeque"])),
    ("gladly_autolink_ape.json", LookupQuery(kind=AUTO_LINK, gladly_id="customer1", names=["First Last"],
                                             emails=["primary@email.com", "secondary@email.com"],
                                             phones=["+15551234567"])),
    ("gladly_search_spree.json", LookupQuery(kind=SEARCH, emails=["customer@example.com"], phones=["666-666-666"],
                                             names=["Elka Melka"])),
    ("gladly_search_lp_email.json", LookupQuery(kind=SEARCH, emails=["customer@example.com"])),
    ("gladly_detailed_flat.json", MARTHA),
    ("gladly_detailed_nested.json", MARTHA),
])
def test_loads_every_observed_request(sample, expected):
    assert load_lookup_request(load(sample)) == expected


@pytest.mark.parametrize("query, unique, kind", [
    ({"id": "g1", "emails": "jane@example.com"}, False, AUTO_LINK),  # a Gladly id: a profile, not an agent
    ({"emails": ["jane@example.com"]}, False, AUTO_LINK),  # arrays are Gladly profile data
    ({"emails": "jane@example.com"}, True, AUTO_LINK),  # a unique match was asked for
    ({}, False, AUTO_LINK),  # unsure
    ({"customAttributes": {"tier": "gold"}}, False, AUTO_LINK),  # unsure
    ({"orderNumber": "000000003"}, False, SEARCH),
])
def test_basic_kind_prefers_auto_link_when_unsure(query, unique, kind):
    body = {"lookupLevel": "BASIC", "query": query, "uniqueMatchRequired": unique}
    assert load_lookup_request(body).kind == kind


@pytest.mark.parametrize("level, kind", [("detailed", DETAILED), (" Basic ", SEARCH)])
def test_lookup_level_is_case_insensitive(level, kind):
    assert load_lookup_request({"lookupLevel": level, "query": {"name": "Jane"}}).kind == kind


def test_query_keys_are_merged_and_normalised():
    query = load_lookup_request({"lookupLevel": "BASIC", "query": {
        "email": "Jane@Example.com ", "emails": ["Jane@Example.com", "", 7, None, ["nested"]],
        "Phone": "+1 512 555 1111", "orderNumber": "000000003", "increment_id": ["000000004"], "order": "000000003",
        "externalCustomerId": 42, "loyaltyTier": ["gold", "vip"], "isVip": True, "ignored": {"deep": "value"},
    }})
    assert query == LookupQuery(
        kind=AUTO_LINK, external_customer_id="42", emails=["Jane@Example.com", "7"], phones=["+1 512 555 1111"],
        order_numbers=["000000003", "000000004"], custom_attributes={"loyaltyTier": "gold, vip"},
    )


def test_nested_custom_attributes_win_over_flat_ones():
    query = load_lookup_request({"lookupLevel": "DETAILED", "query": {
        "tier": "flat", "customAttributes": {"tier": "nested", "since": "2017"}}})
    assert query.custom_attributes == {"tier": "nested", "since": "2017"}


@pytest.mark.parametrize("body", [
    {"lookupLevel": "DETAILED", "query": None, "uniqueMatchRequired": None},
    {"lookupLevel": "DETAILED", "query": ["abc"], "uniqueMatchRequired": "yes"},
    {"lookupLevel": "DETAILED", "query": {"externalCustomerId": None, "customAttributes": ["x"]}},
    {"lookupLevel": "DETAILED", "somethingNew": {"a": 1}},
])
def test_never_rejects_an_odd_shape(body):
    assert load_lookup_request(body) == LookupQuery(kind=DETAILED)


@pytest.mark.parametrize("body, detail", [
    ([{"lookupLevel": "BASIC"}], "must be a JSON object"),
    ("BASIC", "must be a JSON object"),
    (None, "must be a JSON object"),
    ({"query": {"emails": ["jane@example.com"]}}, "lookupLevel: Missing data"),
    ({"lookupLevel": "FULL"}, "lookupLevel: Must be one of BASIC, DETAILED"),
    ({"lookupLevel": 5}, "lookupLevel: Not a valid string"),
    ({"lookupLevel": None}, "lookupLevel: Field may not be null"),
])
def test_rejects_only_a_non_object_or_an_unusable_lookup_level(body, detail):
    with pytest.raises(InvalidRequest, match=detail) as raised:
        load_lookup_request(body)
    assert raised.value.status_code == 400


SHIP_TO = Address(name="Jo Doe", phone="518-555-0100", street1="9 Gift Rd", street2="Apt 2", city="Albany",
                  state="NY", country="US", zip="12201")


def jane():
    """The profile of the example DETAILED response (§3.4), with the keys the bridge adds."""
    order = Order(
        order_number="000000003", created_at="2017-08-21T22:22:19Z", order_status="Processing",
        order_total="$27.00", currency_code="USD", item_count=1, discount="-$0.00", fulfilled="Yes",
        order_link="https://shop.example.com/admin/sales/order/view/order_id/3/",
        shipping_method="Best Way - Table Rate",
        billing_address=Address(name="Jane Doe", phone="512-555-1111", street1="123 Oak Ave", city="Purchase",
                                state="NY", country="US", zip="10755"),
        products=[OrderLine(id="3", name="Radiant Tee", sku="WS12-M-Orange", quantity=1.0, unit_price="$22.00",
                            total="$22.00", status="fulfilled", image_url="https://shop.example.com/media/ws12.jpg")],
        fulfillments=[Fulfillment(product_ids=["3"], status="shipped", carrier="ups",
                                  shipping_speed="Best Way - Table Rate", tracking_number="1Y-9876543210",
                                  tracking_url="https://www.ups.com/track?tracknum=1Y-9876543210",
                                  shipping_address=SHIP_TO)],
        actions=[Action(name="Cancel order", form_url="/actions/cancel-form?orderId=3")],
        shipping_address=SHIP_TO, payment_method="Check / Money order",
        customer_order_url="https://shop.example.com/sales/order/view/order_id/3/",
        refunds=[Refund("000000001", "2017-08-23", "$2.00", online=False),
                 Refund("000000002", "2017-08-24", "$3.00", online=True)],
        total_refunded="$5.00", note="2017-08-24 10:00 Refunded the gift wrap",
    )
    return Profile(
        external_customer_id="2", name="Jane Doe", address="123 Oak Ave, Purchase, NY 10755, US",
        emails=["jdoe@example.com"], phones=[Phone("+15125551111")],
        custom_attributes={"customerSince": "2017-01-31", "customerGroup": "General"}, transactions=[order],
        actions=[Action(name="Find order by number", form_url="/actions/find-order-form?customerId=2")],
    )


def test_dumps_a_detailed_response():
    dumped = LookupResponseSchema().dump({"results": [jane()]})
    assert dumped == load("gladly_detailed_response.json")
    assert list(dumped["results"][0]["transactions"][0])[0] == "type"


@pytest.mark.parametrize("schema, obj", [
    pytest.param(LookupResponseSchema(), {"results": [jane()]}, id="detailed"),
    pytest.param(LookupResponseSchema(), {"results": [Profile(external_customer_id="guest:a@b.c", name=None,
                                                              phones=[Phone("+1512", "HOME")])]}, id="basic"),
    pytest.param(LookupResponseSchema(), {"results": []}, id="empty"),
    pytest.param(LookupResponseSchema(), {"results": [{"externalCustomerId": "x", "external_customer_id": "3",
                                                       "phones": [{"number": 5125551111}], "emails": ["a@b.c"],
                                                       "custom_attributes": {"orderCount": "2"}}]}, id="dicts"),
    pytest.param(ActionSchema(), {"name": None}, id="missing-and-none"),
    pytest.param(FulfillmentSchema(), Fulfillment(product_ids=["1", None, 3], status="shipped"),
                 id="list-items"),
    pytest.param(OrderLineSchema(), OrderLine(id="9", name="Flour", sku="FL-1", quantity=1.5, unit_price="$2",
                                              total="$3", status="ordered"), id="fractional-quantity"),
])
def test_compiled_dump_equals_the_schema_dump(schema, obj):
    """The fast path the lookup view uses writes exactly what marshmallow writes."""
    assert compile_dump(schema)(obj) == schema.dump(obj)


def test_dumps_a_search_result_without_detailed_keys():
    profile = Profile(external_customer_id="7", name="Jane", emails=["jane@example.com"],
                      phones=[Phone("+15125551111", "HOME")])
    assert ProfileSchema().dump(profile) == {
        "externalCustomerId": "7", "name": "Jane", "address": "", "emails": [{"original": "jane@example.com"}],
        "phones": [{"original": "+15125551111", "type": "HOME"}], "customAttributes": {},
    }


def test_dumps_an_order_line_with_a_fractional_quantity_and_a_product_url():
    line = OrderLine(id="9", name="Flour", sku="FL-1", quantity=1.5, unit_price="$2.00", total="$3.00",
                     status="ordered", product_url="https://shop.example.com/flour.html")
    assert OrderLineSchema().dump(line) == {
        "id": "9", "name": "Flour", "sku": "FL-1", "quantity": 1.5, "unitPrice": "$2.00", "total": "$3.00",
        "status": "ordered", "productUrl": "https://shop.example.com/flour.html",
    }


def test_dumps_the_action_form_of_the_spec():
    form = ActionForm(
        title="Cancel order 000000003", submit_button="Cancel order", close_button="Close",
        action_url="/actions/cancel?orderId=3",
        sections=[
            TextSection("The order has not been invoiced and can be cancelled."),
            InputSection(label="Reason", attr="reason", hint="Required", input=Input(
                type="select", placeholder="Select a reason", optional=False,
                options=[Option("Customer request", "customer"), Option("Fraud", "fraud")])),
            InputSection(label="Comment", attr="comment",
                         input=Input(type="text", placeholder="Visible to staff only", optional=True)),
            InputSection(label="Notify", attr="notify", default_value=True,
                         input=Input(type="checkbox", text="Email the customer")),
        ],
    )
    assert ActionFormSchema().dump(form) == {
        "title": "Cancel order 000000003",
        "submitButton": "Cancel order",
        "closeButton": "Close",
        "actionUrl": "/actions/cancel?orderId=3",
        "sections": [
            {"type": "text", "text": "The order has not been invoiced and can be cancelled."},
            {"type": "input", "label": "Reason", "attr": "reason", "hint": "Required",
             "input": {"type": "select", "placeholder": "Select a reason", "optional": False,
                       "options": [{"text": "Customer request", "value": "customer"},
                                   {"text": "Fraud", "value": "fraud"}]}},
            {"type": "input", "label": "Comment", "attr": "comment",
             "input": {"type": "text", "placeholder": "Visible to staff only", "optional": True}},
            {"type": "input", "label": "Notify", "attr": "notify", "defaultValue": True,
             "input": {"type": "checkbox", "text": "Email the customer"}},
        ],
    }


def test_dumps_an_action_result():
    result = ActionResult(message="Order cancelled", detail="Order 000000003 was cancelled in Magento.")
    assert ActionResultSchema().dump(result) == {"message": "Order cancelled",
                                                 "detail": "Order 000000003 was cancelled in Magento."}


def test_forms_refuse_what_gladly_cannot_show():
    with pytest.raises(ValueError, match="no 'textarea' input"):
        Input(type="textarea")
    with pytest.raises(ValueError, match="unique"):
        ActionForm(title="t", submit_button="s", close_button="c", action_url="/a", sections=[
            InputSection(label="A", attr="x", input=Input("text")),
            InputSection(label="B", attr="x", input=Input("text"))])
