"""Magento's side of activation: the credentials callback and the identity pop-up (magento-rest.md §1.2, §1.3)."""
from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import render_template
from flask import request

from bridge.magento.activation import ActivationPost
from bridge.magento.activation import ActivationService
from bridge.storage import STORAGE_FAILURES

log = logging.getLogger(__name__)

bp = Blueprint("magento", __name__, url_prefix="/magento/oauth", template_folder="templates")

# What the integration's ACL resources let the bridge do (magento-module/etc/integration.xml, §16).
CAPABILITIES = {
    "read": ["customers", "orders", "shipments", "invoices", "credit memos", "products", "store configuration"],
    "change": ["cancel orders", "refund orders (credit memos)", "add order comments", "hold and unhold orders",
               "resend order emails"],
}
POPUP_WAIT = 10.0  # seconds the pop-up waits for an exchange another worker is running


def activation_service(app: Flask | None = None) -> ActivationService:
    """The activation service for the current (or given) app."""
    app = app or current_app
    registry = app.extensions["magento"]
    return ActivationService(app.extensions["storage"], magento_url=app.config["MAGENTO_URL"],
                             timeout=(app.config["MAGENTO_CONNECT_TIMEOUT"], app.config["MAGENTO_READ_TIMEOUT"]),
                             store_code=app.config["MAGENTO_STORE_CODE"], on_connected=registry.invalidate)


@bp.post("/callback")
def callback():
    """Magento's activation POST: record it, answer at once (5 s limit, no redirects), exchange in the background."""
    post = ActivationPost.from_form(request.form)
    service = activation_service()
    received = service.receive(post)
    if received.ready:
        # Within 300 s of this POST Magento still accepts the request-token call (§1.2): start now.
        threading.Thread(target=service.exchange_in_background, args=(post.consumer_key, received.attempt),
                         name="magento-token-exchange", daemon=True).start()
    return {"status": "accepted"}


def safe_callback_url(url: str | None, store_base_url: str) -> str | None:
    """``success_call_back`` when it is an http(s) URL on the activating store's host, else None."""
    if not url:
        return None
    try:
        target = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL": not a URL a browser could go to
        return None
    if target.scheme not in ("http", "https") or not target.hostname:
        return None
    return url if target.hostname.lower() == (urlsplit(store_base_url).hostname or "").lower() else None


@bp.get("/identity")
def identity():
    """The pop-up: finish the exchange if it is still pending and show the outcome."""
    consumer_key = request.args.get("oauth_consumer_key", "")
    service = activation_service()
    item = service.finish(consumer_key, POPUP_WAIT) if consumer_key else None
    if item is None:
        return render_template("magento/identity.html", item=None, capabilities=CAPABILITIES), 404
    redirect_to = None
    if item.status == "succeeded":
        redirect_to = safe_callback_url(request.args.get("success_call_back"), item.store_base_url)
    return render_template("magento/identity.html", item=item, capabilities=CAPABILITIES, redirect_to=redirect_to)


def init_app(app: Flask) -> None:
    """Register the blueprint and, while no store can be connected without one, print a setup code."""
    app.register_blueprint(bp)
    try:
        code = activation_service(app).issue_setup_code()
    except STORAGE_FAILURES:  # storage.init_app already said the database is down; lookups need no code
        return
    if code:
        # masked: no shopper data here, and a code of digits only must not be taken for a phone number.
        log.warning("Setup code for the Magento module: %s (save it in Stores > Configuration > Gladly > "
                    "Setup Code, then activate the Gladly integration)", code, extra={"masked": True})
