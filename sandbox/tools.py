"""Unauthenticated /sandbox/* helpers for tests and demos; not part of Magento's API."""

from flask import Blueprint
from flask import request

from .errors import MagentoError
from .rest import json_response
from .rest import render_order
from .rest import store

bp = Blueprint("sandbox_tools", __name__, url_prefix="/sandbox")


def _body():
    return request.get_json(silent=True) or {}


@bp.get("/stats")
def stats():
    """Return {"calls": N, "by_route": {"GET /V1/orders": n, ...}}."""
    return json_response(store().stats())


@bp.post("/reset-stats")
def reset_stats():
    """Forget the counted calls."""
    store().reset_stats()
    return json_response(store().stats())


@bp.post("/reset")
def reset():
    """Restore the dataset (integrations and tokens are kept)."""
    store().reset()
    return json_response({"reset": True, "dataset": store().dataset_name})


@bp.post("/config")
def config():
    """Set latency_ms, fault_rate, fault_mode, hang_seconds, verifier_ttl, bridge_url, setup_code, coupon_rule_ids,
    coupon_limit, coupon_period_days or queue fail_next."""
    try:
        return json_response(store().configure(_body()))
    except ValueError as error:
        raise MagentoError(400, str(error)) from None


@bp.post("/acl")
def acl():
    """Deny or grant resources: {"deny": [...], "grant": [...], "consumer_key": optional}."""
    body = _body()
    key = body.get("consumer_key")
    if key is not None and key not in store().registry.by_key:
        raise MagentoError(404, "Unknown consumer_key")
    store().deny(*body.get("deny", ()), consumer_key=key)
    store().grant(*body.get("grant", ()), consumer_key=key)
    return json_response({"denied": sorted(store().denied)})


@bp.get("/orders/<int:order_id>")
def order_state(order_id):
    """Return an order with its invoices, shipments and credit memos, as stored."""
    sandbox = store()
    with sandbox.lock:
        data = sandbox.data
        if order_id not in data.orders:
            raise MagentoError(404, "Unknown order")

        def related(documents):
            return [doc for doc in documents.values() if doc["order_id"] == order_id]

        return json_response({"order": render_order(data.orders[order_id]),
                              "invoices": related(data.invoices),
                              "shipments": related(data.shipments),
                              "creditmemos": related(data.creditmemos)})


@bp.post("/activate")
def activate():
    """Activate a new integration: {"endpoint_url", "identity_url"} -> {"consumer_key", "post_status"}."""
    body = _body()
    if not body.get("endpoint_url"):
        raise MagentoError(400, "endpoint_url is required")
    return json_response(store().activate(body["endpoint_url"], body.get("identity_url"),
                                          store().base_url or request.host_url))


@bp.post("/reauthorize")
def reauthorize():
    """Re-POST an integration's consumer with a new verifier: {"consumer_key": optional}."""
    sandbox = store()
    key = _body().get("consumer_key")
    known = [i for i in sandbox.registry.integrations.values() if i.endpoint_url]
    if (key and key not in {i.consumer_key for i in known}) or not known:
        raise MagentoError(404, "No activated integration to reauthorize")
    return json_response(sandbox.reauthorize(key, sandbox.base_url or request.host_url))
