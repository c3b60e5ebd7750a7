"""What the action forms share: their common inputs (gladly-lookup-adaptor.md §6.3) and the reading of values (§6.4).

Forms use text, select and checkbox inputs only; ids travel in ``actionUrl``. Readers collect one message per
``attr``, shown next to its input, and ``raise_if`` raises them together as an ActionValidationError.
"""
from __future__ import annotations

import re
from decimal import Decimal

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

# Refused in text: C0 and C1 controls and DEL except tab and newline (NUL, ESC, BEL...), and the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069, Unicode TR#9 §2.1-§2.4,
# https://www.unicode.org/reports/tr9/) that make stored text display in another order ("Trojan Source",
# CVE-2021-42574, https://trojansource.codes/). Magento stores comments and addresses as given and e-mails them.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Plain decimal notation within Magento's decimal(20,4) amounts (Magento_Sales etc/db_schema.xml). Decimal() alone
# also reads "1_0" as 10 (PEP 515), "1e1000000" (whose sums raise decimal.Overflow), "NaN", "Infinity" and digits
# of other scripts; "1,50" must not become 150.
NUMBER = re.compile(r"[0-9]{1,16}(?:\.[0-9]{0,4})?|\.[0-9]{1,4}")
NOT_A_NUMBER = "Enter a plain number such as 12.50 (at most 16 digits, 4 after the point)."
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("", "false", "0", "no", "off")


def text(payload: dict, attr: str, errors: dict[str, str]) -> str:
    """A text or select value, stripped ('' when absent); '' and a message in ``errors`` when it is not a string
    or holds a control or text-direction character."""
    value = payload.get(attr)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[attr] = "Enter text."
        return ""
    if CONTROL.search(value):
        errors[attr] = "Remove the control or text-direction characters."
        return ""
    return value.strip()


def flag(payload: dict, attr: str, errors: dict[str, str]) -> bool:
    """A checkbox value; also the strings Gladly might send for one. False and a message in ``errors`` otherwise."""
    value = payload.get(attr)
    if isinstance(value, bool):
        return value
    word = text(payload, attr, errors).lower()
    if attr in errors or word not in TRUE_WORDS + FALSE_WORDS:
        errors[attr] = "Tick or untick the box."
        return False
    return word in TRUE_WORDS


def decimal_value(payload: dict, attr: str, errors: dict[str, str]) -> Decimal:
    """A number of 0 or more in plain notation ('' is 0); 0 and a message in ``errors`` when it is not one."""
    value = payload.get(attr)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # a JSON number, held to the same notation: str(1e400) is "inf"
    if value is not None and not isinstance(value, str):
        errors[attr] = NOT_A_NUMBER
        return Decimal(0)
    number = (value or "").strip() or "0"
    if number.startswith("-") and NUMBER.fullmatch(number[1:]):
        errors[attr] = "Enter a number of 0 or more."
        return Decimal(0)
    if not NUMBER.fullmatch(number):
        errors[attr] = NOT_A_NUMBER
        return Decimal(0)
    return Decimal(number)


def comment(payload: dict, errors: dict[str, str], required: bool = False) -> str:
    """The ``comment`` value, within MAX_COMMENT characters."""
    value = text(payload, "comment", errors)
    if required and not value:
        errors.setdefault("comment", "Enter a comment.")
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
