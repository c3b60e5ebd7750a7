"""Gladly's side of order actions: find an order card in a detailed lookup, open an action form, submit it."""
from __future__ import annotations

from urllib.parse import urlsplit

LABELS = {"cancel": "Cancel order", "refund": "Refund order", "comment": "Add order comment", "hold": "Hold order",
          "unhold": "Release hold", "email": "Resend order e-mail", "address": "Change shipping address",
          "coupon": "Issue goodwill coupon"}


def profile(bridge, customer: str) -> dict:
    """The detailed lookup of ``customer``."""
    reply = bridge.lookup({"lookupLevel": "DETAILED", "uniqueMatchRequired": True,
                           "query": {"externalCustomerId": customer}})
    assert reply.status_code == 200, reply.text
    [found] = reply.json()["results"]
    return found


def card(bridge, customer: str, number: str) -> dict:
    """The ORDER transaction ``number`` from a detailed lookup of ``customer``."""
    return next(order for order in profile(bridge, customer)["transactions"] if order["orderNumber"] == number)


def offered(bridge, customer: str, number: str) -> set[str]:
    labels = {label: name for name, label in LABELS.items()}
    return {labels[action["name"]] for action in card(bridge, customer, number).get("actions", [])}


def signed_url(bridge, method: str, url: str, body: dict | None = None):
    parts = urlsplit(url)
    return bridge.signed(method, parts.path, body, query=parts.query)


def open_form(bridge, customer: str, number: str, action: str) -> dict:
    """Click the action under the order card: ``GET formUrl``."""
    button = next(a for a in card(bridge, customer, number)["actions"] if a["name"] == LABELS[action])
    reply = signed_url(bridge, "GET", button["formUrl"])
    assert reply.status_code == 200, reply.text
    return reply.json()


def submit(bridge, form: dict, body: dict):
    return signed_url(bridge, "POST", form["actionUrl"], body)
