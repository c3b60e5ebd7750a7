"""Gladly AI's order actions: who the shopper is, what the merchant allows, and the agents' operations underneath.

Gladly documents no confirmation step or limit for an AI's writes, so every safeguard lives here: the AI's own
switch per action, the order's e-mail as proof of identity (a wrong one answers exactly like an unknown order), an
order age window, a cap per refund and per store per day, one goodwill coupon per customer per period (both
reserved atomically in the database before the write, ``bridge/storage/reservations.py``), and refunds only as previewed
(a signed confirmation bound to the order, lines and amount). Each limit is the stricter of the bridge's
``BRIDGE_AI_*`` setting and the module's admin setting. The writes themselves are the agents' operations, run by
``OrderActions`` with its journal (exactly once), audit (as Gladly AI) and order comment.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from decimal import Decimal

from bridge.actions.journal import FAILED
from bridge.actions.journal import SUCCEEDED
from bridge.actions.journal import Reply
from bridge.actions.journal import input_digest
from bridge.actions.model import Cap
from bridge.actions.offer import OPERATIONS
from bridge.actions.offer import enabled_actions
from bridge.actions.operations import GLADLY_AI
from bridge.actions.operations import Requester
from bridge.actions.operations import Run
from bridge.actions.refund import PARTIAL
from bridge.actions.refund import RefundContext
from bridge.actions.refund import qty_attr
from bridge.actions.runner import OrderActions
from bridge.actions.tokens import Confirmation
from bridge.actions.tokens import ConfirmationTokens
from bridge.config import AI_ACTION_NAMES
from bridge.errors import ActionRejected
from bridge.errors import ActionValidationError
from bridge.errors import AiInvalidInput
from bridge.errors import AiRefusal
from bridge.errors import AiUnavailable
from bridge.errors import CouponLimit
from bridge.lookup import mapping
from bridge.lookup.model import Order
from bridge.magento import resources
from bridge.magento.client import MagentoClient
from bridge.magento.formatting import format_money
from bridge.magento.orders import visible_lines
from bridge.magento.resources import ORDER_FIELDS
from bridge.magento.resources import SHIPMENT_FIELDS
from bridge.magento.search import SearchCriteria
from bridge.magento.store import Catalog
from bridge.storage.audit import WRITTEN
from bridge.storage.reservations import Reservations
from bridge.storage.reservations import day_start

log = logging.getLogger(__name__)

WRITES = tuple(name for name in AI_ACTION_NAMES if name != "lookup")
# Orders sharing an increment id across store views; more would be a store misconfigured beyond matching.
SAME_NUMBER = 5
CENT = Decimal("0.005")  # a recomputed refund total within this of the previewed one is the same amount
CHANGED = ("The order changed since the refund was previewed; preview it again and ask the shopper to confirm the "
           "new amount.")
NOT_FOUND = ("We could not find an order with this number for this e-mail address. Check both with the shopper; "
             "the e-mail must be the one the order was placed with.")


@dataclass(frozen=True)
class AiLimits:
    """What Gladly AI may do: the stricter of the bridge's ``BRIDGE_AI_*`` settings and the module's."""

    actions: tuple[str, ...]
    refund_max: Decimal
    refund_daily_max: Decimal
    order_max_age_days: int  # 0: no limit
    coupon_period_days: int
    coupon_rule: int | None

    @classmethod
    def stricter(cls, config, companion: dict | None) -> AiLimits:
        """Combine ``config`` with the module's settings (``ai_*`` of ``GET /V1/gladly/config``), each the stricter:
        the actions both allow (and the module's endpoints support), the lower caps, the shorter age window
        (0 is none), the longer coupon period; the coupon rule the merchant chose in the admin, else the bridge's,
        when the module allows it today."""
        module = companion or {}
        ai_view = None if companion is None else {**companion, "allowed_actions": module.get("ai_actions")}
        writes = enabled_actions([name for name in config["AI_ACTIONS"] if name in WRITES], ai_view)
        module_actions = module.get("ai_actions")
        reads = [name for name in ("lookup",) if name in config["AI_ACTIONS"]
                 and (not isinstance(module_actions, list) or name in module_actions)]

        def lower(setting: str, field: str) -> Decimal:
            values = [Decimal(str(config[setting]))]
            if isinstance(module.get(field), (int, float)):
                values.append(Decimal(str(module[field])))
            return min(values)

        ages = [age for age in (config["AI_ORDER_MAX_AGE_DAYS"], module.get("ai_order_max_age_days"))
                if isinstance(age, int) and age > 0]
        periods = [period for period in (config["AI_COUPON_PERIOD_DAYS"], module.get("ai_coupon_period_days"))
                   if isinstance(period, int) and period > 0]
        rule = module.get("ai_coupon_rule") or config["AI_COUPON_RULE"]
        if companion is not None and rule not in {entry.get("id") for entry in module.get("coupon_rules") or []
                                                  if isinstance(entry, dict)}:
            rule = None  # the module issues codes only from the rules it publishes as allowed today
        return cls(actions=tuple(reads + writes), refund_max=lower("AI_REFUND_MAX", "ai_refund_max"),
                   refund_daily_max=lower("AI_REFUND_DAILY_MAX", "ai_refund_daily_max"),
                   order_max_age_days=min(ages, default=0), coupon_period_days=max(periods),
                   coupon_rule=rule if isinstance(rule, int) and rule > 0 else None)


@dataclass(frozen=True)
class RefundLineAsked:
    """One line of an AI refund request: a SKU and how many."""

    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class RefundPreview:
    """What a refund would return, and the token that confirms exactly it."""

    amount: str
    items: list[dict]  # {sku, name, quantity, amount}
    shipping: str
    confirmation_token: str
    expires_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class AiResult:
    """A write done: its status word for the AI, the sentence for the shopper, and its facts (code, credit memo)."""

    status: str
    message: str
    facts: dict


# The words for the shopper of what each write did.
DONE = {"cancel": "canceled", "refund": "refunded", "address": "updated", "coupon": "issued"}
# Where each operation's form field comes from in the AI's input, for field errors.
ADDRESS_FIELDS = {"firstname": "firstName", "lastname": "lastName", "company": "company", "street1": "street",
                  "street2": "street", "city": "city", "region": "region", "postcode": "postcode",
                  "country_id": "countryId", "telephone": "telephone"}


class GladlyAi:
    """Gladly AI's actions on one connected store, for one request; also the runner's guard for its writes."""

    def __init__(self, client: MagentoClient, limits: AiLimits, actions: OrderActions, *,
                 reservations: Reservations, confirmations: ConfirmationTokens, catalog: Catalog):
        self.client = client
        self.limits = limits
        self.actions = actions
        actions.guard = self
        self.reservations = reservations
        self.confirmations = confirmations
        self.catalog = catalog
        self.requester = Requester(GLADLY_AI)
        self._confirmation: Confirmation | None = None
        self._reserved: str | None = None
        self._action = ""

    # --- reads ---------------------------------------------------------------------------------------------------

    def lookup(self, number: str, email: str) -> tuple[Order, list[str]]:
        """The order as Gladly AI's ORDER contract reads it, and the actions it allows now."""
        self._allowed("lookup")
        order = self._identify(number, email)
        site, shipments = self.client.parallel(
            lambda: self.catalog.site(self.client, None),
            lambda: resources.get(self.client, "/V1/shipments", resources.SHIPMENTS,
                                  SearchCriteria().where("order_id", order["entity_id"]).limit(50)
                                  .fields(SHIPMENT_FIELDS)).get("items") or [])
        products = self.catalog.products(self.client, {line["product_id"] for line in visible_lines(order)
                                                       if line.get("product_id")}, None)
        return mapping.build_order(order, shipments, site, products), self.available(order)

    def available(self, order: dict) -> list[str]:
        """The writes Gladly AI may make on ``order`` now: enabled, within the age window, accepted by Magento."""
        if self._too_old(order):
            return []
        offered = [name for name in self.limits.actions if name in WRITES and OPERATIONS[name].can(order)]
        if self.limits.refund_max <= 0 or self.limits.refund_daily_max <= 0:
            offered = [name for name in offered if name != "refund"]
        if self.limits.coupon_rule is None:
            offered = [name for name in offered if name != "coupon"]
        return offered

    # --- writes --------------------------------------------------------------------------------------------------

    def cancel(self, number: str, email: str, reason: str, idempotency: str | None) -> AiResult:
        """Cancel the order for the shopper's ``reason`` (recorded on the order)."""
        order = self._writable("cancel", number, email)
        payload = {"reason": "customer", "comment": f"Shopper's reason: {reason}", "notify": False}
        return self._run("cancel", order, payload, idempotency, {"reason": "reason", "comment": "reason"})

    def preview_refund(self, number: str, email: str, lines: list[RefundLineAsked] | None,
                       refund_shipping: bool | None) -> RefundPreview:
        """What a refund of ``lines`` (None: everything left, shipping included) would return, within the limits;
        nothing is written."""
        order = self._writable("refund", number, email)
        try:
            _order, context = self.actions.load(OPERATIONS["refund"], int(order["entity_id"]))
        except ActionRejected:
            raise AiRefusal("not_allowed_in_state", not_allowed("refund", order)) from None
        payload = refund_payload(context, lines, bool(refund_shipping) if lines else refund_shipping is not False)
        try:
            request = OPERATIONS["refund"].read(payload, context)
        except ActionValidationError as error:
            raise AiInvalidInput(refund_field_errors(error.field_errors, context, lines)) from None
        amount = request.total(context.refundable).quantize(Decimal("0.01"))
        self._settle_stale()
        self._within_refund_caps(amount, context.refundable.currency, reserve=None)
        token, expires = self.confirmations.issue(int(order["entity_id"]), payload, amount,
                                                  context.refundable.currency)
        money = context.refundable.currency
        units = {line.item_id: line for line in context.refundable.lines}
        items = [{"sku": units[item_id].sku, "name": units[item_id].name, "quantity": float(count),
                  "amount": format_money(units[item_id].unit_amount * count, money)}
                 for item_id, count in request.quantities.items()]
        return RefundPreview(amount=format_money(amount, money), items=items,
                             shipping=format_money(request.shipping, money), confirmation_token=token,
                             expires_at=datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def refund(self, number: str, email: str, token: str) -> AiResult:
        """Exactly the previewed refund, once per confirmation (its own idempotency key)."""
        order = self._writable("refund", number, email)
        self._confirmation = self.confirmations.check(token, int(order["entity_id"]))
        self._settle_stale()
        return self._run("refund", order, self._confirmation.payload,
                         f"confirmation:{self._confirmation.nonce}", {})

    def change_address(self, number: str, email: str, address: dict, idempotency: str | None) -> AiResult:
        """The order's new shipping address, before anything ships (``address`` in the form's fields)."""
        order = self._writable("address", number, email)
        return self._run("address", order, address, idempotency, {attr: f"address.{name}"
                                                                  for attr, name in ADDRESS_FIELDS.items()})

    def coupon(self, email: str, reason: str, idempotency: str | None) -> AiResult:
        """One goodwill code for the registered customer of ``email``, from the rule the merchant chose for the AI,
        recorded on their newest order that can take it."""
        self._allowed("coupon")
        if self.limits.coupon_rule is None:
            raise AiRefusal("action_disabled", "The store has not chosen a coupon rule for Gladly AI.")
        orders = resources.get(self.client, "/V1/orders", resources.ORDERS, SearchCriteria()
                               .where("customer_email", email.strip()).order_by("created_at", "DESC").limit(20)
                               .fields(f"items[{ORDER_FIELDS}]")).get("items") or []
        orders = [order for order in orders if same_email(order, email)]
        order = next((order for order in orders if OPERATIONS["coupon"].can(order)), None)
        if order is None:
            if not orders:
                raise AiRefusal("order_not_found", "We could not find a customer with this e-mail address.")
            raise AiRefusal("not_allowed_in_state", "Goodwill coupons are for customers with an account and an order "
                                                    "that was not canceled.")
        payload = {"rule": str(self.limits.coupon_rule), "comment": f"Shopper's reason: {reason}"}
        self._settle_stale()
        return self._run("coupon", order, payload, idempotency, {"rule": "reason", "comment": "reason"})

    # --- the runner's guard --------------------------------------------------------------------------------------

    def admit(self, run: Run, key: str) -> None:
        """Before the write: a refund is the previewed one and within the caps (its amount reserved against the
        day's); a coupon is the customer's first in the period (reserved against any other run's)."""
        if self._action == "refund":
            amount = run.params.total(run.context.refundable).quantize(Decimal("0.01"))
            confirmed = self._confirmation
            if confirmed is None or abs(amount - confirmed.amount) > CENT \
                    or run.context.refundable.currency != confirmed.currency:
                raise AiRefusal("confirmation_invalid", CHANGED)
            self._within_refund_caps(amount, confirmed.currency, reserve=(key, run.order_id))
        elif self._action == "coupon":
            self._first_coupon(run, key)

    def settle(self, key: str, outcome: str | None) -> None:
        """After the run: a write that happened spends its reservation, one that did not releases it; an unknown
        outcome keeps it held until the journal learns from Magento what happened."""
        if self._reserved != key:
            return
        if outcome in WRITTEN:
            self.reservations.spend(key)
        elif outcome != "unknown":
            self.reservations.release(key)

    # --- checks --------------------------------------------------------------------------------------------------

    def _allowed(self, action: str) -> None:
        if action not in self.limits.actions:
            raise AiRefusal("action_disabled", f"Gladly AI may not {'look up' if action == 'lookup' else action} "
                                               f"orders in this store; a human agent can help.")

    def _identify(self, number: str, email: str) -> dict:
        """The order numbered ``number`` placed with ``email`` (any case): one Magento call whatever the answer, and
        one refusal for an unknown order and a wrong e-mail alike, so the AI cannot probe which orders exist."""
        found = resources.get(self.client, "/V1/orders", resources.ORDERS, SearchCriteria()
                              .where("increment_id", number.strip()).limit(SAME_NUMBER)
                              .fields(f"items[{ORDER_FIELDS}]")).get("items") or []
        order = next((order for order in found if same_email(order, email)), None)
        if order is None:
            raise AiRefusal("order_not_found", NOT_FOUND)
        return order

    def _writable(self, action: str, number: str, email: str) -> dict:
        """The shopper's order, when Gladly AI may ``action`` it (enabled, within the age window)."""
        self._allowed(action)
        order = self._identify(number, email)
        if self._too_old(order):
            raise AiRefusal("order_too_old", f"Order {order.get('increment_id')} is older than "
                                             f"{self.limits.order_max_age_days} days; a human agent can help with it.")
        if action == "refund" and (self.limits.refund_max <= 0 or self.limits.refund_daily_max <= 0):
            raise AiRefusal("action_disabled", "Gladly AI may not refund orders in this store; a human agent can help.")
        # Whether the order's state allows it is the runner's check, after the journal: a retry of a write that
        # went through (the order now canceled, refunded) replays its answer.
        return order

    def _too_old(self, order: dict) -> bool:
        days = self.limits.order_max_age_days
        placed = order_time(order)
        return bool(days) and (placed is None or datetime.now(timezone.utc) - placed > timedelta(days=days))

    def _within_refund_caps(self, amount: Decimal, currency: str, reserve: tuple[str, int] | None) -> None:
        """Refuse a refund over the per-refund cap or what is left of the day's; with ``reserve`` (key, order), hold
        the amount against the day's cap atomically."""
        if amount > self.limits.refund_max:
            most = format_money(self.limits.refund_max, currency)
            raise AiRefusal("over_refund_limit", f"This refund comes to {format_money(amount, currency)}, more than "
                                                 f"Gladly AI may refund at once ({most}); a human agent can help.")
        store, since = self.client.base_url, day_start(datetime.now(timezone.utc))
        if reserve is None:
            left = self.reservations.left(scope=store, cap=self.limits.refund_daily_max, since=since)
        else:
            key, order_id = reserve
            left = self._reserve(key, "refund", store, order_id, amount, self.limits.refund_daily_max, since)
            if left is None:
                return
        if amount > left:
            raise AiRefusal("over_daily_limit", "Gladly AI has reached today's refund limit for this store; a human "
                                                "agent can help with this refund.")

    def _first_coupon(self, run: Run, key: str) -> None:
        """Refuse a coupon when the customer had one in the period: written in the audit (an agent's too), or
        reserved by another run of Gladly AI, atomically on every worker and node (``Reservations.reserve``)."""
        days = self.limits.coupon_period_days
        since = datetime.now(timezone.utc) - timedelta(days=days)
        OPERATIONS["coupon"].admit(run, Cap(1, days), self.actions.audit.written_since("coupon", since))
        scope = f"coupon:{self.client.base_url}:{run.order.get('customer_id')}"
        if self._reserve(key, "coupon", scope, run.order_id, Decimal(1), Decimal(1), since) is not None:
            raise CouponLimit(f"The customer of order {run.order.get('increment_id')} has a goodwill coupon from "
                              f"Gladly AI in the last {days} days, or one being issued now; no code was issued.",
                              message="Coupon limit reached")

    def _reserve(self, key: str, action: str, scope: str, order_id: int, amount: Decimal, cap: Decimal,
                 since: datetime) -> Decimal | None:
        """Hold ``amount`` against ``cap`` in ``scope`` since ``since`` for this run (``settle`` ends the hold);
        None when held, else what is left."""
        left = self.reservations.reserve(key, scope=scope, store=self.client.base_url, action=action,
                                         order_id=str(order_id), amount=amount, cap=cap, since=since)
        if left is None:
            self._reserved = key
        return left

    def _settle_stale(self) -> None:
        """Settle the reservations of writes whose worker died before it could: reconcile their journal claims
        against Magento (``OrderActions.reconcile``), then spend or release each as its journal row ended."""
        before = datetime.now(timezone.utc) - timedelta(seconds=self.actions.journal.lease)
        for row in self.reservations.held_before(self.client.base_url, before):
            self.actions.reconcile(OPERATIONS[row["action"]], int(row["order_id"]))
            claim = self.actions.journal.store.get(row["key"]) or {"status": FAILED, "checkpoint": None}
            if claim["status"] == SUCCEEDED:
                self.reservations.spend(row["key"])
            elif claim["status"] == FAILED and claim["checkpoint"] is None:
                self.reservations.release(row["key"])  # it never wrote; pending or unknown ones stay held

    # --- running -------------------------------------------------------------------------------------------------

    def _run(self, action: str, order: dict, payload: dict, idempotency: str | None,
             fields: dict[str, str]) -> AiResult:
        """Run ``payload`` through the agents' operation once per idempotency key; the AI's answer or its refusal."""
        order_id = int(order["entity_id"])
        key = journal_key(action, order_id, idempotency)
        self._action = action
        reply = self.actions.run(OPERATIONS[action], order_id, key, payload, self.requester)
        return ai_result(action, reply, fields, order)


def journal_key(action: str, order_id: int, idempotency: str | None) -> str:
    """The journal key of an AI write: its Idempotency-Key's digest (a fresh one without it)."""
    token = input_digest(idempotency)[:40] if idempotency else uuid.uuid4().hex
    return f"ai:{action}:{order_id}:{token}"


def same_email(order: dict, email: str) -> bool:
    """Whether ``order`` was placed with ``email`` (case-insensitive, guests too)."""
    placed = (order.get("customer_email") or "").strip().casefold()
    return bool(placed) and placed == email.strip().casefold()


def order_time(order: dict) -> datetime | None:
    """When the order was placed (Magento's UTC ``YYYY-MM-DD HH:MM:SS``)."""
    try:
        return datetime.fromisoformat(str(order.get("created_at") or "").strip()).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def not_allowed(action: str, order: dict) -> str:
    """Why the order's state refuses ``action``, in words for the shopper."""
    number = order.get("increment_id")
    return {
        "cancel": f"Order {number} can no longer be canceled: it has been invoiced, shipped or closed already.",
        "refund": f"Order {number} has nothing left to refund.",
        "address": f"The shipping address of order {number} can no longer be changed: it has shipped or is "
                   f"finished.",
    }.get(action, f"Order {number} cannot take this action now.")


def refund_payload(context: RefundContext, lines: list[RefundLineAsked] | None, shipping: bool) -> dict:
    """The agents' refund form values for an AI request: each SKU's quantity (None: every line, all that is left),
    the remaining shipping when asked. Explicit, so the confirmation binds the lines, not "everything"."""
    refundable = context.refundable
    payload: dict = {"mode": PARTIAL, "shipping_amount": str(refundable.shipping if shipping else 0)}
    if lines is None:
        payload.update({qty_attr(line.item_id): str(line.max_qty) for line in refundable.lines})
        return payload
    errors: dict[str, str] = {}
    for index, asked in enumerate(lines):
        line = next((line for line in refundable.lines if line.sku == asked.sku
                     and qty_attr(line.item_id) not in payload), None)
        if line is None:
            errors[f"items[{index}].sku"] = f"The order has no refundable line with SKU {asked.sku}."
        else:
            payload[qty_attr(line.item_id)] = str(asked.quantity)
    if errors:
        raise AiInvalidInput(errors)
    return payload


def refund_field_errors(errors: dict[str, str], context: RefundContext,
                        lines: list[RefundLineAsked] | None) -> dict[str, str]:
    """The refund form's field errors named by the AI's inputs (``items[i].quantity``, ``refundShipping``)."""
    skus = {qty_attr(line.item_id): line.sku for line in context.refundable.lines}
    named = {}
    for attr, detail in errors.items():
        index = next((i for i, asked in enumerate(lines or []) if asked.sku == skus.get(attr)), None)
        named[f"items[{index}].quantity" if index is not None
              else "refundShipping" if attr == "shipping_amount" else "items"] = detail
    return named


def ai_result(action: str, reply: Reply, fields: dict[str, str], order: dict) -> AiResult:
    """The runner's reply as Gladly AI's answer; its refusals as 422 with the AI's codes (AiRefusal)."""
    body = reply.body
    if reply.status == 200:
        return AiResult(status=DONE[action], message=body["detail"], facts=body.get("facts") or {})
    errors = body.get("errors") or [{}]
    first = errors[0]
    code, detail = first.get("code"), first.get("detail") or "The action could not be completed."
    if reply.status == 422:
        raise AiRefusal(code, detail)
    if code == "invalid_input":
        if action == "refund":
            raise AiRefusal("confirmation_invalid", CHANGED)
        raise AiInvalidInput({fields.get(error.get("attr"), error.get("attr") or "input"): error.get("detail")
                              for error in errors})
    if code == "coupon_limit":  # the AI's one per period, or the agents' cap (BRIDGE_COUPON_LIMIT)
        raise AiRefusal("coupon_limit", "This customer already received a goodwill coupon recently; we cannot issue "
                                        "another one now.")
    if code == "already_submitted":
        raise AiInvalidInput({"Idempotency-Key": "This Idempotency-Key was used for a different request."})
    if code == "action_rejected":  # the order's state (its re-read, or Magento's false) refuses the action
        raise AiRefusal("not_allowed_in_state", not_allowed(action, order))
    if code == "magento_rejected":  # Magento's validation refused the write: its own words
        raise AiRefusal("not_allowed_in_state", detail)
    # In progress, Magento unavailable, an outcome only a person can tell: not a refusal, so not 422.
    raise AiUnavailable(code or "action_failed", detail)

