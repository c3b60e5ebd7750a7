"""The refund: credit memo arithmetic (what is refundable, online or offline), its form and the Magento request.

Limits come from Magento's own numbers so agents see them before Magento's validators would refuse
(magento-rest.md §9: ``QuantityValidator``, ``TotalsValidator``, ``CanRefund``).
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from bridge.actions import forms
from bridge.actions.model import ActionForm
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import Option
from bridge.actions.model import TextSection
from bridge.actions.operations import EPSILON
from bridge.actions.operations import Operation
from bridge.actions.operations import Run
from bridge.actions.operations import by_agent
from bridge.actions.operations import read_order
from bridge.errors import ActionValidationError
from bridge.magento import resources
from bridge.magento.client import MagentoClient
from bridge.magento.formatting import format_money
from bridge.magento.formatting import to_decimal
from bridge.magento.orders import line_paid
from bridge.magento.orders import number
from bridge.magento.orders import qty
from bridge.magento.orders import refundable_qty
from bridge.magento.orders import visible_lines
from bridge.magento.search import SearchCriteria

# Magento caps lists inside request bodies at 20 when input limits are on (magento-rest.md §3.2).
MAX_ITEMS = 20
# Core payment methods that have no gateway to refund through; anything else refunds online when its
# invoice was captured online (it carries a transaction id).
OFFLINE_METHODS = frozenset({"checkmo", "banktransfer", "cashondelivery", "purchaseorder", "free"})
INVOICE_PAID = 2  # SALES/Model/Order/Invoice.php STATE_PAID
FULL = "full"
PARTIAL = "partial"


@dataclass(frozen=True)
class RefundLine:
    """A visible order line with something left to refund."""

    item_id: int
    name: str
    sku: str
    max_qty: Decimal
    unit_amount: Decimal  # what one unit refunds: orders.line_paid per unit ordered
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
        lines.append(RefundLine(item_id=int(item["item_id"]), name=item.get("name") or "", sku=item.get("sku") or "",
                                max_qty=left, unit_amount=line_paid(item) / ordered,
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
    items = [{"order_item_id": item_id, "qty": number(count)} for item_id, count in request.quantities.items()]
    arguments = {
        # Always sent: omitted means "refund the remaining shipping" (§9).
        "shipping_amount": number(request.shipping),
        "adjustment_positive": number(request.adjustment_positive),
        "adjustment_negative": number(request.adjustment_negative),
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


def qty_attr(item_id: int) -> str:
    """The ``attr`` of a refund line's quantity field."""
    return f"qty_{item_id}"


@dataclass
class RefundContext:
    """A refund's reads: what is refundable, and the credit memos that existed before the write."""

    refundable: Refundable
    memo_ids: set = field(default_factory=set)
    invoice: dict | None = None
    memo: dict | None = None


def _credit_memos(client: MagentoClient, order_id: int) -> list[dict]:
    """The order's credit memos (magento-rest.md §4 ``GET /V1/creditmemos``)."""
    return resources.get(client, "/V1/creditmemos", resources.CREDIT_MEMOS,
                       SearchCriteria().where("order_id", order_id).limit(100)).get("items") or []


class Refund(Operation):
    """A full or partial credit memo, online through the invoice's payment gateway when it was captured online."""

    name = "refund"
    label = "Refund order"
    verb = "refund"
    done = "Refund went through"
    not_done = "nothing was refunded"

    def can(self, order):
        # canCreditmemo(): something paid beyond what is refunded, and an invoiced line left (§9).
        paid = to_decimal(order.get("total_paid")) - to_decimal(order.get("total_refunded"))
        return (order.get("state") in ("processing", "complete") and paid > EPSILON
                and any(refundable_qty(item) > EPSILON for item in visible_lines(order)))

    def load(self, client, order_id, submitting):
        invoices = SearchCriteria().where("order_id", order_id).limit(50)
        order, found, memos = client.parallel(
            lambda: read_order(client, order_id),
            lambda: resources.get(client, "/V1/invoices", resources.INVOICES, invoices),
            # Submitting: the credit memos before the write, to recognise a new one after a lost reply.
            lambda: _credit_memos(client, order_id) if submitting else [])
        return order, RefundContext(refundable(order, found.get("items") or []),
                                    memo_ids={memo.get("entity_id") for memo in memos})

    def form(self, order, action_url, context):
        """Full or partial credit memo: a quantity per refundable line, shipping, adjustments (§9)."""
        refundable: Refundable = context.refundable
        money = refundable.currency
        if refundable.online:
            invoice = refundable.online[0].get("increment_id") or refundable.online[0].get("entity_id")
            channel = (f"Refunded online: Magento refunds the payment through invoice {invoice} "
                       "and the payment gateway.")
        else:
            channel = "Refunded offline: Magento records the credit memo; the money is returned outside Magento."
        sections = [
            TextSection(f"{format_money(refundable.amount, money)} paid is not yet refunded. {channel}"),
            InputSection(label="Refund", attr="mode", default_value=PARTIAL,
                         input=Input(type="select", optional=False, options=[
                             Option(text="Full refund (every line, all shipping)", value=FULL),
                             Option(text="Partial refund (the quantities below)", value=PARTIAL)])),
        ]
        for line in refundable.lines[:MAX_ITEMS]:
            sections.append(InputSection(
                label=f"{line.name} ({line.sku})", attr=qty_attr(line.item_id), default_value="0",
                hint=f"max {forms.number_text(line.max_qty)}",
                input=Input(type="text", placeholder="Quantity to refund", optional=True)))
        sections += [
            forms.money_input("Shipping refund", "shipping_amount", f"max {format_money(refundable.shipping, money)}"),
            forms.money_input("Adjustment refund", "adjustment_positive", "Extra amount refunded"),
            forms.money_input("Adjustment fee", "adjustment_negative", "Amount kept back"),
            InputSection(label="Stock", attr="return_to_stock", default_value=False,
                         input=Input(type="checkbox", text="Return refunded items to stock")),
            forms.notify_input("E-mail the credit memo to the customer"),
            forms.comment_input(placeholder="Optional; e-mailed when notifying"),
        ]
        return ActionForm(title=f"Refund order {order.get('increment_id')}", submit_button="Refund",
                          close_button="Close", action_url=action_url, sections=sections)

    def read(self, payload, context):
        """Quantities within what is refundable per line, amounts within what was paid (§9 validators), and
        for an online refund the one invoice that holds every line refunded."""
        request = _read_request(payload, context.refundable)
        if context.refundable.online:
            # §9: an online refund goes through one invoice, which must hold every line refunded.
            context.invoice = invoice_for(context.refundable.online, request.quantities)
            if context.invoice is None:
                raise ActionValidationError({qty_attr(next(iter(request.quantities))):
                                             "These lines were paid on different invoices; refund one invoice's "
                                             "lines at a time."})
        return request

    def canonical(self, payload, context):
        """The form's values as ``_read_request`` reads them, without the order's limits: the refund itself lowers
        them, so its resubmission is told apart from another refund by what was asked, not by what is left."""
        errors: dict[str, str] = {}
        full = _mode(payload, errors) == FULL
        amounts = ("adjustment_positive", "adjustment_negative") if full else (
            "shipping_amount", "adjustment_positive", "adjustment_negative",
            *sorted(attr for attr in payload if attr.startswith("qty_")))
        values = {attr: forms.decimal_value(payload, attr, errors).normalize() for attr in amounts}
        canonical = {"mode": FULL if full else PARTIAL, **{attr: value for attr, value in values.items() if value},
                     "return_to_stock": forms.flag(payload, "return_to_stock", errors),
                     "notify": forms.flag(payload, "notify", errors), "comment": forms.comment(payload, errors)}
        forms.raise_if(errors)
        return canonical

    def checkpoint(self, run):
        invoice = run.context.invoice
        return {"memo_ids": sorted(memo_id for memo_id in run.context.memo_ids if memo_id is not None),
                "invoice": invoice and {"entity_id": invoice.get("entity_id"),
                                        "increment_id": invoice.get("increment_id")}}

    def restore(self, run, checkpoint, payload):
        # Not read(): the input was checked against the order before the refund that recovery looks for.
        run.context.memo_ids = set(checkpoint.get("memo_ids") or ())
        run.context.invoice = checkpoint.get("invoice")

    def write(self, client, run):
        invoice = run.context.invoice
        path = f"/V1/invoice/{invoice['entity_id']}/refund" if invoice else f"/V1/order/{run.order_id}/refund"
        return client.post(path, magento_payload(run.params, online=invoice is not None))

    def reread(self, client, run):
        after, memos = client.parallel(lambda: read_order(client, run.order_id),
                                       lambda: _credit_memos(client, run.order_id))
        new = [memo for memo in memos if memo.get("entity_id") not in run.context.memo_ids]
        # The reply names the credit memo; after a lost reply the newest new one is ours.
        run.context.memo = next((memo for memo in new if memo.get("entity_id") == run.reply), None) or (
            max(new, key=lambda memo: memo.get("entity_id") or 0) if new else None)
        return after

    def happened(self, run):
        return run.context.memo is not None

    def _memo(self, run: Run) -> tuple[str, str]:
        """The credit memo's number and amount, as Magento made it (or as asked, when its reply was lost)."""
        memo, context = run.context.memo or {}, run.context
        total = memo.get("grand_total")
        return (str(memo.get("increment_id") or memo.get("entity_id") or run.reply or ""),
                format_money(run.params.total(context.refundable) if total is None else total,
                             memo.get("order_currency_code") or context.refundable.currency))

    def _memo_text(self, run: Run) -> str:
        memo_number, amount = self._memo(run)
        invoice = run.context.invoice
        how = (f"online through invoice {invoice.get('increment_id') or invoice.get('entity_id')}" if invoice
               else "offline")
        return f"Credit memo {memo_number} for {amount} refunded {how}"

    def describe(self, run):
        if run.after is None:
            return f"{self._memo_text(run)}."
        return f"{self._memo_text(run)}; order {run.order.get('increment_id')} is now " \
               f"{run.status_after()}."

    def note_text(self, run):
        return f"{self._memo_text(run)} from Gladly{by_agent(run.requester)}."

    def facts(self, run):
        memo_number, amount = self._memo(run)
        return {"creditMemo": memo_number, "amount": amount}


def _mode(payload: dict, errors: dict[str, str]) -> str:
    """The refund's mode: full or partial (the default)."""
    mode = forms.text(payload, "mode", errors) or PARTIAL
    if mode not in (FULL, PARTIAL):
        errors["mode"] = "Choose a full or a partial refund."
    return mode


def _read_request(payload: dict, refundable: Refundable) -> RefundRequest:
    """The submitted credit memo, each field checked against what is refundable."""
    errors: dict[str, str] = {}
    money = refundable.currency
    full = _mode(payload, errors) == FULL
    quantities: dict[int, Decimal] = {}
    for line in refundable.lines:
        attr = qty_attr(line.item_id)
        count = line.max_qty if full else forms.decimal_value(payload, attr, errors)
        if count > line.max_qty:
            errors[attr] = f"At most {forms.number_text(line.max_qty)} can be refunded."
        elif count != count.to_integral_value() and not line.decimal_qty:
            errors[attr] = "Enter a whole number."
        elif count > 0:
            quantities[line.item_id] = count
    request = RefundRequest(
        quantities=quantities,
        shipping=refundable.shipping if full else forms.decimal_value(payload, "shipping_amount", errors),
        adjustment_positive=forms.decimal_value(payload, "adjustment_positive", errors),
        adjustment_negative=forms.decimal_value(payload, "adjustment_negative", errors),
        return_to_stock=forms.flag(payload, "return_to_stock", errors),
        notify=forms.flag(payload, "notify", errors),
        comment=forms.comment(payload, errors),
    )
    first_qty = qty_attr(refundable.lines[0].item_id) if refundable.lines else "mode"
    if not errors and not quantities:
        errors[first_qty] = "Enter a quantity to refund for at least one line."
    if len(quantities) > MAX_ITEMS:
        errors[first_qty] = f"Refund at most {MAX_ITEMS} lines at once; refund the rest in a second credit memo."
    if request.shipping > refundable.shipping:
        errors["shipping_amount"] = f"At most {format_money(refundable.shipping, money)} of shipping is left."
    if request.adjustment_positive > refundable.amount:
        errors["adjustment_positive"] = f"At most {format_money(refundable.amount, money)} is left to refund."
    if not errors:
        total = request.total(refundable)
        if total > refundable.amount + Decimal("0.005"):
            attr = next((name for name, value in (("adjustment_positive", request.adjustment_positive),
                                                  ("shipping_amount", request.shipping)) if value > 0), first_qty)
            errors[attr] = (f"This refund comes to {format_money(total, money)}; only "
                            f"{format_money(refundable.amount, money)} is left to refund.")
        elif total <= 0:
            errors["adjustment_negative"] = "The fee leaves nothing to refund; the credit memo must be positive."
    forms.raise_if(errors)
    return request
