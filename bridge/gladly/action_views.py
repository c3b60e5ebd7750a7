"""Gladly action views: ``GET formUrl`` and ``POST actionUrl`` (gladly-lookup-adaptor.md §6.2-§6.5).

Both are signed like lookups, the ``orderId`` and ``token`` query parameters included (§5.4).
"""
from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import request

from bridge.actions.journal import Journal
from bridge.actions.model import Cap
from bridge.actions.offer import companion_settings
from bridge.actions.offer import enabled_actions
from bridge.actions.operations import Requester
from bridge.actions.runner import OrderActions
from bridge.actions.tokens import FormTokens
from bridge.errors import ActionError
from bridge.gladly.auth import gladly_signed
from bridge.gladly.requests import parse_body
from bridge.gladly.responses import ActionFormSchema
from bridge.magento.client import MagentoClient
from bridge.magento.registry import get_client
from bridge.magento.store import StatusLabels
from bridge.storage import Stores
from bridge.storage import get_stores

bp = Blueprint("gladly_actions", __name__, url_prefix="/gladly/actions")

# Not a documented Gladly header (§5.2 [U]); recorded in the audit when a Gladly set-up sends it.
AGENT_HEADER = "Gladly-Agent-Id"


def order_actions(client: MagentoClient, companion: dict | None, enabled: list[str]) -> tuple[Stores, OrderActions]:
    """The stores and the runner of ``enabled`` actions on ``client``'s store, status labels from the module's
    settings."""
    config, stores = current_app.config, get_stores()
    return stores, OrderActions(client, enabled, audit=stores.audit,
                                journal=Journal(stores.journal, lease=config["ACTION_LEASE"]),
                                tokens=FormTokens(config["GLADLY_SIGNING_KEY"]), prefix=config["GLADLY_PATH_PREFIX"],
                                statuses=StatusLabels.from_companion(companion),
                                caps={"coupon": Cap(config["COUPON_LIMIT"], config["COUPON_PERIOD_DAYS"])})


def _actions() -> OrderActions:
    """The runner for this request's store, its enabled actions and status labels from the module's settings."""
    config, client = current_app.config, get_client()
    companion = companion_settings(config, client)
    return order_actions(client, companion, enabled_actions(config["ACTIONS"], companion))[1]


@bp.get("/<action>/form")
@gladly_signed
def form(action: str):
    """The form of one action for one order, with a fresh signed token in its ``actionUrl`` (§6.3)."""
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
