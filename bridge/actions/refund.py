"""Credit memo arithmetic: what is refundable, online or offline, and the Magento refund request.

Limits come from Magento's own numbers so agents see them before Magento's validators would refuse
(magento-rest.md §9: ``QuantityValidator``, ``TotalsValidator``, ``CanRefund``).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bridge.actions.offer import EPSILON
from bridge.actions.offer import qty
from bridge.actions.offer import refundable_qty
from bridge.lookup.mapping import visible_lines
from bridge.formatting import to_decimal

# Magento caps lists inside request bodies at 20 when input limits are on (magento-rest.md §3.2).
MAX_ITEMS = 20
# Core payment methods that have no gateway to refund through; anything else refunds online when its
# invoice was captured online (it carries a transaction id).
OFFLINE_METHODS = frozenset({"checkmo", "banktransfer", "cashondelivery", "purchaseorder", "free"})
INVOICE_PAID = 2  # SALES/Model/Order/Invoice.php STATE_PAID


@dataclass(frozen=True)
class RefundLine:
    """A visible order line with something left to refund."""

    item_id: int
    name: str
    sku: str
    max_qty: Decimal
    unit_amount: Decimal  # what one unit refunds: row total with tax, less discount, per unit ordered
    decimal_qty: bool


@dataclass(frozen=True)
class Refundable:
    """Everything a credit memo for this order may contain."""

    lines: list[RefundLine]
    amount: Decimal  # paid and not yet refunded
    shipping: Decimal  # shipping invoiced and not yet refunded
    currency: str
    online: list[dict]  # invoices to refund through the payment gateway, newest first; [] means offline


@dataclass
class RefundRequest:
    """A validated credit memo request."""

    quantities: dict[int, Decimal]
    shipping: Decimal = Decimal(0)
    adjustment_positive: Decimal = Decimal(0)
    adjustment_negative: Decimal = Decimal(0)
    return_to_stock: bool = False
    notify: bool = False
    comment: str = ""

    def total(self, refundable: Refundable) -> Decimal:
        """The estimated credit memo total, in the order currency."""
        units = {line.item_id: line.unit_amount for line in refundable.lines}
        items = sum((units[item_id] * count for item_id, count in self.quantities.items()), Decimal(0))
        return items + self.shipping + self.adjustment_positive - self.adjustment_negative


def refundable(order: dict, invoices: list[dict]) -> Refundable:
    """The order's refundable lines and amounts, and the invoices to refund online through."""
    lines = []
    for item in visible_lines(order):
        left = refundable_qty(item)
        if left <= EPSILON:
            continue
        ordered = qty(item, "qty_ordered") or Decimal(1)
        row = (to_decimal(item["row_total_incl_tax"]) if item.get("row_total_incl_tax") is not None
               else to_decimal(item.get("row_total")) + to_decimal(item.get("tax_amount")))
        lines.append(RefundLine(item_id=int(item["item_id"]), name=item.get("name") or "", sku=item.get("sku") or "",
                                max_qty=left, unit_amount=(row - to_decimal(item.get("discount_amount"))) / ordered,
                                decimal_qty=bool(item.get("is_qty_decimal"))))
    # Shipping not yet invoiced cannot be refunded; older orders may lack shipping_invoiced.
    invoiced_shipping = order.get("shipping_invoiced", order.get("shipping_amount"))
    return Refundable(
        lines=lines,
        amount=max(to_decimal(order.get("total_paid")) - to_decimal(order.get("total_refunded")), Decimal(0)),
        shipping=max(to_decimal(invoiced_shipping) - to_decimal(order.get("shipping_refunded")), Decimal(0)),
        currency=order.get("order_currency_code") or "",
        online=online_invoices(order, invoices),
    )


def online_invoices(order: dict, invoices: list[dict]) -> list[dict]:
    """Paid invoices that can be refunded through the payment gateway, newest first (§9: "captured online")."""
    method = ((order.get("payment") or {}).get("method") or "").lower()
    if method in OFFLINE_METHODS:
        return []
    paid = [invoice for invoice in invoices
            if int(invoice.get("state") or 0) == INVOICE_PAID and invoice.get("transaction_id")]
    return sorted(paid, key=lambda invoice: int(invoice.get("entity_id") or 0), reverse=True)


def invoice_for(candidates: list[dict], item_ids) -> dict | None:
    """The newest online invoice that holds every line to refund, or None."""
    wanted = set(item_ids)
    for invoice in candidates:
        held = {int(item.get("order_item_id") or 0) for item in invoice.get("items") or []
                if to_decimal(item.get("qty")) > 0}
        if wanted <= held:
            return invoice
    return None


def magento_payload(request: RefundRequest, online: bool) -> dict:
    """The body of ``POST /V1/order/{id}/refund`` or ``/V1/invoice/{id}/refund`` (magento-rest.md §9)."""
    items = [{"order_item_id": item_id, "qty": _number(count)} for item_id, count in request.quantities.items()]
    arguments = {
        # Always sent: omitted means "refund the remaining shipping" (§9).
        "shipping_amount": _number(request.shipping),
        "adjustment_positive": _number(request.adjustment_positive),
        "adjustment_negative": _number(request.adjustment_negative),
    }
    if request.return_to_stock:
        arguments["extension_attributes"] = {"return_to_stock_items": list(request.quantities)}
    payload = {"items": items, "notify": request.notify, "appendComment": bool(request.comment),
               "arguments": arguments}
    if request.comment:
        payload["comment"] = {"comment": request.comment, "is_visible_on_front": 0}
    if online:
        payload["isOnline"] = True
    return payload


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
