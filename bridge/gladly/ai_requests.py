"""Gladly AI's request bodies (``POST /gladly/ai/...``) as marshmallow schemas, one per endpoint, and what its
answers dump.

Gladly's App Actions name their inputs in camelCase and send them through an HTTP Request step's body template
(docs/gladly-ai.md); the schemas read those keys and nothing else (unknown keys are ignored: a template may send
more), check each value's type and length before any Magento call, and load snake_case values. A field error is
named by its JSON path (``items[0].quantity``, ``address.countryId``).
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from bridge.actions.ai import RefundLineAsked
from bridge.errors import AiInvalidInput
from bridge.errors import InvalidRequest
from bridge.gladly.requests import parse_body
from bridge.gladly.responses import OrderSchema
from bridge.gladly.responses import WireSchema

MAX_TEXT = 255  # Magento's order address fields and increment ids fit; a shopper's reason is a sentence or two
MAX_REASON = 1000
MAX_LINES = 20  # Magento caps lists inside request bodies at 20 (magento-rest.md §3.2)
MAX_TOKEN = 4096
# The keys of Gladly AI's ORDER contract (gladly-lookup-adaptor.md §3.4), fulfillment tracking included; the
# agents' extra keys (the admin link, staff comments, addresses, payment) are not the AI's to read.
AI_ORDER_KEYS = ("type", "order_number", "created_at", "order_status", "order_total", "currency_code",
                 "customer_order_url", "products", "fulfillments")


def _text(maximum: int = MAX_TEXT, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(1, maximum), **kwargs)


def _email() -> fields.String:
    return fields.String(data_key="customerEmail", required=True,
                         validate=[validate.Length(3, 254), validate.Regexp(r"^\s*[^@\s]+@[^@\s]+\s*$")])


class AiRequestSchema(Schema):
    """Every AI request: unknown keys ignored."""

    class Meta:
        unknown = EXCLUDE


class OrderRequestSchema(AiRequestSchema):
    """An order the shopper names, with the e-mail it was placed with (both checked against Magento)."""

    order_number = _text(data_key="orderNumber", required=True)
    customer_email = _email()


class CancelRequestSchema(OrderRequestSchema):
    reason = _text(MAX_REASON, required=True)


class RefundLineSchema(AiRequestSchema):
    sku = _text(required=True)
    quantity = fields.Decimal(required=True, allow_nan=False, validate=validate.Range(0, None, min_inclusive=False))


class RefundPreviewRequestSchema(OrderRequestSchema):
    """No ``items``: everything left to refund, shipping included."""

    items = fields.List(fields.Nested(RefundLineSchema), validate=validate.Length(1, MAX_LINES))
    refund_shipping = fields.Boolean(data_key="refundShipping", allow_none=True)


class RefundRequestSchema(OrderRequestSchema):
    confirmation_token = _text(MAX_TOKEN, data_key="confirmationToken", required=True)


class AddressSchema(AiRequestSchema):
    """A shipping address, the agents' address form's fields in camelCase; ``region`` is the state's code or name."""

    first_name = _text(data_key="firstName", required=True)
    last_name = _text(data_key="lastName", required=True)
    company = fields.String(validate=validate.Length(0, MAX_TEXT))
    street = fields.List(_text(), required=True, validate=validate.Length(1, 2))
    city = _text(required=True)
    region = fields.String(validate=validate.Length(0, MAX_TEXT))
    postcode = _text(required=True)
    country_id = fields.String(data_key="countryId", required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    telephone = _text(required=True)


class ShippingAddressRequestSchema(OrderRequestSchema):
    address = fields.Nested(AddressSchema, required=True)


class CouponRequestSchema(AiRequestSchema):
    customer_email = _email()
    reason = _text(MAX_REASON, required=True)


# --- answers ------------------------------------------------------------------------------------------------------

class AiLookupResponseSchema(Schema):
    """``orders/lookup``: the ORDER and the writes it allows now (``cancel``, ``refund``, ``address``, ``coupon``)."""

    order = fields.Nested(OrderSchema(only=AI_ORDER_KEYS))
    available_actions = fields.List(fields.String(), data_key="availableActions")


class RefundItemSchema(Schema):
    sku = fields.String()
    name = fields.String()
    quantity = fields.Float()
    amount = fields.String()


class RefundPreviewSchema(Schema):
    amount = fields.String()
    items = fields.List(fields.Nested(RefundItemSchema))
    shipping = fields.String()
    confirmation_token = fields.String(data_key="confirmationToken")
    expires_at = fields.String(data_key="expiresAt")


class RefundPreviewResponseSchema(Schema):
    """``orders/refund/preview``."""

    refund = fields.Nested(RefundPreviewSchema)


class AiResultSchema(WireSchema):
    """A write done: ``status`` (canceled, refunded, updated, issued), ``message`` for the shopper, and the refund's
    ``amount`` and ``creditMemo`` or the coupon's ``code`` and ``rule``."""

    status = fields.String()
    message = fields.String()
    amount = fields.String()
    credit_memo = fields.String(data_key="creditMemo")
    code = fields.String()
    rule = fields.String()


class AiResultResponseSchema(Schema):
    result = fields.Nested(AiResultSchema)


def load_ai_request(schema: Schema, raw: bytes) -> dict[str, Any]:
    """The body checked and loaded by ``schema``: 400 ``invalid_request`` when it is no JSON object, 422
    ``invalid_input`` naming each field otherwise wrong."""
    body = parse_body(raw, InvalidRequest)
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    try:
        return schema.load(body)
    except ValidationError as error:
        raise AiInvalidInput(dict(_paths(error.normalized_messages()))) from None


def _paths(messages: Any, prefix: str = ""):
    """Marshmallow's nested messages as (JSON path, first message) pairs."""
    if isinstance(messages, list):
        yield prefix or "body", str(messages[0])
        return
    for key, value in messages.items():
        path = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else str(key)
        yield from _paths(value, path)


def refund_lines(items: list[dict] | None) -> list[RefundLineAsked] | None:
    """The loaded ``items`` as refund lines; None for none (everything)."""
    return None if items is None else [RefundLineAsked(item["sku"].strip(), item["quantity"]) for item in items]


def address_form(address: dict) -> dict[str, str]:
    """The loaded address as the agents' address form's values (``bridge/actions/address.py``)."""
    street = [line.strip() for line in address["street"]]
    return {"firstname": address["first_name"], "lastname": address["last_name"],
            "company": address.get("company") or "", "street1": street[0], "street2": ", ".join(street[1:]),
            "city": address["city"], "region": address.get("region") or "", "postcode": address["postcode"],
            "country_id": address["country_id"], "telephone": address["telephone"]}
