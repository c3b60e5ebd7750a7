"""The shapes of the Magento replies the bridge reads, checked before any use (issue 11).

Magento documents each reply (magento-rest.md; reference/magento/openapi), but a proxy, a broken extension
or a wrong store URL can still answer 2xx with something else. Each shape names only the fields the bridge
reads: other fields are ignored, a missing or null one is None to the code that reads it, and one of the
wrong type makes the whole reply a MagentoBadReply (502), before it can raise deep in a mapper or sit in a
cache. The message names the field, never its value (replies carry shoppers' data).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from bridge.errors import MagentoBadReply

Shape = Callable[[Any], None]  # raises _Mismatch


class _Mismatch(Exception):
    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected
        self.path: list[str] = []


_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,12})?")
_LARGEST = 1e15  # money and quantities beyond this are not an order's


def text(value: Any) -> None:
    """A string."""
    if not isinstance(value, str):
        raise _Mismatch("a string")


def integer(value: Any) -> None:
    """An entity id or count: a JSON integer."""
    if type(value) is not int:
        raise _Mismatch("an integer")


def number(value: Any) -> None:
    """An amount or quantity: a finite JSON number, or a decimal string (some extensions send those)."""
    if type(value) is int or type(value) is float:
        if math.isfinite(value) and abs(value) < _LARGEST:
            return
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return
    raise _Mismatch("a number")


def flag(value: Any) -> None:
    """Magento's booleans: true/false, 0/1, or "0"/"1"."""
    if not isinstance(value, (bool, int, str)):
        raise _Mismatch("a boolean")


def anything(value: Any) -> None:
    """Any JSON value: the code reading it checks its type itself."""


# The exact types each scalar shape accepts without further checks: obj() tests these inline, since a
# detailed lookup checks a few thousand fields and a function call each was most of the cost.
text.fast = frozenset({str})  # type: ignore[attr-defined]
integer.fast = frozenset({int})  # type: ignore[attr-defined]
number.fast = frozenset({int})  # type: ignore[attr-defined]
flag.fast = frozenset({bool, int, str})  # type: ignore[attr-defined]
anything.fast = frozenset({type(None), bool, int, float, str, list, dict})  # type: ignore[attr-defined]


def either(*shapes: Shape, expected: str) -> Shape:
    """A value that fits one of ``shapes``."""

    def check(value: Any) -> None:
        for shape in shapes:
            try:
                shape(value)
                return
            except _Mismatch:
                continue
        raise _Mismatch(expected)

    return check


def obj(fields: dict[str, Shape], required: tuple[str, ...] = ()) -> Shape:
    """An object whose listed fields, when present and not null, fit their shapes; ``required`` must be there."""
    items = tuple((name, getattr(shape, "fast", frozenset()), shape) for name, shape in fields.items())

    def check(value: Any) -> None:
        if not isinstance(value, dict):
            raise _Mismatch("an object")
        for name in required:
            if value.get(name) is None:
                error = _Mismatch("present")
                error.path.append(f".{name}")
                raise error
        for name, fast, shape in items:
            item = value.get(name)
            if item is not None and type(item) not in fast:
                try:
                    shape(item)
                except _Mismatch as error:
                    error.path.insert(0, f".{name}")
                    raise

    check.fields = fields  # type: ignore[attr-defined]
    return check


def list_of(shape: Shape) -> Shape:
    """A list whose every entry fits ``shape``."""

    def check(value: Any) -> None:
        if not isinstance(value, list):
            raise _Mismatch("a list")
        for index, item in enumerate(value):
            try:
                shape(item)
            except _Mismatch as error:
                error.path.insert(0, f"[{index}]")
                raise

    return check


def search_result(item: Shape) -> Shape:
    """A search reply, ``{"items": [...], "total_count": n}`` (magento-rest.md §3.2)."""
    return obj({"items": list_of(item), "total_count": integer})


def optional(shape: Shape) -> Shape:
    """The same object with no required field: for replies trimmed by ``fields=`` to a few columns."""
    return obj(shape.fields)  # type: ignore[attr-defined]


def check(reply: Any, shape: Shape, call: str) -> Any:
    """``reply`` itself when it fits ``shape``; MagentoBadReply naming the first misfit otherwise."""
    try:
        shape(reply)
    except _Mismatch as error:
        where = "".join(error.path).lstrip(".") or "the reply"
        raise MagentoBadReply(f"Magento's answer to {call} is not what the bridge expects: {where} should be "
                              f"{error.expected}.", path=call) from None
    return reply


# --- the replies the bridge reads (field lists follow the fields= projections in lookup/ and actions/) -----

ID_OR_TEXT = either(integer, text, expected="an id")
REGION = either(text, obj({"region_code": text, "region": text}), expected="a region")
STREET = either(text, list_of(either(text, number, expected="a street line")), expected="a street")
_ADDRESS_FIELDS = {"firstname": text, "lastname": text, "telephone": text, "street": STREET, "city": text,
                   "region": REGION, "region_code": text, "postcode": text, "country_id": text}
ORDER_ADDRESS = obj(_ADDRESS_FIELDS)
CUSTOMER = obj({
    "id": integer, "email": text, "firstname": text, "lastname": text, "group_id": integer, "website_id": integer,
    "store_id": integer, "created_at": text, "default_billing": ID_OR_TEXT, "default_shipping": ID_OR_TEXT,
    "addresses": list_of(obj({**_ADDRESS_FIELDS, "id": integer, "default_billing": flag,
                              "default_shipping": flag})),
}, required=("id",))
ORDER_LINE = obj({
    "item_id": integer, "parent_item_id": integer, "product_id": integer, "product_type": text, "sku": text,
    "name": text, "is_virtual": flag, "is_qty_decimal": flag,
    **{name: number for name in ("qty_ordered", "qty_invoiced", "qty_shipped", "qty_refunded", "qty_canceled",
                                 "price", "row_total", "row_total_incl_tax", "tax_amount", "discount_amount")},
}, required=("item_id",))
ORDER = obj({
    "entity_id": integer, "increment_id": ID_OR_TEXT, "created_at": text, "state": text, "status": text,
    "store_id": integer, "customer_id": integer, "customer_email": text, "customer_firstname": text,
    "customer_lastname": text, "customer_is_guest": flag, "order_currency_code": text, "base_currency_code": text,
    "shipping_description": text, "payment": obj({"method": text}), "billing_address": ORDER_ADDRESS,
    "items": list_of(ORDER_LINE),
    "status_histories": list_of(obj({"entity_id": integer, "comment": text, "created_at": text})),
    "extension_attributes": obj({
        "shipping_assignments": list_of(obj({"shipping": obj({"address": ORDER_ADDRESS})})),
        "payment_additional_info": list_of(obj({"key": text, "value": anything})),
    }),
    **{name: number for name in ("grand_total", "base_grand_total", "total_refunded", "base_total_refunded",
                                 "discount_amount", "total_invoiced", "total_paid", "total_due", "shipping_amount",
                                 "shipping_invoiced", "shipping_refunded")},
}, required=("entity_id",))
ORDERS = search_result(ORDER)
ORDER_TOTALS = search_result(optional(ORDER))  # the lifetime-value projection has no entity_id
CUSTOMERS = search_result(CUSTOMER)
SHIPMENTS = search_result(obj({
    "entity_id": integer, "order_id": integer, "created_at": text,
    "items": list_of(obj({"order_item_id": integer, "qty": number})),
    "tracks": list_of(obj({"track_number": text, "title": text, "carrier_code": text})),
}))
PRODUCTS = search_result(obj({
    "id": integer, "custom_attributes": list_of(obj({"attribute_code": text, "value": anything})),
}))
STORE_CONFIGS = list_of(obj({
    "id": integer, "website_id": integer, "base_link_url": text, "secure_base_link_url": text,
    "base_media_url": text, "secure_base_media_url": text, "base_currency_code": text, "timezone": text,
}))
WEBSITES = list_of(obj({"id": integer, "name": text}))
COMPANION_CONFIG = obj({"admin_base_url": text, "product_url_suffix": text, "allowed_actions": list_of(text),
                        "setup_code": text, "capabilities": list_of(text),
                        "coupon_rules": list_of(obj({"id": integer, "name": text, "amount": text,
                                                     "expires_on": text}, required=("id",))),
                        "order_statuses": list_of(obj({"store_id": integer, "code": text, "label": text}))})
INVOICES = search_result(obj({
    "entity_id": integer, "increment_id": ID_OR_TEXT, "state": integer, "transaction_id": ID_OR_TEXT,
    "items": list_of(obj({"order_item_id": integer, "qty": number})),
}, required=("entity_id",)))
CREDIT_MEMOS = search_result(obj({
    "entity_id": integer, "order_id": integer, "increment_id": ID_OR_TEXT, "created_at": text,
    "invoice_id": integer, "grand_total": number, "order_currency_code": text, "transaction_id": ID_OR_TEXT,
}, required=("entity_id",)))


def get(client, path: str, shape: Shape, params=None, *, deadline=None) -> Any:
    """``client.get`` whose reply is checked against ``shape``."""
    return check(client.get(path, params, deadline=deadline), shape, f"GET {path}")
