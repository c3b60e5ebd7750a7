"""Lookup requests as Gladly sends them, signed and written out as a curl command (``bridge sign``)."""
from __future__ import annotations

import base64
import json
import shlex
from datetime import datetime

from bridge.gladly.signature import build_headers

AUTO_LINK_KIND = "auto-link"
SEARCH = "search"
DETAILED = "detailed"
KINDS = (AUTO_LINK_KIND, SEARCH, DETAILED)
LOOKUP_PATH = "/gladly/lookup"
SAMPLE_GLADLY_ID = "gladly-sample"  # stands in for the Gladly customer id Gladly puts in `query.id`


def lookup_body(kind: str, *, email: str | None = None, phone: str | None = None, name: str | None = None,
                order: str | None = None, customer: str | None = None) -> dict:
    """The body Gladly sends for ``kind`` (gladly-lookup-adaptor.md §2.3); ValueError when it lacks its input."""
    if kind == DETAILED:
        if not customer:
            raise ValueError("A detailed lookup needs a customer id (a Magento customer id, or guest:<email>).")
        return {"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                "query": {"externalCustomerId": customer, "id": SAMPLE_GLADLY_ID}}
    if kind == AUTO_LINK_KIND:
        if not (email or phone):
            raise ValueError("Auto-link needs an e-mail or a phone: Gladly links by the profile's e-mails and phones.")
        query = {"id": SAMPLE_GLADLY_ID, **({"name": name} if name else {}), "emails": [email] if email else [],
                 "phones": [phone] if phone else []}
        return {"lookupLevel": "BASIC", "uniqueMatchRequired": False, "query": query}
    if kind == SEARCH:
        # The agent's typed strings under the configured Search Query Attributes, no Gladly id (§2.2).
        query = {key: value for key, value in (("emails", email), ("phones", phone), ("name", name),
                                               ("orderNumber", order)) if value}
        if not query:
            raise ValueError("A search needs an e-mail, phone, name or order number.")
        return {"lookupLevel": "BASIC", "uniqueMatchRequired": False, "query": query}
    raise ValueError(f"Unknown lookup kind {kind!r}; choose from {', '.join(KINDS)}.")


def signed_curl(base_url: str, key: str, body: dict, *, prefix: str = "", basic: tuple[str, str] | None = None,
                now: datetime | None = None) -> str:
    """A ready-to-paste curl command POSTing ``body`` to the bridge's lookup URL, signed as Gladly signs it.

    ``prefix`` is the path a proxy strips (BRIDGE_GLADLY_PATH_PREFIX): Gladly signs the path it calls.
    """
    raw = json.dumps(body, separators=(",", ":"))
    path = prefix.rstrip("/") + LOOKUP_PATH
    # With Basic auth configured Gladly sends and signs an Authorization header too (§5.2).
    extra = None
    if basic:
        extra = {"Authorization": "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()}
    headers = build_headers(key, method="POST", path=path, body=raw.encode(), now=now, extra=extra)
    parts = ["curl -sS -X POST", shlex.quote(base_url.rstrip("/") + path)]
    parts += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in headers.items()]
    parts.append(f"--data-raw {shlex.quote(raw)}")
    return " \\\n  ".join(parts)
