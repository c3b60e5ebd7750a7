"""The goodwill coupon: one single-use code from a cart price rule the merchant allows (``POST /V1/coupons/generate``).

A profile action (gladly-lookup-adaptor.md §6.1 "actions on the profile"): offered on the shopper, its form
keyed by their latest order, on which the issued code is recorded.
"""
from __future__ import annotations

from bridge.actions import forms
from bridge.actions.model import ActionForm
from bridge.actions.model import Input
from bridge.actions.model import InputSection
from bridge.actions.model import Option
from bridge.actions.model import TextSection
from bridge.actions.operations import Operation
from bridge.actions.operations import Run
from bridge.actions.operations import by_agent
from bridge.actions.operations import read_order
from bridge.errors import ActionRejected
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoUnauthorized
from bridge.magento import resources
from bridge.magento.client import MagentoClient


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


class Coupon(Operation):
    """One single-use code from a cart price rule the merchant allows."""

    name = "coupon"
    label = "Issue goodwill coupon"
    verb = "issue the coupon"
    done = "Coupon issued"
    not_done = "no code reached the bridge (a code Magento may have made stays unused)"
    on_profile = True
    # Magento's generator: "alphanum" codes of this length, a dash every 4 characters (XXXX-XXXX-XXXX).
    spec = {"quantity": 1, "length": 12, "format": "alphanum", "delimiter": "-", "delimiter_at_every": 4}

    def can(self, order):
        return True  # the code is recorded on the order as a comment, which any order takes

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
                            "expiry and usage limits. You get the code to give to the customer, and it is recorded on "
                            f"their latest order, {order.get('increment_id')}."),
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

    def write(self, client, run):
        codes = client.post("/V1/coupons/generate", {"couponSpec": {"rule_id": int(run.params["rule"]["id"]),
                                                                    **self.spec}})
        if not (isinstance(codes, list) and codes and isinstance(codes[0], str)):
            raise ActionRejected("Magento generated no code for this rule.", message=f"Could not {self.verb}")
        return codes

    def happened(self, run):
        return False  # a lost reply loses the code itself: the agent has nothing to give

    def _code(self, run: Run) -> str:
        return f"{run.reply[0]} ({rule_text(run.params['rule'])})"

    def message(self, run):
        return f"Coupon {run.reply[0]} issued"

    def describe(self, run):
        return (f"Coupon code {self._code(run)}. Give the code to the customer; it is recorded on order "
                f"{run.order.get('increment_id')}.")

    def note_text(self, run):
        comment = run.params["comment"]
        return f"Goodwill coupon {self._code(run)} issued from Gladly{by_agent(run.requester)}." + (
            f" {comment}" if comment else "")
