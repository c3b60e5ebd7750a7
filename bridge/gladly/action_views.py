"""Gladly action views: ``GET formUrl`` and ``POST actionUrl`` (gladly-lookup-adaptor.md §6.2-§6.5).

Both are signed like lookups, the ``orderId`` and ``token`` query parameters included (§5.4).
"""
from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import request

from bridge.actions.offer import enabled_actions
from bridge.actions.offer import order_actions
from bridge.actions.offer import profile_actions
from bridge.actions.journal import Journal
from bridge.actions.service import OrderActions
from bridge.actions.service import Requester
from bridge.errors import ActionError
from bridge.gladly.auth import gladly_signed
from bridge.gladly.schemas import ActionFormSchema
from bridge.gladly.schemas import parse_body
from bridge.magento.store import StatusLabels
from bridge.magento.store import catalog_for
from bridge.lookup.service import LookupSettings
from bridge.magento.client import MagentoClient
from bridge.magento.registry import get_client
from bridge.storage import get_stores

bp = Blueprint("gladly_actions", __name__, url_prefix="/gladly/actions")

# Not a documented Gladly header (§5.2 [U]); recorded in the audit when a Gladly set-up sends it.
AGENT_HEADER = "Gladly-Agent-Id"


def _companion(config, client: MagentoClient) -> dict | None:
    """The module's settings, read through the lookup's cached catalog."""
    # Same settings as the lookup view, so both share one cached catalog (and one config read).
    settings = LookupSettings.from_config(config, magento_url=client.base_url)
    return catalog_for(settings).companion_config(client, None)


def enabled_for(config, client: MagentoClient) -> list[str]:
    """``BRIDGE_ACTIONS`` ∩ the module's ``allowed_actions``."""
    return enabled_actions(config["ACTIONS"], _companion(config, client))


def lookup_action_hooks(config, client: MagentoClient) -> dict:
    """The ``order_actions`` and ``profile_actions`` hooks a detailed lookup passes to ``run_lookup``."""
    prefix, enabled = config["GLADLY_PATH_PREFIX"], lambda: enabled_for(config, client)
    return {"order_actions": order_actions(prefix, enabled), "profile_actions": profile_actions(prefix, enabled)}


def _actions() -> OrderActions:
    config, client, stores = current_app.config, get_client(), get_stores()
    companion = _companion(config, client)
    return OrderActions(client, stores, enabled_actions(config["ACTIONS"], companion),
                        prefix=config["GLADLY_PATH_PREFIX"],
                        journal=Journal(stores.journal, lease=config["ACTION_LEASE"]),
                        statuses=StatusLabels.from_companion(companion))


@bp.get("/<action>/form")
@gladly_signed
def form(action: str):
    """The form of one action for one order, with a fresh token in its ``actionUrl`` (§6.3)."""
    return ActionFormSchema().dump(_actions().form(action, request.args.get("orderId", "")))


@bp.post("/<action>")
@gladly_signed
def submit(action: str):
    """Run a submitted form once: 200 with message and detail, 400 to fix or retry, 406 to give up (§6.5)."""
    payload = parse_body(request.get_data(), ActionError)
    if not isinstance(payload, dict):
        raise ActionError("The form values must be a JSON object.")
    requester = Requester(agent_id=request.headers.get(AGENT_HEADER),
                          correlation_id=request.headers.get("Gladly-Correlation-Id"))
    reply = _actions().submit(action, request.args.get("orderId", ""), request.args.get("token", ""), payload,
                              requester)
    return reply.body, reply.status
