"""The Gladly form of each action (gladly-lookup-adaptor.md §6.3) and the reading of its submission (§6.4).

Forms use text, select and checkbox inputs only; ids travel in ``actionUrl``. Each reader returns the
validated input or raises ActionValidationError with one message per ``attr``, shown next to its input.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from decimal import InvalidOperation

from bridge.actions.refund import MAX_ITEMS
from bridge.actions.refund import Refundable
from bridge.actions.refund import RefundRequest
from bridge.errors import ActionValidationError
from bridge.actions.model import ActionForm
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import Option
from bridge.actions.model import TextSection
from bridge.lookup.mapping import shipping_address
from bridge.formatting import format_money
from bridge.formatting import person_name
from bridge.formatting import street_lines

CANCEL_REASONS = {
    "customer": "Customer request",
    "stock": "Out of stock",
    "fraud": "Suspected fraud",
    "duplicate": "Duplicate order",
    "other": "Other",
}
FULL, PARTIAL = "full", "partial"
MAX_COMMENT = 2000
# The address inputs, in form order: (attr, label, required); Magento's order address fields and limits.
ADDRESS_INPUTS = (
    ("firstname", "First name", True),
    ("lastname", "Last name", True),
    ("company", "Company", False),
    ("street1", "Street", True),
    ("street2", "Street, line 2", False),
    ("city", "City", True),
    ("region", "State/Region", False),
    ("postcode", "ZIP/Postal code", True),
    ("country_id", "Country (two-letter code)", True),
    ("telephone", "Phone", True),
)
MAX_ADDRESS_FIELD = 255


def qty_attr(item_id: int) -> str:
    """The ``attr`` of a refund line's quantity field."""
    return f"qty_{item_id}"


def _comment_input(placeholder: str = "Optional, staff only") -> InputSection:
    return InputSection(label="Comment", attr="comment", input=Input(type="text", placeholder=placeholder, optional=True))


def _notify_input(text: str, default: bool = False) -> InputSection:
    return InputSection(label="Notify", attr="notify", default_value=default, input=Input(type="checkbox", text=text))


def _money_input(label: str, attr: str, hint: str) -> InputSection:
    return InputSection(label=label, attr=attr, default_value="0", hint=hint,
                        input=Input(type="text", placeholder="0.00", optional=True))


def _number_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def cancel_form(order: dict, action_url: str, _refundable=None) -> ActionForm:
    """Reason, comment and customer notification; cancelling voids what was not invoiced (§10)."""
    options = [Option(text=text, value=value) for value, text in CANCEL_REASONS.items()]
    return ActionForm(
        title=f"Cancel order {order.get('increment_id')}", submit_button="Cancel order", close_button="Close",
        action_url=action_url, sections=[
            TextSection("Magento cancels everything not yet invoiced; this cannot be undone."),
            InputSection(label="Reason", attr="reason", hint="Required",
                         input=Input(type="select", placeholder="Select a reason", optional=False, options=options)),
            _comment_input(),
            _notify_input("E-mail the reason and comment to the customer"),
        ])


def comment_form(order: dict, action_url: str, _refundable=None) -> ActionForm:
    """A comment on the order's history, optionally e-mailed and shown on the storefront (§11)."""
    return ActionForm(
        title=f"Comment on order {order.get('increment_id')}", submit_button="Add comment", close_button="Close",
        action_url=action_url, sections=[
            InputSection(label="Comment", attr="comment", hint="Required",
                         input=Input(type="text", placeholder="Comment for the order history", optional=False)),
            _notify_input("E-mail this comment to the customer"),
            InputSection(label="Storefront", attr="visible_on_front", default_value=False,
                         input=Input(type="checkbox", text="Show in the customer's account")),
        ])


def _confirm_form(title: str, text: str, button: str) -> Callable[..., ActionForm]:
    def build(order: dict, action_url: str, _refundable=None) -> ActionForm:
        number = order.get("increment_id")
        return ActionForm(title=title.format(number=number), submit_button=button, close_button="Close",
                          action_url=action_url, sections=[TextSection(text.format(number=number)),
                                                           _comment_input()])

    build.__doc__ = f"Confirmation and optional comment: {title}."
    return build


def refund_form(order: dict, action_url: str, refundable: Refundable) -> ActionForm:
    """Full or partial credit memo: a quantity per refundable line, shipping, adjustments (§9)."""
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
            hint=f"max {_number_text(line.max_qty)}",
            input=Input(type="text", placeholder="Quantity to refund", optional=True)))
    sections += [
        _money_input("Shipping refund", "shipping_amount", f"max {format_money(refundable.shipping, money)}"),
        _money_input("Adjustment refund", "adjustment_positive", "Extra amount refunded"),
        _money_input("Adjustment fee", "adjustment_negative", "Amount kept back"),
        InputSection(label="Stock", attr="return_to_stock", default_value=False,
                     input=Input(type="checkbox", text="Return refunded items to stock")),
        _notify_input("E-mail the credit memo to the customer"),
        _comment_input(placeholder="Optional; e-mailed when notifying"),
    ]
    return ActionForm(title=f"Refund order {order.get('increment_id')}", submit_button="Refund",
                      close_button="Close", action_url=action_url, sections=sections)


def rule_text(rule: dict) -> str:
    """A coupon rule as agents read it: name, what it gives, until when."""
    until = f", until {rule['expires_on']}" if rule.get("expires_on") else ""
    return f"{rule.get('name')}: {rule.get('amount')}{until}"


def coupon_form(order: dict, action_url: str, rules: list[dict]) -> ActionForm:
    """A choice among the cart price rules the merchant allows; the rule fixes the discount (issue #10)."""
    options = [Option(text=rule_text(rule), value=str(rule.get("id"))) for rule in rules]
    return ActionForm(
        title="Issue a goodwill coupon", submit_button="Issue coupon", close_button="Close",
        action_url=action_url, sections=[
            TextSection("Magento generates one single code from the rule you choose; the rule sets the discount, "
                        "expiry and usage limits. You get the code to give to the customer, and it is recorded on "
                        f"their latest order, {order.get('increment_id')}."),
            InputSection(label="Rule", attr="rule", hint="Required",
                         input=Input(type="select", placeholder="Select a rule", optional=False, options=options)),
            _comment_input(placeholder="Why (optional, staff only)"),
        ])


def current_address(order: dict) -> dict[str, str]:
    """The order's shipping address as the form's values (attr -> text)."""
    address = shipping_address(order) or {}
    lines = street_lines(address.get("street"))
    values = {attr: str(address.get(attr) or "") for attr, _label, _required in ADDRESS_INPUTS}
    values.update(street1=lines[0] if lines else "", street2=", ".join(lines[1:]),
                  region=str(address.get("region_code") or address.get("region") or ""))
    return values


def address_form(order: dict, action_url: str, _context=None) -> ActionForm:
    """The current shipping address, pre-filled, to correct before anything ships."""
    current = current_address(order)
    name = person_name(current["firstname"], current["lastname"])
    sections = [TextSection(f"Order {order.get('increment_id')} has not shipped yet; it ships to {name}. "
                            "Magento records the old and the new address on the order.")]
    sections += [InputSection(label=label, attr=attr, default_value=current[attr],
                              hint=None if required else "Optional",
                              input=Input(type="text", placeholder=label, optional=not required))
                 for attr, label, required in ADDRESS_INPUTS]
    return ActionForm(title=f"Change the shipping address of order {order.get('increment_id')}",
                      submit_button="Change address", close_button="Close", action_url=action_url,
                      sections=sections)


FORMS: dict[str, Callable[..., ActionForm]] = {
    "cancel": cancel_form,
    "refund": refund_form,
    "comment": comment_form,
    "hold": _confirm_form("Hold order {number}", "Put order {number} on hold: it cannot be invoiced, shipped or "
                          "refunded until the hold is released.", "Hold order"),
    "unhold": _confirm_form("Release order {number}", "Release order {number} from hold.", "Release hold"),
    "email": _confirm_form("Resend e-mail for order {number}", "Send the order confirmation for {number} to the "
                           "customer again.", "Send e-mail"),
    "coupon": coupon_form,
    "address": address_form,
}


# -- reading submissions (§6.4: checkbox values are booleans, text and select values strings) ----------


def text(payload: dict, attr: str) -> str:
    """A text or select value, stripped; '' when absent."""
    value = payload.get(attr)
    return value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()


def flag(payload: dict, attr: str) -> bool:
    """A checkbox value; also accepts the strings Gladly might send for one."""
    value = payload.get(attr)
    return value if isinstance(value, bool) else text(payload, attr).lower() in ("true", "1", "yes", "on")


def _decimal(payload: dict, attr: str, errors: dict[str, str]) -> Decimal:
    try:
        value = Decimal(text(payload, attr) or "0")  # no separators: "1,50" must not become 150
    except InvalidOperation:
        errors[attr] = "Enter a number."
        return Decimal(0)
    if not value.is_finite() or value < 0:
        errors[attr] = "Enter a number of 0 or more."
        return Decimal(0)
    return value


def _comment(payload: dict, errors: dict[str, str], required: bool = False) -> str:
    comment = text(payload, "comment")
    if required and not comment:
        errors["comment"] = "Enter a comment."
    elif len(comment) > MAX_COMMENT:
        errors["comment"] = f"Keep the comment under {MAX_COMMENT} characters."
    return comment


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ActionValidationError(errors)


def read_cancel(payload: dict, _refundable=None) -> dict:
    """Reason (required), comment, notify."""
    errors: dict[str, str] = {}
    reason = text(payload, "reason")
    if reason not in CANCEL_REASONS:
        errors["reason"] = "Choose a reason."
    comment = _comment(payload, errors)
    _raise_if(errors)
    return {"reason": CANCEL_REASONS[reason], "comment": comment, "notify": flag(payload, "notify")}


def read_comment(payload: dict, _refundable=None) -> dict:
    """Comment (required), notify, visible on the storefront."""
    errors: dict[str, str] = {}
    comment = _comment(payload, errors, required=True)
    _raise_if(errors)
    return {"comment": comment, "notify": flag(payload, "notify"), "visible_on_front": flag(payload, "visible_on_front")}


def read_confirmation(payload: dict, _refundable=None) -> dict:
    """An optional comment."""
    errors: dict[str, str] = {}
    comment = _comment(payload, errors)
    _raise_if(errors)
    return {"comment": comment}


def read_refund(payload: dict, refundable: Refundable) -> RefundRequest:
    """Quantities within what is refundable per line, amounts within what was paid (§9 validators)."""
    errors: dict[str, str] = {}
    money = refundable.currency
    full = text(payload, "mode") == FULL
    quantities: dict[int, Decimal] = {}
    for line in refundable.lines:
        attr = qty_attr(line.item_id)
        count = line.max_qty if full else _decimal(payload, attr, errors)
        if count > line.max_qty:
            errors[attr] = f"At most {_number_text(line.max_qty)} can be refunded."
        elif count != count.to_integral_value() and not line.decimal_qty:
            errors[attr] = "Enter a whole number."
        elif count > 0:
            quantities[line.item_id] = count
    request = RefundRequest(
        quantities=quantities,
        shipping=refundable.shipping if full else _decimal(payload, "shipping_amount", errors),
        adjustment_positive=_decimal(payload, "adjustment_positive", errors),
        adjustment_negative=_decimal(payload, "adjustment_negative", errors),
        return_to_stock=flag(payload, "return_to_stock"),
        notify=flag(payload, "notify"),
        comment=_comment(payload, errors),
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
    _raise_if(errors)
    return request


def read_coupon(payload: dict, rules: list[dict]) -> dict:
    """One of the offered rules (required) and an optional reason."""
    errors: dict[str, str] = {}
    chosen = text(payload, "rule")
    rule = next((rule for rule in rules if str(rule.get("id")) == chosen), None)
    if rule is None:
        errors["rule"] = "Choose one of the rules offered."
    comment = _comment(payload, errors)
    _raise_if(errors)
    return {"rule": rule, "comment": comment}


def read_address(payload: dict, _context=None) -> dict:
    """Every required field filled, the country as a two-letter code; the Magento order address to send."""
    errors: dict[str, str] = {}
    values = {attr: " ".join(text(payload, attr).split()) for attr, _label, _required in ADDRESS_INPUTS}
    for attr, label, required in ADDRESS_INPUTS:
        if required and not values[attr]:
            errors[attr] = f"Enter the {label.lower()}."
        elif len(values[attr]) > MAX_ADDRESS_FIELD:
            errors[attr] = f"Keep it under {MAX_ADDRESS_FIELD} characters."
    country = values["country_id"].upper()
    if "country_id" not in errors and not (len(country) == 2 and country.isalpha() and country.isascii()):
        errors["country_id"] = "Enter the two-letter country code, e.g. US or GB."
    _raise_if(errors)
    street = [line for line in (values.pop("street1"), values.pop("street2")) if line]
    return {**values, "country_id": country, "street": street}


READERS: dict[str, Callable] = {
    "cancel": read_cancel,
    "refund": read_refund,
    "comment": read_comment,
    "hold": read_confirmation,
    "unhold": read_confirmation,
    "email": read_confirmation,
    "coupon": read_coupon,
    "address": read_address,
}
