"""What an order action is, and the simple ones: cancel, hold, release, resend the e-mail, comment.

Each operation is offered only when it can succeed (gladly-lookup-adaptor.md §6.1), so its ``can`` mirrors
the Magento check behind its call (magento-rest.md §9-§12; ``SALES/Model/Order.php`` ``canCancel``,
``canHold``, ``canUnhold``) and reads only fields of the detailed lookup's order projection
(``bridge.lookup.service.ORDER_FIELDS``).
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from bridge.actions import forms
from bridge.actions.model import ActionForm
from bridge.actions.model import AuditTrail
from bridge.actions.model import Cap
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import Option
from bridge.actions.model import TextSection
from bridge.errors import ActionRejected
from bridge.magento import resources
from bridge.magento.client import MagentoClient
from bridge.magento.orders import qty
from bridge.magento.orders import visible_lines
from bridge.magento.store import StatusLabels

# A money or quantity left below this is rounding, not something to cancel or refund.
EPSILON = Decimal("0.0001")
CANCEL_REASONS = {
    "customer": "Customer request",
    "stock": "Out of stock",
    "fraud": "Suspected fraud",
    "duplicate": "Duplicate order",
    "other": "Other",
}
OPEN_STATES = ("new", "pending_payment", "processing")
# The requester of Gladly AI's actions, in the audit and the journal (so a recovered run still names it).
GLADLY_AI = "Gladly AI"


@dataclass(frozen=True)
class Requester:
    """Who asked: Gladly's agent id (when Gladly sends one, ``GLADLY_AI`` for Gladly AI) and correlation id."""

    agent_id: str | None = None
    correlation_id: str | None = None


@dataclass
class Run:
    """One submission being carried out."""

    order_id: int
    order: dict
    requester: Requester
    context: Any = None  # what the operation loaded besides the order (refund: RefundContext)
    params: Any = None  # the validated input
    reply: Any = None  # Magento's reply to the write
    after: dict | None = None  # the order re-read after the write
    trail: AuditTrail = field(default_factory=AuditTrail)  # what the audit row records
    statuses: StatusLabels = field(default_factory=StatusLabels)  # the store's labels, for messages to agents

    def status_after(self) -> str:
        """The order's status after the write, as the store labels it."""
        return self.statuses.label((self.after or {}).get("status"), self.order.get("store_id"))


def read_order(client: MagentoClient, order_id: int) -> dict:
    """``GET /V1/orders/{id}``, checked."""
    return resources.get(client, f"/V1/orders/{order_id}", resources.ORDER)


def by_agent(requester: Requester) -> str:
    """`` by Gladly AI`` for Gladly AI, `` by a Gladly agent`` when Gladly sent an agent id, else ''; never the
    id, which the audit row keeps.

    Order comments may reach the shopper (notify e-mails them, magento-rest.md §11), and Gladly documents no
    header with the agent's name (gladly-lookup-adaptor.md §5.2), so comments name no one.
    """
    if requester.agent_id == GLADLY_AI:
        return " by Gladly AI"
    return " by a Gladly agent" if requester.agent_id else ""


def add_comment(client: MagentoClient, order_id: int, status: str | None, text: str, *, notify: bool = False,
                visible: bool = False) -> Any:
    """``POST /V1/orders/{id}/comments`` keeping the order's current status (magento-rest.md §11)."""
    return client.post(f"/V1/orders/{order_id}/comments", {"statusHistory": {
        "comment": text, "is_customer_notified": int(notify), "is_visible_on_front": int(visible),
        "parent_id": order_id, "status": status}})


class Operation:
    """One order action: when it is offered, its form, how it loads, writes, recognises its own effect, reports."""

    name = ""
    label = ""  # the button Gladly shows
    verb = ""  # "cancel", for "Could not cancel"
    past = ""  # "cancelled", for "Order cancelled"
    not_done = ""  # what a lost reply that left no trace means
    records_itself = False  # the write leaves its own comment on the order, so the bridge adds none
    on_profile = False  # offered on the shopper, keyed by their latest order (§6.1), not on each order

    @property
    def done(self) -> str:
        """The success message."""
        return f"Order {self.past}"

    def can(self, order: dict) -> bool:
        """Whether Magento would accept the action for ``order`` in its current state."""
        raise NotImplementedError

    def message(self, run: Run) -> str:
        """The bold line Gladly shows on success."""
        return self.done

    def load(self, client: MagentoClient, order_id: int, submitting: bool) -> tuple[dict, Any]:
        """The order and whatever else the form and the checks need."""
        return read_order(client, order_id), None

    def form(self, order: dict, action_url: str, context: Any) -> ActionForm:
        """The form Gladly shows (§6.3)."""
        raise NotImplementedError

    def read(self, payload: dict, context: Any) -> Any:
        """The validated input; ActionValidationError with one message per field otherwise (§6.4)."""
        raise NotImplementedError

    def canonical(self, payload: dict, context: Any) -> Any:
        """The validated input as JSON-able values two submissions share exactly when they ask for the same write
        (a form's token serves one input); what ``read`` returns unless that depends on what the write changes."""
        return self.read(payload, context)

    def admit(self, run: Run, cap: Cap, earlier: list[Any]) -> None:
        """Refuse (ActionRejected, 406) a write beyond ``cap``, before it; ``earlier`` holds the audit's
        ``magento_result`` of each write of this action within the cap's period."""
        raise NotImplementedError

    def checkpoint(self, run: Run) -> dict:
        """What recovery needs, should this worker die during the write, to recognise its effect."""
        return {}

    def restore(self, run: Run, checkpoint: dict, payload: dict) -> None:
        """Recovery: rebuild from the checkpoint and the stored input what ``happened`` and the note read."""
        run.params = self.read(payload, run.context)

    def write(self, client: MagentoClient, run: Run) -> Any:
        """The one Magento write; its reply."""
        raise NotImplementedError

    def reread(self, client: MagentoClient, run: Run) -> dict:
        """The order after the write."""
        return read_order(client, run.order_id)

    def happened(self, run: Run) -> bool:
        """After a lost reply: whether the re-read order shows the write."""
        raise NotImplementedError

    def describe(self, run: Run) -> str:
        """The success detail, naming what changed."""
        status = f" It is now {run.status_after()}." if run.after else ""
        return f"Order {run.order.get('increment_id')} was {self.past} in Magento.{status}"

    def facts(self, run: Run) -> dict | None:
        """What the write produced that Gladly AI's answer names (a credit memo, a code); None for nothing."""
        return None

    def note_text(self, run: Run) -> str:
        """The comment recording the action on the order."""
        comment = run.params.get("comment")
        return f"{self.done} from Gladly{by_agent(run.requester)}." + (f" {comment}" if comment else "")


class _Confirmed(Operation):
    """An action the agent only confirms, with an optional staff comment."""

    form_title = ""  # "{number}" is the order number, here and in form_text
    form_text = ""
    button = ""

    def form(self, order, action_url, context):
        return forms.confirm_form(order, action_url, title=self.form_title, text=self.form_text, button=self.button)

    def read(self, payload, context):
        return forms.read_confirmation(payload)


class _StateChange(_Confirmed):
    """A POST without a body that answers ``true`` and moves the order to ``target_state`` (§10, hold)."""

    path = ""
    target_state = ""

    def write(self, client, run):
        # Magento answers false when it refuses, e.g. canCancel() when the payment cannot be voided (§10).
        reply = client.post(f"/V1/orders/{run.order_id}/{self.path}")
        if reply is not True:
            raise ActionRejected(f"Magento would not {self.verb} order {run.order.get('increment_id')}.",
                                 message=f"Could not {self.verb}")
        return reply

    def happened(self, run):
        return run.after.get("state") == self.target_state


class Cancel(_StateChange):
    """Cancel what is not yet invoiced, for a reason (``POST /V1/orders/{id}/cancel``)."""

    name = "cancel"
    label = "Cancel order"
    verb = "cancel"
    past = "cancelled"
    path = "cancel"
    target_state = "canceled"
    not_done = "the order was not cancelled"

    def can(self, order):
        # canCancel() refuses once every item is invoiced (magento-rest.md §10).
        return order.get("state") in OPEN_STATES and any(
            qty(item, "qty_ordered") - qty(item, "qty_invoiced") - qty(item, "qty_canceled") > EPSILON
            for item in visible_lines(order))

    def form(self, order, action_url, context):
        """Reason, comment and customer notification; cancelling voids what was not invoiced (§10)."""
        options = [Option(text=text, value=value) for value, text in CANCEL_REASONS.items()]
        return ActionForm(
            title=f"Cancel order {order.get('increment_id')}", submit_button="Cancel order", close_button="Close",
            action_url=action_url, sections=[
                TextSection("Magento cancels everything not yet invoiced; this cannot be undone."),
                InputSection(label="Reason", attr="reason", hint="Required",
                             input=Input(type="select", placeholder="Select a reason", optional=False,
                                         options=options)),
                forms.comment_input(),
                forms.notify_input("E-mail the reason and comment to the customer"),
            ])

    def read(self, payload, context):
        """Reason (required), comment, notify."""
        errors: dict[str, str] = {}
        reason = forms.text(payload, "reason", errors)
        if reason not in CANCEL_REASONS:
            errors["reason"] = "Choose a reason."
        comment = forms.comment(payload, errors)
        notify = forms.flag(payload, "notify", errors)
        forms.raise_if(errors)
        return {"reason": CANCEL_REASONS[reason], "comment": comment, "notify": notify}

    def note_text(self, run):
        params = run.params
        text = f"Order cancelled from Gladly{by_agent(run.requester)}. Reason: {params['reason']}."
        return text + (f" {params['comment']}" if params["comment"] else "")


class Hold(_StateChange):
    """Put the order on hold (``POST /V1/orders/{id}/hold``)."""

    name = "hold"
    label = "Hold order"
    verb = "hold"
    past = "put on hold"
    path = "hold"
    target_state = "holded"
    not_done = "the order was not put on hold"
    form_title = "Hold order {number}"
    form_text = "Put order {number} on hold: it cannot be invoiced, shipped or refunded until the hold is released."
    button = "Hold order"

    def can(self, order):
        return order.get("state") in OPEN_STATES


class Unhold(_StateChange):
    """Release the order from hold (``POST /V1/orders/{id}/unhold``)."""

    name = "unhold"
    label = "Release hold"
    verb = "release"
    past = "released from hold"
    path = "unhold"
    not_done = "the order is still on hold"
    form_title = "Release order {number}"
    form_text = "Release order {number} from hold."
    button = "Release hold"

    def can(self, order):
        return order.get("state") == "holded"

    def happened(self, run):
        return run.after.get("state") != "holded"


class Email(_Confirmed):
    """Send the order confirmation again (``POST /V1/orders/{id}/emails``)."""

    name = "email"
    label = "Resend order e-mail"
    verb = "send the e-mail"
    past = "e-mail sent"
    not_done = "the e-mail may not have been sent"
    form_title = "Resend e-mail for order {number}"
    form_text = "Send the order confirmation for {number} to the customer again."
    button = "Send e-mail"

    def can(self, order):
        # Magento would send it, but a confirmation for a cancelled order only confuses the shopper.
        return order.get("state") != "canceled"

    def write(self, client, run):
        reply = client.post(f"/V1/orders/{run.order_id}/emails")
        if reply is not True:
            raise ActionRejected("Magento did not send the e-mail; order e-mails may be disabled in the store "
                                 "configuration.", message="Could not send the e-mail")
        return reply

    def happened(self, run):
        return False  # a sent e-mail leaves no trace on the order

    def describe(self, run):
        return f"Magento sent the confirmation of order {run.order.get('increment_id')} to the customer again."


class Comment(Operation):
    """A comment on the order's history, optionally e-mailed and shown on the storefront (§11)."""

    name = "comment"
    label = "Add order comment"
    verb = "add the comment"
    done = "Comment added"
    not_done = "no comment was added"
    records_itself = True  # the comment itself says it came from Gladly

    def can(self, order):
        return True

    def form(self, order, action_url, context):
        return ActionForm(
            title=f"Comment on order {order.get('increment_id')}", submit_button="Add comment", close_button="Close",
            action_url=action_url, sections=[
                InputSection(label="Comment", attr="comment", hint="Required",
                             input=Input(type="text", placeholder="Comment for the order history", optional=False)),
                forms.notify_input("E-mail this comment to the customer"),
                InputSection(label="Storefront", attr="visible_on_front", default_value=False,
                             input=Input(type="checkbox", text="Show in the customer's account")),
            ])

    def read(self, payload, context):
        """Comment (required), notify, visible on the storefront."""
        errors: dict[str, str] = {}
        params = {"comment": forms.comment(payload, errors, required=True),
                  "notify": forms.flag(payload, "notify", errors),
                  "visible_on_front": forms.flag(payload, "visible_on_front", errors)}
        forms.raise_if(errors)
        return params

    def text(self, run: Run) -> str:
        """The comment as stored: it says it came from Gladly (the recording comment of this action)."""
        return f"{run.params['comment']}\n(added from Gladly{by_agent(run.requester)})"

    def write(self, client, run):
        return add_comment(client, run.order_id, run.order.get("status"), self.text(run),
                           notify=run.params["notify"], visible=run.params["visible_on_front"])

    def happened(self, run):
        return any(entry.get("comment") == self.text(run) for entry in run.after.get("status_histories") or [])

    def describe(self, run):
        notified = " and e-mailed to the customer" if run.params["notify"] else ""
        return f"The comment was added to order {run.order.get('increment_id')}{notified}."
