"""What a person typed into the preview's search box, as the LookupQuery an agent's search would send."""
from __future__ import annotations

import re

from bridge.lookup.model import SEARCH
from bridge.lookup.model import LookupQuery

FIELDS = {"any": "Anything", "email": "E-mail", "phone": "Phone", "name": "Name", "order": "Order number"}
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{5,}[0-9]")
_ORDER = re.compile(r"[A-Za-z0-9-]{1,32}")


def search_query(text: str, field: str = "any") -> LookupQuery:
    """An agent-search query for ``text`` in ``field``; ``any`` tries every field the text could be.

    Raises ValueError for an empty text or an unknown field.
    """
    text = text.strip()
    if not text:
        raise ValueError("Type an e-mail, phone, name or order number.")
    if field not in FIELDS:
        raise ValueError(f"Unknown search field {field!r}.")
    if field == "any":
        # The matcher ORs the fields it is given (one concurrent stage), so an ambiguous text costs nothing extra.
        emails = [text] if "@" in text else []
        phones = [text] if not emails and _PHONE.fullmatch(text) else []
        orders = [text] if not emails and _ORDER.fullmatch(text) and any(c.isdigit() for c in text) else []
        names = [text] if not (emails or phones or orders) else []
        return LookupQuery(kind=SEARCH, emails=emails, phones=phones, order_numbers=orders, names=names)
    lists = {"email": "emails", "phone": "phones", "name": "names", "order": "order_numbers"}
    return LookupQuery(kind=SEARCH, **{lists[field]: [text]})
