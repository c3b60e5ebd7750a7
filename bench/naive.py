"""The naive detailed lookup the bridge is compared with: one Magento call after another.

What a straightforward integration does: GET the customer, then their orders, then the
shipments of each order, then each ordered product by SKU, each call waiting for the previous one. Plain
``requests`` signed with the bridge's OAuth 1.0a HMAC-SHA256 signer; no projection, no cache, no ``in``.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import requests

from bench.lookups import BUSY_CUSTOMER_ID
from bench.lookups import BUSY_ORDERS
from bridge.magento.oauth import Signer

REQUEST_TIMEOUT = 20


def search_query(field: str, value, *, page_size: int | None = None, sort_field: str | None = None) -> str:
    """A one-filter ``searchCriteria`` query string, RFC 3986-encoded (what Magento signs)."""
    params = [("searchCriteria[filter_groups][0][filters][0][field]", field),
              ("searchCriteria[filter_groups][0][filters][0][value]", str(value))]
    if sort_field:
        params += [("searchCriteria[sortOrders][0][field]", sort_field),
                   ("searchCriteria[sortOrders][0][direction]", "DESC")]
    if page_size:
        params += [("searchCriteria[pageSize]", str(page_size)), ("searchCriteria[currentPage]", "1")]
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in params)


class NaiveClient:
    """Sequential Magento REST calls for one store; ``calls`` counts them."""

    def __init__(self, base_url: str, credentials: dict, store_code: str = "default"):
        self.rest = base_url.rstrip("/") + f"/rest/{store_code}/V1/"
        self.signer = Signer(credentials["consumer_key"], credentials["consumer_secret"],
                             token=credentials["access_token"], token_secret=credentials["access_token_secret"])
        self.calls = 0

    def get(self, session: requests.Session, path: str, query: str = ""):
        """One signed GET; raises on any non-200."""
        self.calls += 1
        url = self.rest + path
        headers = {"Authorization": self.signer.authorization("GET", url, query)}
        response = session.get(url + (f"?{query}" if query else ""), headers=headers, timeout=REQUEST_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def detailed_lookup(self, session: requests.Session, customer_id: str) -> dict:
        """Customer, orders, shipments per order, product per visible line: the whole chain, in order."""
        customer = self.get(session, f"customers/{quote(customer_id, safe='')}")
        orders = self.get(session, "orders", search_query("customer_id", customer_id, page_size=BUSY_ORDERS,
                                                          sort_field="created_at"))["items"]
        for order in orders:
            order["shipments"] = self.get(session, "shipments",
                                          search_query("order_id", order["entity_id"]))["items"]
            for line in order.get("items", []):
                if not line.get("parent_item_id"):
                    line["product"] = self.get(session, f"products/{quote(line['sku'], safe='')}")
        return {"customer": customer, "orders": orders}


def naive_attempt(base_url: str, credentials: dict,
                  customer_id: str = BUSY_CUSTOMER_ID) -> Callable[[requests.Session], str | None]:
    """A load-phase callable: one naive detailed lookup, checked like the bridge's (>= 20 orders)."""
    client = NaiveClient(base_url, credentials)

    def attempt(session: requests.Session) -> str | None:
        try:
            profile = client.detailed_lookup(session, customer_id)
        except requests.HTTPError as exc:
            return f"HTTP {exc.response.status_code} from {exc.request.path_url[:120]}: {exc.response.text[:200]}"
        if len(profile["orders"]) < BUSY_ORDERS:
            return f"expected at least {BUSY_ORDERS} orders, got {len(profile['orders'])}"
        return None

    return attempt
