"""What the action forms share: their common inputs (gladly-lookup-adaptor.md §6.3) and the reading of values (§6.4).

Forms use text, select and checkbox inputs only; ids travel in ``actionUrl``. Readers collect one message per
``attr``, shown next to its input, and ``raise_if`` raises them together as an ActionValidationError.
"""
from __future__ import annotations

from decimal import Decimal
from decimal import InvalidOperation

from bridge.actions.model import ActionForm
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import TextSection
from bridge.errors import ActionValidationError

MAX_COMMENT = 2000


def comment_input(placeholder: str = "Optional, staff only") -> InputSection:
    """The optional comment most forms end with."""
    return InputSection(label="Comment", attr="comment",
                        input=Input(type="text", placeholder=placeholder, optional=True))


def notify_input(text: str, default: bool = False) -> InputSection:
    """The checkbox that e-mails the customer."""
    return InputSection(label="Notify", attr="notify", default_value=default, input=Input(type="checkbox", text=text))


def money_input(label: str, attr: str, hint: str) -> InputSection:
    """An optional amount, 0 by default."""
    return InputSection(label=label, attr=attr, default_value="0", hint=hint,
                        input=Input(type="text", placeholder="0.00", optional=True))


def number_text(value: Decimal) -> str:
    """A quantity as agents read it: ``2``, ``1.5``."""
    return f"{value.normalize():f}"


def confirm_form(order: dict, action_url: str, *, title: str, text: str, button: str) -> ActionForm:
    """Confirmation and optional comment; ``{number}`` in the title and text is the order number."""
    number = order.get("increment_id")
    return ActionForm(title=title.format(number=number), submit_button=button, close_button="Close",
                      action_url=action_url, sections=[TextSection(text.format(number=number)), comment_input()])


# -- reading submissions (§6.4: checkbox values are booleans, text and select values strings) ----------


def text(payload: dict, attr: str) -> str:
    """A text or select value, stripped; '' when absent."""
    value = payload.get(attr)
    return value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()


def flag(payload: dict, attr: str) -> bool:
    """A checkbox value; also accepts the strings Gladly might send for one."""
    value = payload.get(attr)
    return value if isinstance(value, bool) else text(payload, attr).lower() in ("true", "1", "yes", "on")


def decimal_value(payload: dict, attr: str, errors: dict[str, str]) -> Decimal:
    """A number of 0 or more ('' is 0); 0 and a message in ``errors`` when it is not one."""
    try:
        value = Decimal(text(payload, attr) or "0")  # no separators: "1,50" must not become 150
    except InvalidOperation:
        errors[attr] = "Enter a number."
        return Decimal(0)
    if not value.is_finite() or value < 0:
        errors[attr] = "Enter a number of 0 or more."
        return Decimal(0)
    return value


def comment(payload: dict, errors: dict[str, str], required: bool = False) -> str:
    """The ``comment`` value, within MAX_COMMENT characters."""
    value = text(payload, "comment")
    if required and not value:
        errors["comment"] = "Enter a comment."
    elif len(value) > MAX_COMMENT:
        errors["comment"] = f"Keep the comment under {MAX_COMMENT} characters."
    return value


def raise_if(errors: dict[str, str]) -> None:
    """Raise the collected field errors, if any."""
    if errors:
        raise ActionValidationError(errors)


def read_confirmation(payload: dict) -> dict:
    """An optional comment."""
    errors: dict[str, str] = {}
    value = comment(payload, errors)
    raise_if(errors)
    return {"comment": value}
