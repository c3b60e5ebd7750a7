"""Gladly AI's surface: ``POST /gladly/ai/...``, called by the HTTP Request steps of Gladly's App Actions.

Off (404) unless ``BRIDGE_AI_TOKENS`` is set; each request carries ``Authorization: Bearer <token>`` (RFC 6750
§2.1), compared in constant time with every configured token. Refusals are 422 in the bridge's error shape
(``bridge/errors.py``) with a stable ``code``; ``Idempotency-Key`` makes a write's retries replay its first
answer (the refund's confirmation is its own key). The guardrails are in ``bridge/actions/ai.py``.
"""
from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import asdict

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import request

from bridge.actions.ai import AiLimits
from bridge.actions.ai import AiResult
from bridge.actions.ai import GladlyAi
from bridge.actions.offer import companion_settings
from bridge.actions.tokens import ConfirmationTokens
from bridge.errors import AiInvalidInput
from bridge.errors import InvalidBearerToken
from bridge.gladly import ai_requests as wire
from bridge.gladly.action_views import order_actions
from bridge.lookup.service import LookupSettings
from bridge.magento.registry import get_client
from bridge.magento.store import catalog_for
from bridge.metrics import AI_ACTIONS
from bridge.metrics import AI_REFUSALS

bp = Blueprint("gladly_ai", __name__, url_prefix="/gladly/ai")

IDEMPOTENCY_HEADER = "Idempotency-Key"
OUTCOMES = {200: "succeeded", 422: "refused", 401: "unauthorized"}
MAX_IDEMPOTENCY_KEY = 255


def check_bearer(header: str | None, tokens: list[str]) -> None:
    """Raise InvalidBearerToken (401) unless ``header`` is ``Bearer <one of tokens>``; every token is compared, in
    constant time, so timing tells neither whether nor which one matched."""
    scheme, _, given = (header or "").partition(" ")
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(given.strip().encode(), token.encode())
    if scheme.lower() != "bearer" or not matched:
        raise InvalidBearerToken()


def ai_authorized(view: Callable) -> Callable:
    """Run ``view`` only when the AI surface is on and the request carries one of its tokens."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        tokens = current_app.config["AI_TOKENS"]
        if not tokens:
            abort(404)
        check_bearer(request.headers.get("Authorization"), tokens)
        return view(*args, **kwargs)

    return wrapper


@bp.after_request
def _count(response: Response) -> Response:
    """Count the request by action (the view's name) and outcome, and each refusal by its code."""
    if current_app.config["AI_TOKENS"]:
        outcome = OUTCOMES.get(response.status_code, "failed")
        AI_ACTIONS.labels((request.endpoint or "").rpartition(".")[2] or "unknown", outcome).inc()
        if response.status_code == 422:
            for code in {error.get("code") for error in (response.get_json() or {}).get("errors", [])}:
                AI_REFUSALS.labels(code or "unknown").inc()
    return response


def _ai() -> GladlyAi:
    """Gladly AI on this request's store, its limits the stricter of the bridge's and the module's."""
    config, client = current_app.config, get_client()
    companion = companion_settings(config, client)
    limits = AiLimits.stricter(config, companion)
    stores, actions = order_actions(client, companion, [name for name in limits.actions if name != "lookup"])
    return GladlyAi(client, limits, actions, reservations=stores.reservations,
                    confirmations=ConfirmationTokens(config["GLADLY_SIGNING_KEY"]),
                    catalog=catalog_for(LookupSettings.from_config(config, magento_url=client.base_url)))


def _body(schema) -> dict:
    return wire.load_ai_request(schema, request.get_data())


def _idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise AiInvalidInput({IDEMPOTENCY_HEADER: f"Send 1 to {MAX_IDEMPOTENCY_KEY} characters."})
    return key


def _result(result: AiResult) -> dict:
    return wire.AiResultResponseSchema().dump({"result": {"status": result.status, "message": result.message,
                                                          "amount": result.facts.get("amount"),
                                                          "credit_memo": result.facts.get("creditMemo"),
                                                          "code": result.facts.get("code"),
                                                          "rule": result.facts.get("rule")}})


@bp.post("/orders/lookup")
@ai_authorized
def lookup():
    """``{orderNumber, customerEmail}`` → the order (Gladly AI's ORDER contract) and the actions it allows."""
    data = _body(wire.OrderRequestSchema())
    order, available = _ai().lookup(data["order_number"], data["customer_email"])
    return wire.AiLookupResponseSchema().dump({"order": order, "available_actions": available})


@bp.post("/orders/cancel")
@ai_authorized
def cancel():
    """``{orderNumber, customerEmail, reason}`` → ``{"result": {"status": "canceled", "message"}}``."""
    data = _body(wire.CancelRequestSchema())
    return _result(_ai().cancel(data["order_number"], data["customer_email"], data["reason"], _idempotency_key()))


@bp.post("/orders/refund/preview")
@ai_authorized
def refund_preview():
    """``{orderNumber, customerEmail, items?, refundShipping?}`` → the refund and its confirmation; no write."""
    data = _body(wire.RefundPreviewRequestSchema())
    preview = _ai().preview_refund(data["order_number"], data["customer_email"],
                                   wire.refund_lines(data.get("items")), data.get("refund_shipping"))
    return wire.RefundPreviewResponseSchema().dump({"refund": asdict(preview)})


@bp.post("/orders/refund")
@ai_authorized
def refund():
    """``{orderNumber, customerEmail, confirmationToken}`` → exactly the previewed refund, once."""
    data = _body(wire.RefundRequestSchema())
    return _result(_ai().refund(data["order_number"], data["customer_email"], data["confirmation_token"]))


@bp.post("/orders/shipping-address")
@ai_authorized
def shipping_address():
    """``{orderNumber, customerEmail, address}`` → the new address, before anything ships."""
    data = _body(wire.ShippingAddressRequestSchema())
    return _result(_ai().change_address(data["order_number"], data["customer_email"],
                                        wire.address_form(data["address"]), _idempotency_key()))


@bp.post("/customers/coupon")
@ai_authorized
def coupon():
    """``{customerEmail, reason}`` → one goodwill code from the rule the merchant chose for Gladly AI."""
    data = _body(wire.CouponRequestSchema())
    return _result(_ai().coupon(data["customer_email"], data["reason"], _idempotency_key()))
