"""Running an order action: re-read the order, re-check it, validate the input, write once, confirm, record.

Magento's write is never retried (magento-rest.md §9 money moves; style: never retry a POST). When its reply
is lost the bridge re-reads the order to learn whether the write happened, and says which. When the worker
itself died mid-action, the journal's checkpoint lets the next submission reconcile the same way
(README "Crash-safe actions"). Every submission leaves one audit row; every successful write leaves a
comment on the Magento order.
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from bridge.actions import forms
from bridge.actions.offer import can
from bridge.actions.journal import FAILED
from bridge.actions.journal import SUCCEEDED
from bridge.actions.journal import UNKNOWN
from bridge.actions.journal import Journal
from bridge.actions.journal import NotReconciled
from bridge.actions.journal import Reply
from bridge.actions.journal import idempotency_key
from bridge.actions.journal import interrupted_reply
from bridge.actions.refund import Refundable
from bridge.actions.refund import RefundRequest
from bridge.actions.refund import invoice_for
from bridge.actions.refund import magento_payload
from bridge.actions.refund import refundable
from bridge.errors import ActionError
from bridge.errors import ActionRejected
from bridge.errors import ActionValidationError
from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoRejected
from bridge.errors import MagentoUnauthorized
from bridge.actions.model import ActionForm
from bridge.actions.model import ActionResult
from bridge.gladly.schemas import ActionResultSchema
from bridge.magento.store import StatusLabels
from bridge.lookup.mapping import shipping_address
from bridge.formatting import address_line
from bridge.formatting import format_money
from bridge.formatting import street_lines
from bridge.magento import replies
from bridge.magento.client import MagentoClient
from bridge.magento.search import SearchCriteria
from bridge.metrics import ACTIONS
from bridge.storage import Stores

log = logging.getLogger(__name__)

# §5.4: action-URL values stay within [A-Za-z0-9._-] so the signed query line never depends on escaping.
TOKEN_RE = re.compile(r"[A-Za-z0-9._-]{16,64}")
ORDER_ID_RE = re.compile(r"[1-9][0-9]{0,18}")


@dataclass(frozen=True)
class Requester:
    """Who asked: Gladly's agent id (when Gladly sends one) and correlation id."""

    agent_id: str | None = None
    correlation_id: str | None = None


class OutcomeUnknown(ActionRejected):
    """Magento's reply was lost and the order could not be re-read: only a person can tell what happened."""

    code = "outcome_unknown"


class MagentoRefusal(ActionError):
    """Magento's 400 for a write, one error per line of its message (magento-rest.md §9 "Validation errors")."""

    code = "magento_rejected"

    def __init__(self, magento_message: str, *, message: str):
        lines = [line.strip() for line in magento_message.splitlines() if line.strip()]
        if len(lines) > 1 and lines[0].endswith(":"):  # "Creditmemo Document Validation Error(s):"
            lines = lines[1:]
        super().__init__(" ".join(lines) or None, message=message)
        self.lines = lines or [self.detail]

    def to_dicts(self) -> list[dict]:
        """One error per line, so Gladly lists them one under the other."""
        return [{"code": self.code, "detail": line, "message": self.message} for line in self.lines]


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
    trail: dict = field(default_factory=dict)  # what the audit row records
    statuses: StatusLabels = field(default_factory=StatusLabels)  # the store's labels, for messages to agents

    def status_after(self) -> str:
        """The order's status after the write, as the store labels it."""
        return self.statuses.label((self.after or {}).get("status"), self.order.get("store_id"))


@dataclass
class RefundContext:
    """A refund's reads: what is refundable, and the credit memos that existed before the write."""

    refundable: Refundable
    memo_ids: set = field(default_factory=set)
    invoice: dict | None = None
    memo: dict | None = None


def _order(client: MagentoClient, order_id: int) -> dict:
    """``GET /V1/orders/{id}``, checked."""
    return replies.get(client, f"/V1/orders/{order_id}", replies.ORDER)


def _credit_memos(client: MagentoClient, order_id: int) -> list[dict]:
    """The order's credit memos (magento-rest.md §4 ``GET /V1/creditmemos``)."""
    return replies.get(client, "/V1/creditmemos", replies.CREDIT_MEMOS,
                       SearchCriteria().where("order_id", order_id).limit(100)).get("items") or []


class Operation:
    """One order action: how it loads, writes, recognises its own effect, and reports."""

    name = ""
    verb = ""  # "cancel", for "Could not cancel"
    past = ""  # "cancelled", for "Order cancelled"
    not_done = ""  # what a lost reply that left no trace means
    records_itself = False  # the write leaves its own comment on the order, so the bridge adds none

    @property
    def done(self) -> str:
        """The success message."""
        return f"Order {self.past}"

    def message(self, run: Run) -> str:
        """The bold line Gladly shows on success."""
        return self.done

    def load(self, client: MagentoClient, order_id: int, submitting: bool) -> tuple[dict, Any]:
        """The order and whatever else the form and the checks need."""
        return _order(client, order_id), None

    def form(self, order: dict, action_url: str, context: Any) -> ActionForm:
        """The form Gladly shows (§6.3)."""
        return forms.FORMS[self.name](order, action_url, context)

    def read(self, run: Run, payload: dict) -> Any:
        """The validated input."""
        return forms.READERS[self.name](payload, run.context)

    def checkpoint(self, run: Run) -> dict:
        """What recovery needs, should this worker die during the write, to recognise its effect."""
        return {}

    def restore(self, run: Run, checkpoint: dict, payload: dict) -> None:
        """Recovery: rebuild from the checkpoint and the stored input what ``happened`` and the note read."""
        run.params = self.read(run, payload)

    def write(self, client: MagentoClient, run: Run) -> Any:
        """The one Magento write; its reply."""
        raise NotImplementedError

    def reread(self, client: MagentoClient, run: Run) -> dict:
        """The order after the write."""
        return _order(client, run.order_id)

    def happened(self, run: Run) -> bool:
        """After a lost reply: whether the re-read order shows the write."""
        raise NotImplementedError

    def describe(self, run: Run) -> str:
        """The success detail, naming what changed."""
        status = f" It is now {run.status_after()}." if run.after else ""
        return f"Order {run.order.get('increment_id')} was {self.past} in Magento.{status}"

    def note_text(self, run: Run) -> str:
        """The comment recording the action on the order."""
        comment = run.params.get("comment")
        return f"{self.done} from Gladly{_by(run.requester)}." + (f" {comment}" if comment else "")


def _by(requester: Requester) -> str:
    return f" by agent {requester.agent_id}" if requester.agent_id else ""


class _StateChange(Operation):
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
    name, verb, past, path, target_state = "cancel", "cancel", "cancelled", "cancel", "canceled"
    not_done = "the order was not cancelled"

    def note_text(self, run):
        params = run.params
        # The customer receives this comment when notified, so the agent id stays internal then.
        by = "" if params["notify"] else _by(run.requester)
        text = f"Order cancelled from Gladly{by}. Reason: {params['reason']}."
        return text + (f" {params['comment']}" if params["comment"] else "")


class Hold(_StateChange):
    name, verb, past, path, target_state = "hold", "hold", "put on hold", "hold", "holded"
    not_done = "the order was not put on hold"


class Unhold(_StateChange):
    name, verb, past, path = "unhold", "release", "released from hold", "unhold"
    not_done = "the order is still on hold"

    def happened(self, run):
        return run.after.get("state") != "holded"


class Email(Operation):
    name, verb, past = "email", "send the e-mail", "e-mail sent"
    not_done = "the e-mail may not have been sent"

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
    name, verb, done = "comment", "add the comment", "Comment added"
    not_done = "no comment was added"
    records_itself = True  # the comment itself says it came from Gladly

    def text(self, run: Run) -> str:
        """The comment as stored: it says it came from Gladly (the recording comment of this action)."""
        return f"{run.params['comment']}\n(added from Gladly{_by(run.requester)})"

    def write(self, client, run):
        return add_comment(client, run.order_id, run.order.get("status"), self.text(run),
                           notify=run.params["notify"], visible=run.params["visible_on_front"])

    def happened(self, run):
        return any(entry.get("comment") == self.text(run) for entry in run.after.get("status_histories") or [])

    def describe(self, run):
        notified = " and e-mailed to the customer" if run.params["notify"] else ""
        return f"The comment was added to order {run.order.get('increment_id')}{notified}."


class Refund(Operation):
    name, verb, done = "refund", "refund", "Refund went through"
    not_done = "nothing was refunded"

    def load(self, client, order_id, submitting):
        invoices = SearchCriteria().where("order_id", order_id).limit(50)
        order, found, memos = client.parallel(
            lambda: _order(client, order_id),
            lambda: replies.get(client, "/V1/invoices", replies.INVOICES, invoices),
            # Submitting: the credit memos before the write, to recognise a new one after a lost reply.
            lambda: _credit_memos(client, order_id) if submitting else [])
        return order, RefundContext(refundable(order, found.get("items") or []),
                                    memo_ids={memo.get("entity_id") for memo in memos})

    def form(self, order, action_url, context):
        return forms.refund_form(order, action_url, context.refundable)

    def read(self, run, payload):
        context: RefundContext = run.context
        request: RefundRequest = forms.read_refund(payload, context.refundable)
        if context.refundable.online:
            # §9: an online refund goes through one invoice, which must hold every line refunded.
            context.invoice = invoice_for(context.refundable.online, request.quantities)
            if context.invoice is None:
                raise ActionValidationError({forms.qty_attr(next(iter(request.quantities))):
                                             "These lines were paid on different invoices; refund one invoice's "
                                             "lines at a time."})
        return request

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
        after, memos = client.parallel(lambda: _order(client, run.order_id),
                                       lambda: _credit_memos(client, run.order_id))
        new = [memo for memo in memos if memo.get("entity_id") not in run.context.memo_ids]
        # The reply names the credit memo; after a lost reply the newest new one is ours.
        run.context.memo = next((memo for memo in new if memo.get("entity_id") == run.reply), None) or (
            max(new, key=lambda memo: memo.get("entity_id") or 0) if new else None)
        return after

    def happened(self, run):
        return run.context.memo is not None

    def _memo_text(self, run: Run) -> str:
        memo, context = run.context.memo or {}, run.context
        number = memo.get("increment_id") or memo.get("entity_id") or run.reply
        total = memo.get("grand_total")
        amount = format_money(run.params.total(context.refundable) if total is None else total,
                              memo.get("order_currency_code") or context.refundable.currency)
        invoice = context.invoice
        how = (f"online through invoice {invoice.get('increment_id') or invoice.get('entity_id')}" if invoice
               else "offline")
        return f"Credit memo {number} for {amount} refunded {how}"

    def describe(self, run):
        if run.after is None:
            return f"{self._memo_text(run)}."
        return f"{self._memo_text(run)}; order {run.order.get('increment_id')} is now " \
               f"{run.status_after()}."

    def note_text(self, run):
        return f"{self._memo_text(run)} from Gladly{_by(run.requester)}."


def _companion_config(client: MagentoClient) -> dict:
    """The module's settings read now (not the lookup's cached copy): {} without the module."""
    try:
        return replies.get(client, "/V1/gladly/config", replies.COMPANION_CONFIG)
    except (MagentoNotFound, MagentoUnauthorized):
        return {}


class Coupon(Operation):
    """One single-use code from a cart price rule the merchant allows (``POST /V1/coupons/generate``)."""

    name, verb, done = "coupon", "issue the coupon", "Coupon issued"
    not_done = "no code reached the bridge (a code Magento may have made stays unused)"
    # Magento's generator: "alphanum" codes of this length, a dash every 4 characters (XXXX-XXXX-XXXX).
    spec = {"quantity": 1, "length": 12, "format": "alphanum", "delimiter": "-", "delimiter_at_every": 4}

    def load(self, client, order_id, submitting):
        order, companion = client.parallel(lambda: _order(client, order_id),
                                           lambda: _companion_config(client))
        rules = [rule for rule in companion.get("coupon_rules") or [] if isinstance(rule, dict) and rule.get("id")]
        if not rules:
            raise ActionRejected("The store allows agents no coupon rule now (Stores > Configuration > Gladly > "
                                 "Agent Actions > Goodwill Coupon Rules).", message="No coupon rule")
        return order, rules

    def read(self, run, payload):
        return forms.read_coupon(payload, run.context)

    def write(self, client, run):
        codes = client.post("/V1/coupons/generate", {"couponSpec": {"rule_id": int(run.params["rule"]["id"]),
                                                                    **self.spec}})
        if not (isinstance(codes, list) and codes and isinstance(codes[0], str)):
            raise ActionRejected("Magento generated no code for this rule.", message=f"Could not {self.verb}")
        return codes

    def happened(self, run):
        return False  # a lost reply loses the code itself: the agent has nothing to give

    def _code(self, run: Run) -> str:
        return f"{run.reply[0]} ({forms.rule_text(run.params['rule'])})"

    def message(self, run):
        return f"Coupon {run.reply[0]} issued"

    def describe(self, run):
        return (f"Coupon code {self._code(run)}. Give the code to the customer; it is recorded on order "
                f"{run.order.get('increment_id')}.")

    def note_text(self, run):
        comment = run.params["comment"]
        return f"Goodwill coupon {self._code(run)} issued from Gladly{_by(run.requester)}." + (
            f" {comment}" if comment else "")


class ChangeAddress(Operation):
    """A new shipping address through the module's endpoint, which records the old and the new one."""

    name, verb, done = "address", "change the shipping address", "Shipping address changed"
    not_done = "the shipping address is unchanged"
    records_itself = True

    def write(self, client, run):
        return client.put(f"/V1/gladly/orders/{run.order_id}/shipping-address",
                          {"address": run.params, "note": f"from Gladly{_by(run.requester)}"})

    def happened(self, run):
        now = shipping_address(run.after) or {}
        same = all(str(now.get(key) or "").casefold() == str(run.params[key]).casefold()
                   for key in ("city", "postcode", "country_id"))
        return same and street_lines(now.get("street")) == run.params["street"]

    def describe(self, run):
        saved = run.reply if isinstance(run.reply, dict) else run.params
        return f"Order {run.order.get('increment_id')} now ships to {address_line(saved)}."


OPERATIONS: dict[str, Operation] = {op.name: op for op in (Cancel(), Refund(), Comment(), Hold(), Unhold(), Email(),
                                                            Coupon(), ChangeAddress())}


def add_comment(client: MagentoClient, order_id: int, status: str | None, text: str, *, notify: bool = False,
                visible: bool = False) -> Any:
    """``POST /V1/orders/{id}/comments`` keeping the order's current status (magento-rest.md §11)."""
    return client.post(f"/V1/orders/{order_id}/comments", {"statusHistory": {
        "comment": text, "is_customer_notified": int(notify), "is_visible_on_front": int(visible),
        "parent_id": order_id, "status": status}})


def error_reply(error: ActionError, journal: str = FAILED) -> Reply:
    """An action error as the reply Gladly gets (§6.5)."""
    return Reply(error.status_code, {"errors": error.to_dicts()}, journal)


class OrderActions:
    """The order actions of one connected store: forms and exactly-once submissions."""

    def __init__(self, client: MagentoClient, storage: Stores, enabled: list[str], prefix: str = "",
                 journal: Journal | None = None, statuses: StatusLabels | None = None):
        self.client = client
        self.storage = storage
        self.enabled = enabled
        self.prefix = prefix
        self.journal = journal or Journal(storage.journal)
        self.statuses = statuses or StatusLabels()

    def form(self, action: str, order_id: str) -> ActionForm:
        """The form for ``GET formUrl``, its ``actionUrl`` carrying a fresh token (§6.3)."""
        operation, number = self._operation(action), _order_id(order_id)
        order, context = self._load(operation, number, submitting=False)
        action_url = f"{self.prefix}/gladly/actions/{action}?orderId={number}&token={secrets.token_urlsafe(24)}"
        return operation.form(order, action_url, context)

    def submit(self, action: str, order_id: str, token: str, payload: dict, requester: Requester) -> Reply:
        """Run a submission once per idempotency key and audit it; the reply for ``POST actionUrl`` (§6.4)."""
        run_trail: dict = {}
        try:
            operation, number = self._operation(action), _order_id(order_id)
            if not TOKEN_RE.fullmatch(token or ""):
                raise ActionRejected("This form has no valid token; open the action again.",
                                     message="Form out of date")
        except ActionError as error:
            reply = error_reply(error)
            self._audit(action, order_id, payload, requester, reply, "rejected", run_trail)
            return reply
        key = idempotency_key(action, str(number), token, payload)
        earlier = self._recover_expired(operation, number, key)
        if earlier is not None:
            self._audit(action, str(number), payload, requester, earlier, "rejected", run_trail)
            return earlier
        reply, first = self.journal.run_once(
            key, lambda: self._attempt(operation, number, payload, requester, run_trail, key),
            lambda previous: self._recover(operation, number, previous, run_trail),
            order_id=str(number), action=action, input=payload, agent_id=requester.agent_id,
            correlation_id=requester.correlation_id)
        self._audit(action, str(number), payload, requester, reply,
                    run_trail.get("outcome", "failed") if first else "duplicate", run_trail)
        return reply

    def _operation(self, action: str) -> Operation:
        if action not in OPERATIONS or action not in self.enabled:
            raise ActionRejected(f"The action {action!r} is not enabled.", message="Action unavailable")
        return OPERATIONS[action]

    def _recover_expired(self, operation: Operation, order_id: int, key: str) -> Reply | None:
        """Reconcile the claims dead workers left on this order and action under keys other than ``key``, each with
        its own audit row. The answer for the new submission when one of them did write (or cannot be told):
        the agent must see the order as it is before writing again."""
        trails: dict[str, dict] = {}

        def recover(previous: dict) -> Reply | None:
            trail = trails.setdefault(previous["idempotency_key"], {})
            return self._recover(operation, order_id, previous, trail)

        answer = None
        for previous, reply in self.journal.recover_expired(str(order_id), operation.name, key, recover):
            trail = trails.get(previous["idempotency_key"], {})
            requester = Requester(previous.get("gladly_agent_id"), previous.get("correlation_id"))
            self._audit(operation.name, str(order_id), previous.get("input"), requester, reply or interrupted_reply(),
                        trail.get("outcome", "interrupted"), trail)
            if reply is not None and reply.status == 200:
                answer = error_reply(ActionError(
                    f"An earlier submission of this action was interrupted before it could answer, and it did go "
                    f"through: {reply.body['detail']} Nothing more was done; reopen the form to see the order as "
                    f"it is now.", message="Done earlier"))
            elif reply is not None and answer is None:
                answer = reply
        return answer

    def _recover(self, operation: Operation, order_id: int, previous: dict, trail: dict) -> Reply | None:
        """The reply of a dead run's write if Magento shows it (noted on the order if the note is missing), or
        None when it never happened; raises NotReconciled when Magento cannot be read."""
        requester = Requester(previous.get("gladly_agent_id"), previous.get("correlation_id"))
        try:
            order, context = self._read(operation, order_id)
            run = Run(order_id=order_id, order=order, requester=requester, context=context, trail=trail)
            trail["increment_id"] = order.get("increment_id")
            operation.restore(run, previous["checkpoint"], previous.get("input") or {})
            run.after = operation.reread(self.client, run)
        except (ActionError, MagentoError) as error:
            trail["outcome"], trail["error"] = "unreconciled", error.detail
            raise NotReconciled(error_reply(ActionError(
                f"An earlier submission was interrupted and Magento cannot be read to tell whether it went through "
                f"({error.detail}); nothing more was done. Try again in a moment.",
                message=f"Could not {operation.verb}"))) from None
        if not operation.happened(run):
            return None
        trail["outcome"] = "recovered"
        detail = operation.describe(run) + self._record(operation, run)
        return Reply(200, ActionResultSchema().dump(ActionResult(
            message=f"{operation.done} (recovered after an interruption)", detail=detail)), SUCCEEDED)

    def _read(self, operation: Operation, order_id: int, submitting: bool = False) -> tuple[dict, Any]:
        """The order and the operation's other reads, Magento's failures as action errors."""
        try:
            return operation.load(self.client, order_id, submitting)
        except MagentoNotFound:
            raise ActionRejected(f"Order {order_id} does not exist in Magento.", message="Order not found") from None
        except MagentoUnauthorized as error:
            raise ActionRejected(error.detail, message="Magento refused the bridge") from None
        except MagentoError as error:
            raise ActionError(f"Magento could not be read ({error.detail}); nothing was changed. Try again.",
                              message="Magento unavailable") from None

    def _load(self, operation: Operation, order_id: int, submitting: bool) -> tuple[dict, Any]:
        """Read the order and check that Magento would still accept the action (406 otherwise)."""
        order, context = self._read(operation, order_id, submitting)
        if not can(operation.name, order):
            raise ActionRejected(f"Order {order.get('increment_id')} cannot take this action now: it is "
                                 f"{self.statuses.label(order.get('status'), order.get('store_id'))}.",
                                 message=f"Could not {operation.verb}")
        return order, context

    def _attempt(self, operation: Operation, order_id: int, payload: dict, requester: Requester,
                 trail: dict, key: str) -> Reply:
        """One run of the action, every failure turned into the reply Gladly should see."""
        try:
            result = self._perform(operation, order_id, payload, requester, trail, key)
        except OutcomeUnknown as error:
            trail["outcome"], trail["error"] = "unknown", error.detail
            return error_reply(error, UNKNOWN)
        except ActionError as error:
            trail["error"] = error.detail
            trail.setdefault("outcome", "invalid" if isinstance(error, ActionValidationError)
                             else "rejected" if error.status_code == 406 else "failed")
            return error_reply(error)
        trail.setdefault("outcome", "succeeded")
        return Reply(200, ActionResultSchema().dump(result), SUCCEEDED)

    def _perform(self, operation: Operation, order_id: int, payload: dict, requester: Requester,
                 trail: dict, key: str) -> ActionResult:
        order, context = self._load(operation, order_id, submitting=True)
        run = Run(order_id=order_id, order=order, requester=requester, context=context, trail=trail,
                  statuses=self.statuses)
        trail["increment_id"] = order.get("increment_id")
        run.params = operation.read(run, payload)
        failure = f"Could not {operation.verb}"
        late = False
        self.journal.checkpoint(key, operation.checkpoint(run))  # from here on the write may happen
        try:
            run.reply = trail["magento"] = operation.write(self.client, run)
        except MagentoRejected as error:
            if isinstance(error, (MagentoUnauthorized, MagentoNotFound)):
                raise ActionRejected(error.detail, message=failure) from None
            trail["outcome"] = "rejected"
            raise MagentoRefusal(error.detail, message=failure) from None
        except MagentoError as error:
            trail["magento"] = error.detail
            if not getattr(error, "outcome_unknown", False) and error.magento_status is None:
                raise ActionError(f"Magento could not be reached ({error.detail}); nothing was changed. Try again.",
                                  message=failure) from None
            late = True  # the write may have happened: find out instead of repeating it
        try:
            run.after = operation.reread(self.client, run)
        except MagentoError as error:
            if late:
                raise OutcomeUnknown(f"Magento did not answer and the order could not be re-read ({error.detail}). "
                                     f"Check order {order.get('increment_id')} in Magento before trying again.",
                                     message=failure) from None
            log.warning("order %s re-read after %s failed: %s", order_id, operation.name, error.detail)
        if late:
            if not operation.happened(run):
                raise ActionError(f"Magento did not confirm; {operation.not_done}. Try again.", message=failure)
            trail["outcome"] = "confirmed"
        detail = operation.describe(run) + self._record(operation, run)
        message = operation.message(run)
        return ActionResult(message=f"{message} (confirmed after a timeout)" if late else message, detail=detail)

    def _record(self, operation: Operation, run: Run) -> str:
        """Leave a comment on the order saying Gladly did this; '' or a remark for the detail."""
        if operation.records_itself:
            return ""
        if run.after is None:
            # Without the current status the comment could reset it (magento/magento2#34180): skip it.
            return " The order history note could not be added."
        text = operation.note_text(run)
        if any(entry.get("comment") == text for entry in run.after.get("status_histories") or []):
            return ""  # a recovered action whose worker wrote the note before it died
        try:
            add_comment(self.client, run.order_id, run.after.get("status"), text,
                        notify=operation.name == "cancel" and run.params["notify"])
        except MagentoError as error:
            log.warning("order %s: recording comment failed: %s", run.order_id, error.detail)
            run.trail["note_error"] = error.detail
            return " The order history note could not be added."
        return ""

    def _audit(self, action: str, order_id: str, payload: dict, requester: Requester, reply: Reply, outcome: str,
               trail: dict) -> None:
        result = {"status": reply.status, "magento": trail.get("magento"), "note_error": trail.get("note_error")}
        # The action name comes from the URL: only known ones become a metric label.
        ACTIONS.labels(action if action in OPERATIONS else "unknown", outcome).inc()
        self.storage.audit.record(
            action=action, order_id=str(order_id)[:64], outcome=outcome, increment_id=trail.get("increment_id"),
            agent_id=requester.agent_id, correlation_id=requester.correlation_id, input=payload,
            magento_result=result, error=trail.get("error") if reply.status != 200 else None)


def _order_id(value: str) -> int:
    if not ORDER_ID_RE.fullmatch(str(value or "")):
        raise ActionRejected("The action has no valid orderId.", message="Order not found")
    return int(value)
