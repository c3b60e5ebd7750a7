"""Which actions Magento would accept for an order, and which the merchant enabled.

An action is offered only when it can succeed (gladly-lookup-adaptor.md §6.1), so each rule mirrors the
Magento check behind its call (magento-rest.md §9-§12; ``SALES/Model/Order.php`` ``canCancel``,
``canHold``, ``canUnhold``, ``canCreditmemo``; the companion module's shipping-address endpoint). The rules
read only fields the detailed lookup's order projection holds (``bridge.lookup.service.ORDER_FIELDS``):
state, totals paid and refunded, item quantities, the shipping address.

The goodwill coupon is a profile action (§6.1 "actions on the profile"): it is offered on the shopper, and
its form is keyed by their latest order, on which the issued code is recorded.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from decimal import Decimal

from bridge.config import ACTION_NAMES
from bridge.lookup.mapping import shipping_address
from bridge.lookup.mapping import visible_lines
from bridge.formatting import to_decimal
from bridge.lookup.model import Action

LABELS = {
    "cancel": "Cancel order",
    "refund": "Refund order",
    "comment": "Add order comment",
    "hold": "Hold order",
    "unhold": "Release hold",
    "email": "Resend order e-mail",
    "coupon": "Issue goodwill coupon",
    "address": "Change shipping address",
}
PROFILE_ACTIONS = ("coupon",)
# The module's capability that PUT /V1/gladly/orders/{id}/shipping-address exists.
ADDRESS_CAPABILITY = "order_address"

# A money or quantity left below this is rounding, not something to refund.
EPSILON = Decimal("0.0001")


def qty(item: dict, name: str) -> Decimal:
    """One ``qty_*`` of an order item as a Decimal (absent is 0)."""
    return to_decimal(item.get(name))


def refundable_qty(item: dict) -> Decimal:
    """Invoiced and not yet refunded (Magento's ``QuantityValidator`` limit)."""
    return max(qty(item, "qty_invoiced") - qty(item, "qty_refunded"), Decimal(0))


def _not_fully_invoiced(order: dict) -> bool:
    # canCancel() refuses once every item is invoiced (magento-rest.md §10).
    return any(qty(item, "qty_ordered") - qty(item, "qty_invoiced") - qty(item, "qty_canceled") > EPSILON
               for item in visible_lines(order))


def _refundable(order: dict) -> bool:
    # canCreditmemo(): something paid beyond what is refunded, and an invoiced line left (§9).
    paid = to_decimal(order.get("total_paid")) - to_decimal(order.get("total_refunded"))
    return paid > EPSILON and any(refundable_qty(item) > EPSILON for item in visible_lines(order))


def _unshipped(order: dict) -> bool:
    # The module refuses once a shipment exists or the order is finished; nothing shipped means no shipment.
    return (order.get("state") not in ("complete", "closed", "canceled") and shipping_address(order) is not None
            and not any(qty(item, "qty_shipped") > 0 for item in order.get("items") or []))


RULES: dict[str, Callable[[dict], bool]] = {
    "cancel": lambda order: order.get("state") in ("new", "pending_payment", "processing")
    and _not_fully_invoiced(order),
    "refund": lambda order: order.get("state") in ("processing", "complete") and _refundable(order),
    "comment": lambda order: True,
    "hold": lambda order: order.get("state") in ("new", "pending_payment", "processing"),
    "unhold": lambda order: order.get("state") == "holded",
    # Magento would send it, but a confirmation for a cancelled order only confuses the shopper.
    "email": lambda order: order.get("state") != "canceled",
    # The code is recorded on the order as a comment, which any order takes.
    "coupon": lambda order: True,
    "address": _unshipped,
}


def can(action: str, order: dict) -> bool:
    """Whether Magento would accept ``action`` for ``order`` in its current state."""
    return RULES[action](order)


def enabled_actions(configured: Iterable[str], companion: dict | None) -> list[str]:
    """``BRIDGE_ACTIONS`` narrowed to the module's ``allowed_actions`` when the module answers.

    The two actions that need the module need it to answer: coupons need rules the merchant chose
    (``coupon_rules``), address changes need its endpoint (``capabilities``).
    """
    allowed = set(configured)
    values = companion or {}
    if companion is not None and isinstance(values.get("allowed_actions"), list):
        allowed &= set(values["allowed_actions"])
    if not (isinstance(values.get("coupon_rules"), list) and values["coupon_rules"]):
        allowed.discard("coupon")
    if ADDRESS_CAPABILITY not in (values.get("capabilities") or []):
        allowed.discard("address")
    return [name for name in ACTION_NAMES if name in allowed]


def form_url(prefix: str, action: str, order_id) -> str:
    """The relative ``formUrl`` of an action, under the path prefix Gladly is configured with (§6.1)."""
    return f"{prefix}/gladly/actions/{action}/form?orderId={order_id}"


def _once(enabled: Callable[[], list[str]]) -> Callable[[], list[str]]:
    """``enabled`` called on first use only: by then the lookup has the module's settings cached."""
    resolved: list[list[str]] = []

    def get() -> list[str]:
        if not resolved:
            resolved.append(enabled())
        return resolved[0]

    return get


def _buttons(prefix: str, names: Iterable[str], order: dict) -> list[Action]:
    return [Action(name=LABELS[name], form_url=form_url(prefix, name, order.get("entity_id")))
            for name in names if can(name, order)]


def order_actions(prefix: str, enabled: Callable[[], list[str]]) -> Callable[[dict], list[Action]]:
    """The lookup's ``order_actions`` hook: the enabled order actions an order can take, as buttons."""
    names = _once(enabled)
    return lambda order: _buttons(prefix, [name for name in names() if name not in PROFILE_ACTIONS], order)


def profile_actions(prefix: str, enabled: Callable[[], list[str]]) -> Callable[[list[dict]], list[Action]]:
    """The lookup's ``profile_actions`` hook: the enabled profile actions, keyed by the shopper's latest
    order (their orders come newest first); none for a shopper without orders."""
    names = _once(enabled)
    return lambda orders: _buttons(prefix, [name for name in names() if name in PROFILE_ACTIONS],
                                   orders[0]) if orders else []
