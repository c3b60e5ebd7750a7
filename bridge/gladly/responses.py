"""Gladly's response formats as marshmallow schemas: the lookup answer and the action form and result.

The lookup model's dataclasses and the action forms of :mod:`bridge.actions.model` dump to the camelCase
keys Gladly reads (gladly-lookup-adaptor.md §3, §6); :mod:`bridge.gladly.dump` compiles the lookup answer's.
"""
from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import post_dump

from bridge.actions.model import TextSection


class WireSchema(Schema):
    """Leaves out None values: Gladly's formats have optional keys, not nulls."""

    @post_dump
    def drop_none(self, data: dict, **kwargs) -> dict:
        """Remove keys whose value is None."""
        return {key: value for key, value in data.items() if value is not None}


class _EmailField(fields.Field):
    """An email as Gladly's ``{"original": ...}`` object (§3.1)."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"type": "object", "required": ["original"],
                                   "properties": {"original": {"type": "string"}}}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return {"original": value}


class _CountField(fields.Field):
    """A number, written as an integer when whole: APE's schema reads quantities as Int (§3.4)."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"type": "number"}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        number = float(value)
        return int(number) if number.is_integer() else number


class PhoneSchema(Schema):
    original = fields.String(attribute="number")
    type = fields.String()


class ActionSchema(Schema):
    """An action button on a profile or an order (§6.1)."""

    name = fields.String()
    form_url = fields.String(data_key="formUrl")


class AddressSchema(Schema):
    """A billing or shipping address object (§3.4)."""

    name = fields.String()
    phone = fields.String()
    street1 = fields.String()
    street2 = fields.String()
    city = fields.String()
    state = fields.String()
    country = fields.String()
    zip = fields.String()


class OrderLineSchema(WireSchema):
    """``products[]`` of an ORDER transaction (§3.4)."""

    id = fields.String()
    name = fields.String()
    sku = fields.String()
    quantity = _CountField()
    unit_price = fields.String(data_key="unitPrice")
    total = fields.String()
    status = fields.String()
    product_url = fields.String(data_key="productUrl")
    image_url = fields.String(data_key="imageUrl")


class _RefundsField(fields.Field):
    """An order's credit memos as one line each: Gladly has no refund key, so they travel as display text
    in an extra string key (§3.4 "extra string keys on the transaction")."""

    def _serialize(self, value, attr, obj, **kwargs):
        return "\n".join(f"{refund.number} · {refund.date} · {refund.amount} · "
                         f"{'online' if refund.online else 'offline'}" for refund in value)


class FulfillmentSchema(WireSchema):
    """``fulfillments[]`` of an ORDER transaction: one shipment (§3.4)."""

    product_ids = fields.List(fields.String(), data_key="productIds")
    status = fields.String()
    carrier = fields.String()
    shipping_speed = fields.String(data_key="shippingSpeed")
    tracking_number = fields.String(data_key="trackingNumber")
    tracking_url = fields.String(data_key="trackingUrl")
    shipping_address = fields.Nested(AddressSchema, data_key="shippingAddress")


class OrderSchema(WireSchema):
    """An ORDER transaction (§3.4)."""

    type = fields.Constant("ORDER")
    order_number = fields.String(data_key="orderNumber")
    created_at = fields.String(data_key="createdAt")
    order_status = fields.String(data_key="orderStatus")
    order_total = fields.String(data_key="orderTotal")
    currency_code = fields.String(data_key="currencyCode")
    order_link = fields.String(data_key="orderLink")
    item_count = _CountField(data_key="itemCount")
    discount = fields.String()
    fulfilled = fields.String()
    shipping_method = fields.String(data_key="shippingMethod")
    note = fields.String()
    billing_address = fields.Nested(AddressSchema, data_key="billingAddress")
    # Not in Gladly's documented ORDER keys (§3.4): an order-level copy of fulfillments[].shippingAddress,
    # so the address shows before anything has shipped, and the payment and refunds as display strings.
    shipping_address = fields.Nested(AddressSchema, data_key="shippingAddress")
    customer_order_url = fields.String(data_key="customerOrderUrl")
    payment_method = fields.String(data_key="paymentMethod")
    refunds = _RefundsField()
    total_refunded = fields.String(data_key="totalRefunded")
    products = fields.List(fields.Nested(OrderLineSchema))
    fulfillments = fields.List(fields.Nested(FulfillmentSchema))
    actions = fields.List(fields.Nested(ActionSchema))


class ProfileSchema(WireSchema):
    """One entry of ``results`` (§3.1); ``transactions`` and ``actions`` only when set (DETAILED)."""

    external_customer_id = fields.String(data_key="externalCustomerId")
    name = fields.String()
    address = fields.String()
    emails = fields.List(_EmailField())
    phones = fields.List(fields.Nested(PhoneSchema))
    custom_attributes = fields.Dict(keys=fields.String(), values=fields.String(), data_key="customAttributes")
    transactions = fields.List(fields.Nested(OrderSchema))
    actions = fields.List(fields.Nested(ActionSchema))


class LookupResponseSchema(Schema):
    """The lookup answer ``{"results": [...]}`` (§3.1); dump ``{"results": profiles}``."""

    results = fields.List(fields.Nested(ProfileSchema))


class OptionSchema(WireSchema):
    text = fields.String()
    value = fields.String()


class InputSchema(WireSchema):
    """The ``input`` of an input section: text, select or checkbox (§6.3)."""

    type = fields.String()
    placeholder = fields.String()
    optional = fields.Boolean()
    options = fields.List(fields.Nested(OptionSchema))
    text = fields.String()


class TextSectionSchema(Schema):
    type = fields.Constant("text")
    text = fields.String()


class InputSectionSchema(WireSchema):
    type = fields.Constant("input")
    label = fields.String()
    attr = fields.String()
    default_value = fields.Raw(data_key="defaultValue")
    hint = fields.String()
    input = fields.Nested(InputSchema)


class _SectionField(fields.Field):
    """A form section, dumped by the schema of its kind."""

    def __init__(self, **kwargs):
        # The two schemas below, by the names bridge.ops.openapi registers them under.
        super().__init__(metadata={"oneOf": [{"$ref": "#/components/schemas/TextSection"},
                                             {"$ref": "#/components/schemas/InputSection"}]}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        schema = TextSectionSchema() if isinstance(value, TextSection) else InputSectionSchema()
        return schema.dump(value)


class ActionFormSchema(Schema):
    """The form definition answering ``GET formUrl`` (§6.3)."""

    title = fields.String()
    submit_button = fields.String(data_key="submitButton")
    close_button = fields.String(data_key="closeButton")
    action_url = fields.String(data_key="actionUrl")
    sections = fields.List(_SectionField())


class ActionResultSchema(Schema):
    """A successful action's answer (§6.5); Gladly needs both keys."""

    message = fields.String()
    detail = fields.String()
