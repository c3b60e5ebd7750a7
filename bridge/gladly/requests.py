"""Gladly's lookup request: the raw body checked and parsed, the query normalised and held to input limits.

A body loads into :class:`bridge.lookup.model.LookupQuery` (gladly-lookup-adaptor.md §2); the query's
camelCase and alias keys are read here and nowhere else.
"""
from __future__ import annotations

import json
import re
from typing import Any

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load

from bridge.errors import BridgeError
from bridge.errors import InvalidRequest
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

# Input limits, checked before any Magento call: Gladly's bodies nest three or four levels, and every value
# below ends up in a Magento query string, where unbounded input makes Magento answer 414.
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
