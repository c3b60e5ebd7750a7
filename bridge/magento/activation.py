"""Integration activation: Magento's credentials POST, the token exchange, and who may activate.

Magento POSTs four credentials to the callback (magento-rest.md §1.2–1.5); the bridge stores them as a pending
activation, answers at once and exchanges them for an access token in the background. The store must be pinned
(``BRIDGE_MAGENTO_URL``) or prove it publishes the one-time setup code: the trust model is in docs/activation.md.
"""
from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import requests

from bridge.errors import BridgeError
from bridge.errors import InvalidRequest
from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoUnauthorized
from bridge.magento import oauth
from bridge.magento.client import Credentials
from bridge.magento.client import MagentoClient
from bridge.metrics import ACTIVATIONS
from bridge.storage.activations import Activation
from bridge.storage.activations import ActivationLimit
from bridge.storage.activations import ActivationStore
from bridge.storage.connection import ConnectionStore
from bridge.storage.secrets import hash_setup_code

log = logging.getLogger(__name__)

# FWOAUTH/Helper/Oauth.php: consumer key and secret, tokens and the verifier are 32 [0-9a-z] (§1.4).
CREDENTIAL = re.compile(r"[0-9a-z]{32}")
SETUP_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U: read aloud and typed by hand
FINISHED = ("succeeded", "failed")
CONFIG_PATH = "/V1/gladly/config"  # the companion module's settings, setup_code included
UNCONFIRMED = ("The store did not confirm the bridge's setup code. Save the code the bridge printed in "
               "Stores › Configuration › Gladly › Setup Code, then click Reauthorize in System › Extensions › "
               "Integrations.")


class ActivationRejected(BridgeError):
    status_code = 403
    code = "activation_rejected"
    description = "This activation is not accepted by the bridge."


class ActivationThrottled(BridgeError):
    status_code = 429
    code = "activation_throttled"
    description = "Too many activation attempts; try again later."


class ActivationReplayed(BridgeError):
    status_code = 409
    code = "activation_replayed"
    description = "This verifier was already used; click Reauthorize in Magento to activate again."


def normalise_store_url(url: str) -> str:
    """``url`` with lower-case scheme and host, no default port, and a path ending in ``/``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != {"http": 80, "https": 443}.get(scheme):
        host = f"{host}:{parts.port}"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((scheme, host, path, "", ""))


def new_setup_code() -> str:
    """A random setup code like ``K7QM-3XRD`` (about 39 bits)."""
    chars = "".join(secrets.choice(SETUP_CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class ActivationPost:
    """Magento's activation POST (§1.2), validated."""

    consumer_key: str
    consumer_secret: str
    store_base_url: str
    verifier: str
    setup_code: str | None = None

    @classmethod
    def from_form(cls, form) -> ActivationPost:
        """Read and validate the form fields; raises InvalidRequest naming the bad field."""
        values = {name: (form.get(name) or "").strip() for name in
                  ("oauth_consumer_key", "oauth_consumer_secret", "store_base_url", "oauth_verifier")}
        for name, value in values.items():
            if not value:
                raise InvalidRequest(f"{name} is required.", attr=name)
        for name in ("oauth_consumer_key", "oauth_consumer_secret", "oauth_verifier"):
            if not CREDENTIAL.fullmatch(values[name]):
                raise InvalidRequest(f"{name} must be 32 characters [0-9a-z].", attr=name)
        try:
            url = urlsplit(values["store_base_url"])
            port_ok = url.port != 0
        except ValueError:  # an unclosed "[" in the host, a port that is not a number 1-65535
            url, port_ok = urlsplit(""), False
        if not port_ok or url.scheme not in ("http", "https") or not url.hostname or not url.path.endswith("/") \
                or url.query or url.fragment:
            raise InvalidRequest("store_base_url must be an http(s) URL ending in '/'.", attr="store_base_url")
        return cls(consumer_key=values["oauth_consumer_key"], consumer_secret=values["oauth_consumer_secret"],
                   store_base_url=values["store_base_url"], verifier=values["oauth_verifier"],
                   setup_code=(form.get("gladly_setup_code") or "").strip() or None)


@dataclass(frozen=True)
class Received:
    """What became of a POST: its attempt and whether an exchange may start now."""

    attempt: int
    ready: bool  # a new attempt: start the exchange


class ActivationService:
    """Accepts activation POSTs and runs token exchanges; no Flask, so it runs in any thread."""

    def __init__(self, activations: ActivationStore, connection: ConnectionStore, *, magento_url: str | None,
                 timeout: tuple[float, float], store_code: str = "default",
                 on_connected: Callable[[], None] = lambda: None, per_store_limit: int = 6, max_pending: int = 10):
        self.activations = activations
        self.connection = connection
        self.per_store_limit = per_store_limit
        self.max_pending = max_pending
        self.magento_url = normalise_store_url(magento_url) if magento_url else None
        self.timeout = timeout
        self.store_code = store_code
        self.on_connected = on_connected

    # -- who may activate ---------------------------------------------------------------------

    def _is_reauthorize(self, consumer_key: str, store_base_url: str) -> bool:
        stored = self.connection.get()
        return bool(stored and stored.consumer_key == consumer_key
                    and normalise_store_url(stored.store_base_url) == normalise_store_url(store_base_url))

    def receive(self, post: ActivationPost) -> Received:
        """Record a POST after checking the store binding or a posted setup code; raises for forged or replayed ones."""
        code_hash = None
        if self.magento_url:
            if normalise_store_url(post.store_base_url) != self.magento_url:
                raise ActivationRejected(f"store_base_url {post.store_base_url} is not the store this bridge serves "
                                         "(BRIDGE_MAGENTO_URL).", attr="store_base_url")
        elif post.setup_code:
            code_hash = hash_setup_code(post.setup_code)
            if not self.activations.setup_code_valid(code_hash):
                raise ActivationRejected("The setup code is wrong or was already used.", attr="gladly_setup_code")
        existing = self.activations.get(post.consumer_key)
        if existing and hmac.compare_digest(existing.verifier, post.verifier):
            if existing.status in FINISHED:
                raise ActivationReplayed()
            # The same POST again while its exchange is pending: nothing new to do.
            return Received(existing.attempt, ready=False)
        try:
            attempt = self.activations.save(
                consumer_key=post.consumer_key, store_base_url=post.store_base_url,
                consumer_secret=post.consumer_secret, verifier=post.verifier, setup_code_hash=code_hash,
                store_key=normalise_store_url(post.store_base_url), per_store_limit=self.per_store_limit,
                max_pending=self.max_pending)
        except ActivationLimit as limit:
            log.warning("activation POST for %s refused: %s", post.store_base_url, limit)
            raise ActivationThrottled(f"{limit} Try again in {limit.retry_after} s.") from None
        log.info("activation POST for %s (attempt %d)", post.store_base_url, attempt)
        return Received(attempt, ready=True)

    def _confirmed_setup_code(self, store: str, credentials: Credentials) -> str:
        """The hash of the setup code the store publishes in the module's settings, if it is a current unused
        code; raises ActivationRejected (with the cause) otherwise."""
        connect_timeout, read_timeout = self.timeout
        client = MagentoClient(store, credentials, store_code=self.store_code, connect_timeout=connect_timeout,
                               read_timeout=read_timeout, retries=1, pool_size=1)
        try:
            settings = client.get(CONFIG_PATH)
        except MagentoNotFound:
            raise ActivationRejected(f"{UNCONFIRMED} (The store has no Gladly module: GET {CONFIG_PATH} answered "
                                     "HTTP 404.)") from None
        except MagentoUnauthorized:
            raise ActivationRejected(f"{UNCONFIRMED} (The Gladly integration may not read the module's settings: "
                                     "grant it the Gladly_Connector::config resource.)") from None
        except MagentoError as error:
            raise ActivationRejected(f"{UNCONFIRMED} ({error.detail})") from None
        finally:
            client.close()
        code = settings.get("setup_code") if isinstance(settings, dict) else None
        if not isinstance(code, str) or not code.strip():
            raise ActivationRejected(f"{UNCONFIRMED} (The store's Setup Code is empty.)")
        code_hash = hash_setup_code(code)
        if not self.activations.setup_code_valid(code_hash):
            raise ActivationRejected(f"{UNCONFIRMED} (The store's Setup Code is wrong, was replaced, or was "
                                     "already used.)")
        return code_hash

    # -- the token exchange -------------------------------------------------------------------

    def exchange(self, consumer_key: str, attempt: int) -> None:
        """Run the token exchange for one attempt if no other worker took it; save it once the store is trusted."""
        item = self.activations.get(consumer_key)
        if item is None or item.attempt != attempt or not self.activations.claim(consumer_key, attempt):
            return
        store = self.magento_url or item.store_base_url
        code_hash = item.setup_code_hash
        try:
            with requests.Session() as session:
                token, token_secret = oauth.request_token(session, store, consumer_key, item.consumer_secret,
                                                          timeout=self.timeout)
                access, access_secret = oauth.access_token(session, store, consumer_key, item.consumer_secret,
                                                           token, token_secret, item.verifier, timeout=self.timeout)
            if not self.magento_url and not code_hash and not self._is_reauthorize(consumer_key, store):
                code_hash = self._confirmed_setup_code(store, Credentials(consumer_key, item.consumer_secret,
                                                                          access, access_secret))
        except BridgeError as error:  # oauth_problem, unreachable store, plain-http store, unconfirmed code
            log.warning("activation with %s failed: %s", store, error.detail)
            self._close(consumer_key, attempt, "failed", error.detail)
            return
        if code_hash and not self.activations.use_setup_code(code_hash):
            self._close(consumer_key, attempt, "failed", "The setup code was used by another "
                                           "activation meanwhile: run `bridge magento setup-code` for a new one.")
            return
        self.connection.save(store_base_url=store, consumer_key=consumer_key, consumer_secret=item.consumer_secret,
                             access_token=access, access_token_secret=access_secret, source="activation")
        self._close(consumer_key, attempt, "succeeded")
        log.info("Magento store %s connected by activation", store)
        self.on_connected()

    def _close(self, consumer_key: str, attempt: int, status: str, error: str | None = None) -> None:
        """Record how an exchange ended, in storage and in the metrics."""
        self.activations.finish(consumer_key, attempt, status, error)
        ACTIVATIONS.labels("exchange", status).inc()

    def exchange_in_background(self, consumer_key: str, attempt: int) -> None:
        """Thread target: like :meth:`exchange`, but an unexpected error still closes the attempt."""
        try:
            self.exchange(consumer_key, attempt)
        except Exception:  # a thread has no error handler; without this the row would stay "exchanging"
            log.exception("token exchange crashed")
            self._close(consumer_key, attempt, "failed", "The bridge failed during the token "
                                           "exchange; see its log, then click Reauthorize in Magento.")

    def finish(self, consumer_key: str, wait: float) -> Activation | None:
        """Exchange now if still pending, else wait up to ``wait`` seconds for another worker to finish."""
        item = self.activations.get(consumer_key)
        if item and item.status == "pending":
            self.exchange(consumer_key, item.attempt)
        deadline = time.monotonic() + wait
        while True:
            item = self.activations.get(consumer_key)
            if item is None or item.status != "exchanging" or time.monotonic() >= deadline:
                return item
            time.sleep(0.2)

    # -- setup codes --------------------------------------------------------------------------

    def issue_setup_code(self, *, replace: bool = False) -> str | None:
        """A new setup code (stored hashed), or None when it is not needed or one is already out."""
        if self.magento_url:
            return None
        code = new_setup_code()
        return code if self.activations.add_setup_code(code, replace=replace) else None
