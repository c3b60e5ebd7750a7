"""Accessors of a Magento order's JSON shared by lookups and actions: its lines, quantities and shipping address."""
from __future__ import annotations

from decimal import ROUND_HALF_UP
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


def line_total(item: dict) -> Decimal:
    """The line's total before discount and tax, ``price`` x ``qty_ordered`` rounded to cents: what Magento stores
    as ``row_total`` (Magento_Quote ``Model/Quote/Item/AbstractItem.php`` ``calcRowTotal``, copied to the order item).

    REST's ``row_total`` is not that column on any version: Magento_Sales ``Model/Order/Webapi/ChangeOutputArray.php``
    rewrites it through the admin's price renderer, which gives ``row_total`` - discount on 2.4.6 and ``price`` -
    discount, without the quantity, on 2.4.8 (magento/magento2#39984: a line of 2 x $25.00 says $25.00).
    """
    total = to_decimal(item.get("price")) * qty(item, "qty_ordered")
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def line_paid(item: dict) -> Decimal:
    """What the whole line costs the shopper: :func:`line_total` plus tax and fixed product tax, less discount.

    The same sum as Magento_Sales ``Block/Order/Item/Renderer/DefaultRenderer.php`` ``getTotalAmount`` (REST's
    ``row_total_incl_tax``, already net of the discount), built from the stored amounts so that it cannot carry a
    version's rewrite of ``row_total``.
    """
    return (line_total(item) + to_decimal(item.get("tax_amount"))
            + to_decimal(item.get("discount_tax_compensation_amount"))
            + to_decimal(item.get("weee_tax_applied_row_amount")) - to_decimal(item.get("discount_amount")))


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
