"""Accessors of a Magento order's JSON shared by lookups and actions: its lines, quantities and shipping address."""
from __future__ import annotations

from decimal import Decimal

from bridge.magento.formatting import to_decimal


def visible_lines(order: dict) -> list[dict]:
    """Rows without ``parent_item_id``: a configurable product once, as its parent row (magento-rest.md §6)."""
    return [item for item in order.get("items") or [] if not item.get("parent_item_id")]


def qty(item: dict, name: str) -> Decimal:
    """One ``qty_*`` of an order item as a Decimal (absent is 0)."""
    return to_decimal(item.get(name))


def refundable_qty(item: dict) -> Decimal:
    """Invoiced and not yet refunded (Magento's ``QuantityValidator`` limit)."""
    return max(qty(item, "qty_invoiced") - qty(item, "qty_refunded"), Decimal(0))


def number(value) -> int | float:
    """A Magento quantity or amount as a JSON number: an int when whole, else a float."""
    amount = to_decimal(value)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def shipping_address(order: dict) -> dict | None:
    """The order's shipping address as Magento holds it (``extension_attributes.shipping_assignments``,
    magento-rest.md §6); None for a virtual order, which ships nowhere."""
    for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments") or []:
        address = (assignment.get("shipping") or {}).get("address")
        if address:
            return address
    return None
