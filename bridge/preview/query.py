"""What a person typed into the preview's search box, as the LookupQuery an agent's search would send.

Both queries are read by the same code as Gladly's lookup bodies (bridge/gladly/requests.py), so they are held to
the same input limits before any Magento call.
"""
from __future__ import annotations

import re

from bridge.gladly.requests import load_lookup_request
from bridge.lookup.model import LookupQuery

FIELDS = {"any": "Anything", "email": "E-mail", "phone": "Phone", "name": "Name", "order": "Order number"}
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{5,}[0-9]")
_ORDER = re.compile(r"(?=.*[0-9])[A-Za-z0-9-]{1,32}")  # an increment id has a digit
_KEYS = {"email": "emails", "phone": "phones", "name": "names", "order": "orderNumbers"}


def search_query(text: str, field: str = "any") -> LookupQuery:
    """An agent-search query for ``text`` in ``field``; ``any`` tries every field the text could be.

    Raises ValueError for an empty text or an unknown field, InvalidRequest (naming the field) for a text
    beyond the lookup's input limits.
    """
    text = text.strip()
    if not text:
        raise ValueError("Type an e-mail, phone, name or order number.")
    if field not in FIELDS:
        raise ValueError(f"Unknown search field {field!r}.")
    if field != "any":
        fields = [field]
    elif "@" in text:
        fields = ["email"]
    else:
        # The matcher ORs the fields it is given (one concurrent stage), so an ambiguous text costs nothing extra.
        fields = [name for name, pattern in (("phone", _PHONE), ("order", _ORDER)) if pattern.fullmatch(text)]
    return load_lookup_request({"lookupLevel": "BASIC", "query": {_KEYS[name]: text for name in fields or ["name"]}})


def customer_query(external_id: str) -> LookupQuery:
    """The detailed query Gladly sends for a linked customer; InvalidRequest for an id beyond the input limits."""
    return load_lookup_request({"lookupLevel": "DETAILED", "query": {"externalCustomerId": external_id}})
