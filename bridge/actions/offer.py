"""Every action by name, which of them the merchant enabled, and the buttons a lookup offers.

An action is offered only when it can succeed (gladly-lookup-adaptor.md §6.1): each operation's ``can``
mirrors the Magento check behind its call. The goodwill coupon is a profile action (§6.1 "actions on the
profile"): it is offered on the shopper, and its form is keyed by their latest order.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from bridge.actions.address import ChangeAddress
from bridge.actions.coupon import Coupon
from bridge.actions.operations import Cancel
from bridge.actions.operations import Comment
from bridge.actions.operations import Email
from bridge.actions.operations import Hold
from bridge.actions.operations import Operation
from bridge.actions.operations import Unhold
from bridge.actions.refund import Refund
from bridge.config import ACTION_NAMES
from bridge.lookup.model import Action
from bridge.lookup.service import LookupSettings
from bridge.magento.client import MagentoClient
from bridge.magento.store import catalog_for

OPERATIONS: dict[str, Operation] = {op.name: op for op in (Cancel(), Refund(), Comment(), Hold(), Unhold(), Email(),
                                                            Coupon(), ChangeAddress())}
# The module's capabilities that PUT /V1/gladly/orders/{id}/shipping-address and
# POST /V1/gladly/orders/{id}/goodwill-coupon exist.
ADDRESS_CAPABILITY = "order_address"
COUPON_CAPABILITY = "goodwill_coupon"


def enabled_actions(configured: Iterable[str], companion: dict | None) -> list[str]:
    """``BRIDGE_ACTIONS`` narrowed to the module's ``allowed_actions`` when the module answers.

    The two actions that need the module need it to answer with their endpoints (``capabilities``); coupons
    also need rules the merchant chose (``coupon_rules``).
    """
    allowed = set(configured)
    values = companion or {}
    if companion is not None and isinstance(values.get("allowed_actions"), list):
        allowed &= set(values["allowed_actions"])
    capabilities = values.get("capabilities") or []
    if COUPON_CAPABILITY not in capabilities or not (isinstance(values.get("coupon_rules"), list)
                                                     and values["coupon_rules"]):
        allowed.discard("coupon")
    if ADDRESS_CAPABILITY not in capabilities:
        allowed.discard("address")
    return [name for name in ACTION_NAMES if name in allowed]


def companion_settings(config, client: MagentoClient) -> dict | None:
    """The module's settings, read through the lookup's cached catalog."""
    # Same settings as the lookup view, so both share one cached catalog (and one config read).
    settings = LookupSettings.from_config(config, magento_url=client.base_url)
    return catalog_for(settings).companion_config(client, None)


def enabled_for(config, client: MagentoClient) -> list[str]:
    """``BRIDGE_ACTIONS`` ∩ the module's ``allowed_actions``."""
    return enabled_actions(config["ACTIONS"], companion_settings(config, client))


def form_url(prefix: str, action: str, order_id) -> str:
    """The relative ``formUrl`` of an action, under the path prefix Gladly is configured with (§6.1)."""
    return f"{prefix}/gladly/actions/{action}/form?orderId={order_id}"


def _once(enabled: Callable[[], list[str]]) -> Callable[[], list[str]]:
    """``enabled`` called on first use only: by then the lookup has the module's settings cached."""
    resolved: list[list[str]] = []

    def get() -> list[str]:
        if not resolved:
            resolved.append(enabled())
        return resolved[0]

    return get


def _buttons(prefix: str, names: Iterable[str], order: dict) -> list[Action]:
    return [Action(name=OPERATIONS[name].label, form_url=form_url(prefix, name, order.get("entity_id")))
            for name in names if OPERATIONS[name].can(order)]


def order_actions(prefix: str, enabled: Callable[[], list[str]]) -> Callable[[dict], list[Action]]:
    """The lookup's ``order_actions`` hook: the enabled order actions an order can take, as buttons."""
    names = _once(enabled)
    return lambda order: _buttons(prefix, [name for name in names() if not OPERATIONS[name].on_profile], order)


def profile_actions(prefix: str, enabled: Callable[[], list[str]]) -> Callable[[list[dict]], list[Action]]:
    """The lookup's ``profile_actions`` hook: the enabled profile actions, each keyed by the shopper's newest
    order that can take it (their orders come newest first: a canceled latest order leaves the one before); none
    for a shopper without such an order."""
    names = _once(enabled)

    def buttons(orders: list[dict]) -> list[Action]:
        keyed = [(name, next((order for order in orders if OPERATIONS[name].can(order)), None))
                 for name in names() if OPERATIONS[name].on_profile]
        return [button for name, order in keyed if order is not None for button in _buttons(prefix, [name], order)]

    return buttons


def lookup_action_hooks(config, client: MagentoClient) -> dict:
    """The ``order_actions`` and ``profile_actions`` hooks a detailed lookup passes to ``run_lookup``."""
    prefix, enabled = config["GLADLY_PATH_PREFIX"], lambda: enabled_for(config, client)
    return {"order_actions": order_actions(prefix, enabled), "profile_actions": profile_actions(prefix, enabled)}
