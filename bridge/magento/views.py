"""Magento's side of activation: the credentials callback and the identity pop-up (magento-rest.md §1.2, §1.3)."""
from __future__ import annotations

import logging
import threading

from ada_url import URL
from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import render_template
from flask import request

from bridge.magento.activation import ActivationPost
from bridge.magento.activation import ActivationService
from bridge.magento.routes import merchant_words
from bridge.storage.database import STORAGE_FAILURES

log = logging.getLogger(__name__)

bp = Blueprint("magento", __name__, url_prefix="/magento/oauth", template_folder="templates")

POPUP_WAIT = 10.0  # seconds the pop-up waits for an exchange another worker is running


def activation_service(app: Flask | None = None) -> ActivationService:
    """The activation service for the current (or given) app."""
    app = app or current_app
    registry, stores = app.extensions["magento"], app.extensions["storage"]
    return ActivationService(stores.activations, stores.connection, magento_url=app.config["MAGENTO_URL"],
                             timeout=(app.config["MAGENTO_CONNECT_TIMEOUT"], app.config["MAGENTO_READ_TIMEOUT"]),
                             store_code=app.config["MAGENTO_STORE_CODE"], on_connected=registry.invalidate,
                             per_store_limit=app.config["ACTIVATION_RATE"],
                             max_pending=app.config["ACTIVATION_MAX_PENDING"])


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


def browser_origin(url: str | None) -> tuple[str, str] | None:
    """(origin, href) of an absolute http(s) URL without userinfo, parsed as browsers parse it; else None.

    WHATWG URL parsing (ada): tabs and newlines are dropped, ``\\`` is ``/`` in http(s), the host is
    percent-decoded, IDNA-mapped and lower-cased, numeric IPv4 forms are normalised and default ports
    dropped. Python's urlsplit does none of this, which let ``http://evil.example\\@127.0.0.1/`` pass as
    127.0.0.1 while a browser goes to evil.example.
    """
    if not url:
        return None
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if parsed.protocol not in ("http:", "https:") or parsed.username or parsed.password:
        return None
    return parsed.origin, parsed.href


def safe_callback_url(url: str | None, *trusted_urls: str | None) -> str | None:
    """``success_call_back`` serialised as a browser would load it, when its origin (scheme, host and port) is
    exactly that of one of ``trusted_urls``; else None."""
    target = browser_origin(url)
    trusted = {found[0] for found in map(browser_origin, trusted_urls) if found}
    return target[1] if target and target[0] in trusted else None


@bp.get("/identity")
def identity():
    """The pop-up: finish the exchange if it is still pending and show the outcome."""
    consumer_key = request.args.get("oauth_consumer_key", "")
    service = activation_service()
    item = service.finish(consumer_key, POPUP_WAIT) if consumer_key else None
    if item is None:
        return render_template("magento/identity.html", item=None, grants=merchant_words()), 404
    redirect_to = None
    if item.status == "succeeded":
        # Magento's admin may live on its own host; BRIDGE_MAGENTO_ADMIN_URL names it.
        redirect_to = safe_callback_url(request.args.get("success_call_back"), item.store_base_url,
                                        current_app.config["MAGENTO_ADMIN_URL"])
    return render_template("magento/identity.html", item=item, grants=merchant_words(), redirect_to=redirect_to)


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
