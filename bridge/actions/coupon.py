"""The goodwill coupon: one single-use code from a cart price rule the merchant allows, through the module's
``POST /V1/gladly/orders/{id}/goodwill-coupon``.

A profile action (gladly-lookup-adaptor.md §6.1 "actions on the profile"): offered on the shopper, its form
keyed by their latest order, on which the module records the issued code. The module issues codes only to a
registered customer, on an order that is not canceled, within its per-customer cap
(``Model/Coupon/GoodwillCouponManagement.php``); the bridge keeps a cap of its own (``BRIDGE_COUPON_LIMIT``).
"""
from __future__ import annotations

from bridge.actions import forms
from bridge.actions.model import ActionForm
from bridge.actions.model import Cap
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import Option
from bridge.actions.model import TextSection
from bridge.actions.operations import Operation
from bridge.actions.operations import by_agent
from bridge.actions.operations import read_order
from bridge.errors import ActionRejected
from bridge.errors import CouponLimit
from bridge.errors import MagentoBadReply
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoUnauthorized
from bridge.magento import resources
from bridge.magento.client import MagentoClient
from bridge.magento.shapes import check


def rule_text(rule: dict) -> str:
    """A coupon rule as agents read it: name, what it gives, until when."""
    until = f", until {rule['expires_on']}" if rule.get("expires_on") else ""
    return f"{rule.get('name')}: {rule.get('amount')}{until}"


def _companion_config(client: MagentoClient) -> dict:
    """The module's settings read now (not the lookup's cached copy): {} without the module."""
    try:
        return resources.get(client, "/V1/gladly/config", resources.COMPANION_CONFIG)
    except (MagentoNotFound, MagentoUnauthorized):
        return {}


def _customer_of(result) -> object:
    """The customer an audited coupon write went to: the module's reply records it."""
    reply = result.get("magento") if isinstance(result, dict) else None
    return reply.get("customer_id") if isinstance(reply, dict) else None


class Coupon(Operation):
    """One single-use code from a cart price rule the merchant allows, for the order's registered customer."""

    name = "coupon"
    label = "Issue goodwill coupon"
    verb = "issue the coupon"
    done = "Coupon issued"
    not_done = "no code reached the bridge (a code the store issued is recorded in the order's history)"
    records_itself = True  # the module comments the code on the order
    on_profile = True

    def can(self, order):
        # The module refuses guests' orders and canceled ones (GoodwillCouponManagement::customerOf).
        return (bool(order.get("customer_id")) and not order.get("customer_is_guest")
                and order.get("state") != "canceled")

    def load(self, client, order_id, submitting):
        order, companion = client.parallel(lambda: read_order(client, order_id),
                                           lambda: _companion_config(client))
        rules = [rule for rule in companion.get("coupon_rules") or [] if isinstance(rule, dict) and rule.get("id")]
        if not rules:
            raise ActionRejected("The store allows agents no coupon rule now (Stores > Configuration > Gladly > "
                                 "Agent Actions > Goodwill Coupon Rules).", message="No coupon rule")
        return order, rules

    def form(self, order, action_url, context):
        """A choice among the cart price rules the merchant allows; the rule fixes the discount."""
        options = [Option(text=rule_text(rule), value=str(rule.get("id"))) for rule in context]
        return ActionForm(
            title="Issue a goodwill coupon", submit_button="Issue coupon", close_button="Close",
            action_url=action_url, sections=[
                TextSection("Magento generates one single code from the rule you choose; the rule sets the discount, "
                            "expiry and usage limits, and the store limits how many codes one customer receives. You "
                            "get the code to give to the customer, and it is recorded on their latest order, "
                            f"{order.get('increment_id')}."),
                InputSection(label="Rule", attr="rule", hint="Required",
                             input=Input(type="select", placeholder="Select a rule", optional=False, options=options)),
                forms.comment_input(placeholder="Why (optional, staff only)"),
            ])

    def read(self, payload, context):
        """One of the offered rules (required) and an optional reason."""
        errors: dict[str, str] = {}
        chosen = forms.text(payload, "rule", errors)
        rule = next((rule for rule in context if str(rule.get("id")) == chosen), None)
        if rule is None:
            errors["rule"] = "Choose one of the rules offered."
        comment = forms.comment(payload, errors)
        forms.raise_if(errors)
        return {"rule": rule, "comment": comment}

    def admit(self, run, cap: Cap, earlier):
        """At most ``cap.limit`` codes from Gladly per customer in ``cap.days`` days (BRIDGE_COUPON_LIMIT)."""
        customer = run.order.get("customer_id")
        issued = sum(1 for result in earlier if _customer_of(result) == customer)
        if issued >= cap.limit:
            raise CouponLimit(
                f"The customer of order {run.order.get('increment_id')} has already received {issued} goodwill "
                f"coupon(s) from Gladly in the last {cap.days} days, the most this bridge allows "
                f"(BRIDGE_COUPON_LIMIT); no code was issued.", message="Coupon limit reached")

    def write(self, client, run):
        comment = run.params["comment"]
        note = f"from Gladly{by_agent(run.requester)}." + (f" {comment}" if comment else "")
        path = f"/V1/gladly/orders/{run.order_id}/goodwill-coupon"
        reply = client.post(path, {"ruleId": int(run.params["rule"]["id"]), "note": note})
        try:
            check(reply, resources.GOODWILL_COUPON, f"POST {path}")
            problem = "" if reply["code"].strip() else "The store answered with an empty code."
        except MagentoBadReply as error:
            problem = error.detail
        if problem:
            raise ActionRejected(f"{problem} A code the store issued is recorded in the order's history.",
                                 message=f"Could not {self.verb}")
        return reply

    def happened(self, run):
        return False  # a lost reply loses the code itself: the agent has nothing to give

    def message(self, run):
        return f"Coupon {run.reply['code']} issued"

    def facts(self, run):
        return {"code": run.reply["code"], "rule": rule_text(run.params["rule"])}

    def describe(self, run):
        return (f"Coupon code {run.reply['code']} ({rule_text(run.params['rule'])}). Give the code to the customer; "
                f"it is recorded on order {run.order.get('increment_id')}.")
