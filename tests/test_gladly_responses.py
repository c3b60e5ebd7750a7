"""Gladly response formats: the lookup answer (gladly-lookup-adaptor.md §3) and action forms and results (§6)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.actions.model import ActionForm
from bridge.actions.model import ActionResult
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import Option
from bridge.actions.model import TextSection
from bridge.gladly.responses import ActionFormSchema
from bridge.gladly.responses import ActionResultSchema
from bridge.gladly.responses import LookupResponseSchema
from bridge.gladly.responses import OrderLineSchema
from bridge.gladly.responses import ProfileSchema
from bridge.lookup.model import Action
from bridge.lookup.model import Address
from bridge.lookup.model import Fulfillment
from bridge.lookup.model import Order
from bridge.lookup.model import OrderLine
from bridge.lookup.model import Phone
from bridge.lookup.model import Profile
from bridge.lookup.model import Refund

DATA = Path(__file__).parent / "data"

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
    assert dumped == json.loads((DATA / "gladly_detailed_response.json").read_text())
    assert list(dumped["results"][0]["transactions"][0])[0] == "type"


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
