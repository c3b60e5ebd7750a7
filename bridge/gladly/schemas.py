"""Gladly's wire formats as marshmallow schemas: the one place that knows Gladly's camelCase keys.

Requests load into :class:`bridge.lookup.model.LookupQuery`; the lookup model's dataclasses and the
action forms of :mod:`bridge.actions.model` dump to what Gladly reads (gladly-lookup-adaptor.md §2, §3, §6).
"""
from __future__ import annotations

import json
import re
from typing import Any
from typing import Callable

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_dump
from marshmallow import post_load

from bridge.errors import BridgeError
from bridge.errors import InvalidRequest
from bridge.actions.model import TextSection
from bridge.lookup.model import AUTO_LINK
from bridge.lookup.model import DETAILED
from bridge.lookup.model import SEARCH
from bridge.lookup.model import LookupQuery

LOOKUP_LEVELS = ("BASIC", "DETAILED")

# Query keys, compared lower-cased without separators, that fill a LookupQuery list (§2.4 rule 2):
# Gladly's own plural keys, the singular names search attributes are often configured with (LP's
# `email`), and the usual spellings of a Magento order number (increment_id).
_LIST_KEYS = {
    "email": "emails",
    "emails": "emails",
    "phone": "phones",
    "phones": "phones",
    "name": "names",
    "names": "names",
    "order": "order_numbers",
    "orders": "order_numbers",
    "ordernumber": "order_numbers",
    "ordernumbers": "order_numbers",
    "incrementid": "order_numbers",
    "incrementids": "order_numbers",
}
_LIST_FIELDS = tuple(dict.fromkeys(_LIST_KEYS.values()))
_ID_KEYS = {"externalcustomerid": "external_customer_id", "id": "gladly_id"}
_NESTED_ATTRIBUTES_KEY = "customattributes"

# Input limits, checked before any Magento call (issue 11): Gladly's bodies nest three or four levels, and
# every value below ends up in a Magento query string, where unbounded input makes Magento answer 414.
MAX_DEPTH = 16
MAX_VALUES = 20  # values per field, e.g. e-mails of one profile
MAX_LENGTHS = {
    "emails": 254,  # RFC 5321 §4.5.3.1.3: the longest usable address
    "phones": 64,
    "names": 128,
    "order_numbers": 255,  # a few numbers typed in one box; Magento's increment_id is at most 50 characters
}
MAX_ID_LENGTH = 300  # externalCustomerId: a customer id, or "guest:" and an e-mail
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_body(raw: bytes, error: type[BridgeError] = InvalidRequest) -> Any:
    """A request body's JSON, or ``error`` (400) saying why not: not JSON, nested deeper than MAX_DEPTH, or
    holding a lone surrogate (no character; RFC 8259 §8.2), which no Magento query could encode."""
    try:
        body = json.loads(raw)
    except RecursionError:  # nested far beyond MAX_DEPTH: json's own recursion gave up
        raise error(f"The JSON body is nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError:  # includes bytes that are not UTF-8
        raise error("The body is not valid JSON.") from None
    pending = [(body, 1)]
    while pending:  # iterative, so a deep body cannot exhaust the stack here either
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise error("The JSON body holds an invalid Unicode escape (a lone surrogate).")
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise error(f"The JSON body is nested more than {MAX_DEPTH} levels deep.")
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
        pending.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return body


def _canonical_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _strings(value: Any) -> list[str]:
    """A query value as a list of non-empty strings: one string, or an array of them (§2.4 rule 1)."""
    items = value if isinstance(value, list) else [value]
    # Numbers are kept (an id may arrive as one); anything else cannot be a search value.
    texts = [str(item).strip() for item in items
             if isinstance(item, str) or (isinstance(item, (int, float)) and not isinstance(item, bool))]
    return [text for text in texts if text]


def _normalise_query(query: Any) -> dict[str, Any]:
    """LookupQuery keyword arguments from Gladly's ``query`` object; unknown shapes are ignored (§2.4)."""
    normalised: dict[str, Any] = {"custom_attributes": {}, **{name: [] for name in _LIST_FIELDS}}
    nested: Any = {}
    for key, value in (query.items() if isinstance(query, dict) else ()):
        canonical = _canonical_key(key)
        if canonical in _LIST_KEYS:
            normalised[_LIST_KEYS[canonical]] += _strings(value)
        elif canonical in _ID_KEYS:
            normalised[_ID_KEYS[canonical]] = (_strings(value) or [None])[0]
        elif canonical == _NESTED_ATTRIBUTES_KEY:
            nested = value
        else:
            _add_attribute(normalised["custom_attributes"], key, value)
    # §2.4 rule 3: custom attributes arrive flat (captured traffic) or nested (APE); nested wins.
    for key, value in (nested.items() if isinstance(nested, dict) else ()):
        _add_attribute(normalised["custom_attributes"], key, value)
    for name in _LIST_FIELDS:  # `email` and `emails` may both carry the same value
        normalised[name] = list(dict.fromkeys(normalised[name]))
    _check_limits(normalised)
    return normalised


def _check_limits(normalised: dict[str, Any]) -> None:
    """InvalidRequest naming the field, for values that would reach Magento beyond the limits above."""
    for name, longest in MAX_LENGTHS.items():
        values, field = normalised[name], _camel(name)
        if len(values) > MAX_VALUES:
            raise InvalidRequest(f"query.{field}: at most {MAX_VALUES} values, got {len(values)}.", attr=field)
        over = max(map(len, values), default=0)
        if over > longest:
            raise InvalidRequest(f"query.{field}: each value has at most {longest} characters, one has {over}.",
                                 attr=field)
    if len(normalised.get("external_customer_id") or "") > MAX_ID_LENGTH:
        raise InvalidRequest(f"query.externalCustomerId: at most {MAX_ID_LENGTH} characters.",
                             attr="externalCustomerId")


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


def _add_attribute(attributes: dict[str, str], key: str, value: Any) -> None:
    values = _strings(value)
    if values:
        attributes[key] = ", ".join(values)


def _basic_kind(query: Any, unique_match_required: Any) -> str:
    """AUTO_LINK or SEARCH for a BASIC lookup (§2.4 rule 5)."""
    # An agent's search carries the configured attributes with the strings they typed and no Gladly id.
    # Anything else is treated as auto-link: its at-most-one-exact-match rule can only miss a link,
    # never make a wrong one.
    typed = (isinstance(query, dict) and bool(query) and unique_match_required is not True
             and all(isinstance(value, str) for value in query.values())
             and not any(_canonical_key(key) == "id" for key in query))
    return SEARCH if typed else AUTO_LINK


class _LookupLevel(fields.String):
    """``BASIC`` or ``DETAILED`` in any case (SPREE accepts both, §2.4 rule 8), upper-cased."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"description": "BASIC (auto-link, search) or DETAILED, in any case.",
                                   "example": "DETAILED"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        level = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if level not in LOOKUP_LEVELS:
            raise ValidationError(f"Must be one of {', '.join(LOOKUP_LEVELS)}.")
        return level


class LookupRequestSchema(Schema):
    """A lookup request body (§2.1); loads into a LookupQuery. Only ``lookupLevel`` can fail validation."""

    class Meta:
        unknown = EXCLUDE

    lookup_level = _LookupLevel(data_key="lookupLevel", required=True)
    # Raw on purpose: §2.4 rule 8 forbids rejecting an authenticated lookup for the shape of these.
    unique_match_required = fields.Raw(data_key="uniqueMatchRequired", load_default=False, allow_none=True,
                                       metadata={"type": "boolean", "nullable": True})
    query = fields.Raw(load_default=dict, allow_none=True, metadata={
        "type": "object", "nullable": True, "additionalProperties": True,
        "description": "emails, phones, name, order numbers, externalCustomerId, id and custom attributes, "
                       "each a string or an array of strings (§2.2)."})

    @post_load
    def make_query(self, data: dict, **kwargs) -> LookupQuery:
        """Build the normalised query and tell its kind."""
        if data["lookup_level"] == "DETAILED":
            kind = DETAILED
        else:
            kind = _basic_kind(data["query"], data["unique_match_required"])
        return LookupQuery(kind=kind, **_normalise_query(data["query"]))


def load_lookup_request(body: Any) -> LookupQuery:
    """Parse a lookup body; InvalidRequest (400) only if it is not an object, lacks a usable lookupLevel or
    breaks an input limit on a value the lookup would send to Magento."""
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    try:
        return LookupRequestSchema().load(body)
    except ValidationError as error:
        detail = " ".join(error.normalized_messages().get("lookupLevel", ["Invalid lookup request."]))
        raise InvalidRequest(f"lookupLevel: {detail}", attr="lookupLevel") from None


class _WireSchema(Schema):
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


class OrderLineSchema(_WireSchema):
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


class FulfillmentSchema(_WireSchema):
    """``fulfillments[]`` of an ORDER transaction: one shipment (§3.4)."""

    product_ids = fields.List(fields.String(), data_key="productIds")
    status = fields.String()
    carrier = fields.String()
    shipping_speed = fields.String(data_key="shippingSpeed")
    tracking_number = fields.String(data_key="trackingNumber")
    tracking_url = fields.String(data_key="trackingUrl")
    shipping_address = fields.Nested(AddressSchema, data_key="shippingAddress")


class OrderSchema(_WireSchema):
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


class ProfileSchema(_WireSchema):
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


class OptionSchema(_WireSchema):
    text = fields.String()
    value = fields.String()


class InputSchema(_WireSchema):
    """The ``input`` of an input section: text, select or checkbox (§6.3)."""

    type = fields.String()
    placeholder = fields.String()
    optional = fields.Boolean()
    options = fields.List(fields.Nested(OptionSchema))
    text = fields.String()


class TextSectionSchema(Schema):
    type = fields.Constant("text")
    text = fields.String()


class InputSectionSchema(_WireSchema):
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


def compile_dump(schema: Schema) -> Callable[[Any], dict]:
    """A function that dumps like ``schema.dump`` for the plain response schemas above, many times faster.

    A detailed lookup dumps thousands of fields; marshmallow's per-field machinery was a sixth of the
    bridge's CPU per lookup, and a loop of per-field closures still a tenth. The schema stays the one
    definition of the wire format: this reads its declared fields (attribute, data_key, type) once and
    writes them out as the straight-line body of one function per schema. Tests hold the two equal.
    """
    drop_none = isinstance(schema, _WireSchema)
    namespace: dict[str, Any] = {"_DictView": _DictView, "MISSING": _MISSING}
    body = ["def dump(obj):",
            "    if obj.__class__ is dict:",
            "        obj = _DictView(obj)",
            "    out = {}"]
    for index, (name, field) in enumerate(schema.dump_fields.items()):
        attr, key = repr(field.attribute or name), repr(field.data_key or name)
        if isinstance(field, fields.Constant):
            if field.constant is not None or not drop_none:
                namespace[f"constant_{index}"] = field.constant
                body.append(f"    out[{key}] = constant_{index}")
            continue
        # As marshmallow: an absent attribute writes no key; None writes null, or nothing in wire schemas.
        body.append(f"    value = getattr(obj, {attr}, MISSING)")
        if isinstance(field, fields.String):
            converted = "value if value.__class__ is str else str(value)"
        else:
            namespace[f"convert_{index}"] = _compile_field(field)
            converted = f"convert_{index}(value)"
        if not drop_none:
            body.append(f"    if value is not MISSING:\n        out[{key}] = None if value is None else {converted}")
        elif isinstance(field, fields.String):  # a string never converts to None
            body.append(f"    if value is not None and value is not MISSING:\n        out[{key}] = {converted}")
        else:  # a custom field may serialize to None, which is dropped too
            body.append(f"    if value is not None and value is not MISSING:\n        value = {converted}\n"
                        f"        if value is not None:\n            out[{key}] = value")
    body.append("    return out")
    exec("\n".join(body), namespace)  # noqa: S102 - source built above from the schema's own declarations
    return namespace["dump"]


_MISSING = object()


class _DictView:
    """Attribute access to a dict for the generated dump functions; an absent key is an absent attribute."""

    __slots__ = ("_data",)

    def __init__(self, data: dict):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None


def _compile_field(field: fields.Field) -> Callable[[Any], Any]:
    """The conversion of one non-None value of a declared field (lists convert None items to None)."""
    if isinstance(field, fields.Nested):
        return compile_dump(field.schema)
    if isinstance(field, fields.List):
        item = _compile_field(field.inner)
        return lambda values: [None if value is None else item(value) for value in values]
    if isinstance(field, fields.String):
        return str
    if isinstance(field, fields.Dict):
        return dict
    # this module's own fields (_EmailField, _CountField, _RefundsField)
    return lambda value: field._serialize(value, None, None)
