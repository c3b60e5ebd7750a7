"""The signed Gladly lookups the benchmark sends, and what counts as a right answer for the busy shopper."""
from __future__ import annotations

import json
from collections.abc import Callable

import orjson
import requests

from bridge.gladly.signature import build_headers

LOOKUP_PATH = "/gladly/lookup"
REQUEST_TIMEOUT = 20  # above Gladly's 15 s cut-off: a slow lookup is measured, not dropped

# The busy merchant's shopper in the sandbox's "busy" dataset: many orders, shipments and refunds.
BUSY_CUSTOMER_ID = "100"
BUSY_EMAIL = "busy@example.com"
BUSY_ORDERS = 20

BODIES = {
    # Gladly's Detailed Lookup after linking (gladly-lookup-adaptor.md §2.3).
    "detailed": {"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                 "query": {"externalCustomerId": BUSY_CUSTOMER_ID, "id": "bench-gladly-1", "name": "Busy Shopper",
                           "emails": [BUSY_EMAIL]}},
    # Auto-link as captured from Gladly: id, name and the profile's emails.
    "auto_link": {"lookupLevel": "BASIC", "uniqueMatchRequired": False,
                  "query": {"id": "bench-gladly-1", "name": "Busy Shopper", "emails": [BUSY_EMAIL]}},
}
KINDS = tuple(BODIES)


def single_profile(status: int, payload) -> tuple[dict, str | None]:
    """The one profile of a lookup's answer, and what was wrong when the status or the number of results is."""
    if status != 200:
        return {}, f"HTTP {status}: {str(payload)[:200]}"
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list) or len(results) != 1:
        return {}, f"expected exactly 1 result, got {len(results) if isinstance(results, list) else results!r}"
    return results[0], None


def check_answer(kind: str, status: int, payload) -> str | None:
    """None when a lookup answered right, else what was wrong (a wrong status, body or profile counts as an error)."""
    profile, problem = single_profile(status, payload)
    if problem:
        return problem
    if kind == "detailed":
        transactions = profile.get("transactions") or []
        if len(transactions) < BUSY_ORDERS:
            return f"expected at least {BUSY_ORDERS} transactions, got {len(transactions)}"
    elif str(profile.get("externalCustomerId")) != BUSY_CUSTOMER_ID:
        return f"auto-link matched {profile.get('externalCustomerId')!r}, expected {BUSY_CUSTOMER_ID}"
    return None


def parse_answer(response: requests.Response):
    """The answer's JSON, or its text when it is not JSON (orjson: the load generator shares the bridge's CPU)."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text


def lookup_attempt(bridge_url: str, signing_key: str, kind: str) -> Callable[[requests.Session], str | None]:
    """A callable that POSTs one freshly signed ``kind`` lookup on a session and checks the answer."""
    raw = json.dumps(BODIES[kind], separators=(",", ":")).encode()
    url = bridge_url + LOOKUP_PATH

    def attempt(session: requests.Session) -> str | None:
        headers = build_headers(signing_key, method="POST", path=LOOKUP_PATH, body=raw)
        response = session.post(url, data=raw, headers=headers, timeout=REQUEST_TIMEOUT)
        return check_answer(kind, response.status_code, parse_answer(response))

    return attempt
