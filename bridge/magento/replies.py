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


# What each scalar shape accepts outright, as a Python test of ``item``: the compiled checks of obj() and
# list_of() inline these (a detailed lookup checks a few thousand fields, and a call each was most of the
# cost) and call the shape only for anything else, which then passes slowly or fails with its message.
text.inline = "item.__class__ is str"  # type: ignore[attr-defined]
integer.inline = "item.__class__ is int"  # type: ignore[attr-defined]
# A chained comparison is False for NaN and the infinities, which go on to number() and fail there.
number.inline = (  # type: ignore[attr-defined]
    f"item.__class__ is int or item.__class__ is float and -{_LARGEST!r} < item < {_LARGEST!r}")
flag.inline = "item.__class__ is bool or item.__class__ is int or item.__class__ is str"  # type: ignore[attr-defined]
anything.inline = "True"  # type: ignore[attr-defined]


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

    inline = [f"({shape.inline})" for shape in shapes if hasattr(shape, "inline")]
    if inline:  # a value one member accepts outright fits
        check.inline = " or ".join(inline)  # type: ignore[attr-defined]
    return check


def obj(fields: dict[str, Shape], required: tuple[str, ...] = ()) -> Shape:
    """An object whose listed fields, when present and not null, fit their shapes; ``required`` must be there.

    The check is compiled, like gladly.schemas.compile_dump, into one straight-line function: a test per
    field, the scalar shapes' tests inline.
    """
    body = ["def check(value):",
            "    if not isinstance(value, dict):",
            "        raise _Mismatch('an object')",
            "    get = value.get"]
    for name in required:
        body.append(f"    if get({name!r}) is None:\n        raise _missing({name!r})")
    namespace: dict[str, Any] = {"_Mismatch": _Mismatch, "_missing": _missing}
    for index, (name, shape) in enumerate(fields.items()):
        inline = getattr(shape, "inline", "False")
        if inline == "True":
            continue
        namespace[f"shape_{index}"] = shape
        body.append(f"    item = get({name!r})\n"
                    f"    if item is not None and not ({inline}):\n"
                    + _call(f"shape_{index}", repr(f".{name}"), indent=8))
    exec("\n".join(body), namespace)  # noqa: S102 - source built above from the declared fields
    check = namespace["check"]
    check.fields = fields
    return check


def list_of(shape: Shape) -> Shape:
    """A list whose every entry fits ``shape`` (compiled like obj())."""
    source = ("def check(value):\n"
              "    if not isinstance(value, list):\n"
              "        raise _Mismatch('a list')\n"
              "    for index, item in enumerate(value):\n"
              f"        if not ({getattr(shape, 'inline', 'False')}):\n"
              + _call("shape", "f'[{index}]'", indent=12))
    namespace: dict[str, Any] = {"_Mismatch": _Mismatch, "shape": shape}
    exec(source, namespace)  # noqa: S102 - source built above from the given shape
    return namespace["check"]


def _call(shape: str, step: str, indent: int) -> str:
    """Source calling ``shape`` on ``item``, adding ``step`` to the path of a misfit."""
    pad = " " * indent
    return (f"{pad}try:\n{pad}    {shape}(item)\n{pad}except _Mismatch as error:\n"
            f"{pad}    error.path.insert(0, {step})\n{pad}    raise\n")


def _missing(name: str) -> _Mismatch:
    error = _Mismatch("present")
    error.path.append(f".{name}")
    return error


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
# Objects and lists first: either() passes strings outright, so a member tried in vain costs an exception.
REGION = either(obj({"region_code": text, "region": text}), text, expected="a region")
STREET = either(list_of(either(text, number, expected="a street line")), text, expected="a street")
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
    "id": integer, "status": integer, "visibility": integer,
    "custom_attributes": list_of(obj({"attribute_code": text, "value": anything})),
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
