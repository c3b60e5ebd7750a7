"""``/preview``: the customer card, orders and actions Gladly agents will see, for someone signed in as
``BRIDGE_PREVIEW_USER``, built by the same lookup code that answers Gladly.

Off unless ``BRIDGE_PREVIEW_USER``/``BRIDGE_PREVIEW_PASSWORD`` are set. Plain server-rendered HTML under a
strict Content-Security-Policy (no script at all, styles from this blueprint only); the search form is a
POST protected by a signed double-submit cookie, so another site cannot make a signed-in browser search.
Sign-in attempts are counted per client address in the database all workers and nodes share
(bridge/storage/throttle.py): past SIGN_IN_ATTEMPTS failures in a window, the address gets 429 until it ends.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import secrets

from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request

from bridge.actions.offer import lookup_action_hooks
from bridge.config import client_address
from bridge.errors import BridgeError
from bridge.errors import Unauthorized
from bridge.gladly.auth import check_basic
from bridge.lookup.model import Profile
from bridge.lookup.service import LookupSettings
from bridge.lookup.service import run_lookup
from bridge.magento.client import MagentoClient
from bridge.magento.registry import get_client
from bridge.preview.query import FIELDS
from bridge.preview.query import customer_query
from bridge.preview.query import search_query
from bridge.storage.throttle import SIGN_IN_ATTEMPTS
from bridge.storage.throttle import SignInThrottle

log = logging.getLogger(__name__)

bp = Blueprint("preview", __name__, url_prefix="/preview", template_folder="templates", static_folder="static")

REALM = "Gladly bridge preview"
CSRF_COOKIE = "bridge_preview_csrf"
CSRF_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
# No script, no inline style, nothing from elsewhere; links to Magento's admin are plain navigation.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'")
LOCKED = "Too many failed sign-ins from this address; try again later."
STALE_FORM = "This form is out of date or did not come from this page; nothing was searched. Search again."


@bp.before_request
def authenticate():
    """Only the preview user passes; everyone else gets 401 and the browser's sign-in prompt, and a client
    address with too many failed sign-ins gets 429 whatever it sends."""
    config = current_app.config
    if request.authorization is None:  # a browser's first request: nothing was tried, nothing is counted
        return _denied("HTTP Basic credentials are required.")
    # At most 64 characters in a log line: an IP address is shorter, anything longer is not one.
    address = (client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                              config["FORWARDED_ALLOW_IPS"]) or "unknown")[:64]
    key, throttle = throttle_key(address), current_app.extensions["preview_throttle"]
    # Counted before the check, so that concurrent guesses cannot all be checked before any is counted.
    attempts = throttle.take(key)
    if attempts > SIGN_IN_ATTEMPTS:
        wait = throttle.retry_after(key)
        if attempts == SIGN_IN_ATTEMPTS + 1:
            log.warning("preview sign-in locked for %s: %d failed attempts; refused for %d s", address,
                        attempts - 1, wait)
        response = make_response(render_template("preview/denied.html", reason=LOCKED), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        check_basic(request, config["PREVIEW_USER"], config["PREVIEW_PASSWORD"])
    except Unauthorized as error:
        log.warning("preview sign-in failed from %s (%d of %d)", address, attempts, SIGN_IN_ATTEMPTS)
        return _denied(error.detail)
    throttle.give_back(key)
    return None


def _denied(reason: str):
    response = make_response(render_template("preview/denied.html", reason=reason), 401)
    response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def throttle_key(address: str) -> str:
    """The unit the sign-in throttle counts for a client address: an IPv4 address, the /64 of an IPv6 one (one
    subscriber's usual allocation, RFC 6177 §2), or ``unknown`` for anything else."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


@bp.after_request
def secure_headers(response):
    """The strict CSP (no caching and no sniffing are on every answer of the bridge: bridge/ops/web.py)."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def csrf_token(nonce: str) -> str:
    """The form token for a cookie nonce: an HMAC only this bridge can compute (any worker, any node)."""
    config = current_app.config
    key = hmac.new(config["GLADLY_SIGNING_KEY"].encode(), b"preview-csrf\0" + config["PREVIEW_PASSWORD"].encode(),
                   hashlib.sha256).digest()
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def _csrf_valid() -> bool:
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not CSRF_NONCE.fullmatch(nonce):
        return False
    return hmac.compare_digest(request.form.get("csrf", "").encode(), csrf_token(nonce).encode())


def _page(status: int = 200, **context):
    """The page with a fresh form; keeps the browser's nonce so that several open tabs keep working."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not CSRF_NONCE.fullmatch(nonce):
        nonce = secrets.token_urlsafe(32)
    context.setdefault("field", "any")
    response = make_response(render_template("preview/page.html", csrf=csrf_token(nonce), fields=FIELDS,
                                             **context), status)
    response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="Strict", secure=request.is_secure,
                        path=bp.url_prefix)
    return response


def _detailed(external_id: str, client: MagentoClient, settings: LookupSettings) -> Profile | None:
    """The detailed profile Gladly would get for ``external_id``, order actions included."""
    profiles = run_lookup(customer_query(external_id), client, settings,
                          **lookup_action_hooks(current_app.config, client))
    return profiles[0] if len(profiles) == 1 else None


@bp.get("")
def page():
    """The empty search form."""
    return _page()


@bp.post("")
def search():
    """Search like an agent, then show the one match's details, or the candidates to choose from."""
    text, field = request.form.get("q", ""), request.form.get("field", "any")
    customer = request.form.get("customer", "").strip()
    if not _csrf_valid():
        return _page(400, error=STALE_FORM, q=text, field=field)
    try:
        client = get_client()
        settings = LookupSettings.from_config(current_app.config, magento_url=client.base_url)
        if customer:
            candidates, profile = [], _detailed(customer, client, settings)
        else:
            candidates = run_lookup(search_query(text, field), client, settings)
            profile = _detailed(candidates[0].external_customer_id, client, settings) if len(candidates) == 1 \
                else None
    except ValueError as error:
        return _page(400, error=str(error), q=text, field=field)
    except BridgeError as error:  # not connected, Magento down or refusing: say so on the page
        return _page(error.status_code, error=error.detail, q=text, field=field)
    return _page(q=text, field=field, searched=True, candidates=candidates, profile=profile,
                 store=client.base_url)


def init_app(app: Flask) -> None:
    """Register the preview only when its credentials are configured."""
    if app.config["PREVIEW_USER"]:
        app.extensions["preview_throttle"] = SignInThrottle(app.extensions["storage"].database)
        app.register_blueprint(bp)
