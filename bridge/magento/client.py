"""The signed Magento REST client: one keep-alive session per store, timeouts, GET retries, a deadline.

Every reply goes through :func:`interpret`, which substitutes Magento's placeholders and raises typed
errors (magento-rest.md §14).
"""
from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from concurrent.futures import FIRST_EXCEPTION
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import orjson
import requests

from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoRejected
from bridge.errors import MagentoTimeout
from bridge.errors import MagentoUnauthorized
from bridge.errors import MagentoUnavailable
from bridge.magento.breaker import CircuitBreaker
from bridge.magento.oauth import Signer
from bridge.magento.oauth import require_secure_transport
from bridge.magento.search import SearchCriteria
from bridge.magento.search import encode_query
from bridge.magento.transport import ACCEPT_ENCODING
from bridge.magento.transport import MagentoTransport
from bridge.metrics import observe_magento_call

log = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({502, 503, 504})
BACKOFF = 0.1  # seconds before the first retry, doubled for each further one
# The bridge's own REST paths (/V1/orders/12/cancel, /V1/gladly/config): nothing to encode.
_SAFE_PATH = re.compile(r"/[A-Za-z0-9/_.\-]*")


@dataclass(frozen=True)
class Credentials:
    """The four values of an active Magento integration."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)


class Deadline:
    """A time budget shared by the Magento calls of one Gladly request."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        """Seconds left; raises MagentoTimeout once the budget is spent."""
        left = self._end - self._clock()
        if left <= 0:
            raise MagentoTimeout("The time allowed for Magento calls ran out.")
        return left

    def allows(self, seconds: float) -> bool:
        """Whether more than ``seconds`` are left."""
        return self._end - self._clock() > seconds


class MagentoClient:
    """Calls one store's REST API, signed with its integration's OAuth 1.0a tokens."""

    def __init__(self, base_url: str, credentials: Credentials, *, store_code: str = "default",
                 connect_timeout: float = 1.0, read_timeout: float = 3.5, retries: int = 2, pool_size: int = 64,
                 breaker: CircuitBreaker | None = None,
                 on_response: Callable[[requests.Response], None] | None = None):
        base_url = base_url.rstrip("/") + "/"
        require_secure_transport(base_url)
        self.base_url = base_url
        self.breaker = breaker or CircuitBreaker(base_url)
        self.api_url = f"{base_url}rest/{store_code}"
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = retries
        self.on_response = on_response  # told of every reply (the registry records the store's health)
        self.signer = Signer(credentials.consumer_key, credentials.consumer_secret, credentials.access_token,
                             credentials.access_token_secret)
        # One store host, so one adapter and its keep-alive pool (transport.py: requests' adapter over lean
        # HTTP/1.1 connections), used without a requests.Session: a session's per-call preparation (URL
        # re-quoting, cookies, hooks, environment merging) cost more CPU than the call itself, and the bridge
        # needs none of it. Retries are done here, not by urllib3, so each attempt is re-signed with a new
        # nonce (Magento records every nonce, even of failed calls: §2.3).
        # Proxy and CA-bundle settings come from the environment, read once: they cannot change while the
        # bridge runs.
        self.proxies = requests.utils.get_environ_proxies(base_url)
        self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.adapter = MagentoTransport(base_url, pool_size=pool_size, verify=self.verify)
        # Magento's own test client notes it errors out without the Accept header (§3.1).
        self._headers = {**requests.utils.default_headers(), "Accept": "application/json",
                         "Accept-Encoding": ACCEPT_ENCODING}
        self._worker = threading.local()
        self._executor = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="magento",
                                            initializer=self._mark_worker)
        self._calls = 0
        self._calls_lock = threading.Lock()

    @classmethod
    def from_config(cls, base_url: str, credentials: Credentials, config, *,
                    on_response: Callable[[requests.Response], None] | None = None) -> MagentoClient:
        """A client sized by the ``BRIDGE_MAGENTO_*`` settings."""
        return cls(base_url, credentials, store_code=config["MAGENTO_STORE_CODE"],
                   connect_timeout=config["MAGENTO_CONNECT_TIMEOUT"], read_timeout=config["MAGENTO_READ_TIMEOUT"],
                   retries=config["MAGENTO_RETRIES"], pool_size=config["MAGENTO_POOL_SIZE"],
                   breaker=CircuitBreaker(base_url, threshold=config["BREAKER_FAILURES"],
                                          cooldown=config["BREAKER_COOLDOWN"]),
                   on_response=on_response)

    @property
    def calls(self) -> int:
        """HTTP attempts made so far, retries included."""
        return self._calls

    def get(self, path: str, params: SearchCriteria | Iterable[tuple[str, Any]] | None = None, *,
            deadline: Deadline | None = None) -> Any:
        """GET ``/rest/<store>{path}`` and return the parsed JSON; retried on transient failures."""
        if isinstance(params, SearchCriteria):
            params = params.params()
        return self._request("GET", path, encode_query(params or ()), None, deadline)

    def post(self, path: str, payload: Any = None, *, deadline: Deadline | None = None) -> Any:
        """POST a JSON payload and return the parsed JSON; never retried (a refund must not run twice)."""
        return self._request("POST", path, "", payload, deadline)

    def put(self, path: str, payload: Any = None, *, deadline: Deadline | None = None) -> Any:
        """PUT a JSON payload and return the parsed JSON; never retried, like every write."""
        return self._request("PUT", path, "", payload, deadline)

    def parallel(self, *thunks: Callable[[], Any]) -> list:
        """Run zero-argument callables concurrently; their results in order, or the first error raised.

        The first runs on the calling thread (which would otherwise only wait), the rest on the pool; so a
        first thunk may itself call ``parallel`` and still fan out.
        """
        if not thunks:
            return []
        if getattr(self._worker, "active", False):
            # Already on a pool thread: waiting there for the pool could deadlock it.
            return [thunk() for thunk in thunks]
        first, *rest = thunks
        # A copied context carries the Flask request context (and so the correlation id in log lines).
        futures = [self._executor.submit(contextvars.copy_context().run, thunk) for thunk in rest]
        try:
            results = [first()]
        except BaseException:
            wait(futures)  # the others are under way already; let them end before the caller moves on
            raise
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in futures:
            if future in done and future.exception() is not None:
                raise future.exception()
        return results + [future.result() for future in futures]

    def close(self) -> None:
        """Release the connection pool and the worker threads."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.adapter.close()

    def _mark_worker(self) -> None:
        self._worker.active = True

    def _request(self, method: str, path: str, query: str, payload: Any, deadline: Deadline | None) -> Any:
        """One call; only GETs are retried, on transport failures and gateway errors (style.md)."""
        if not _SAFE_PATH.fullmatch(path):
            raise ValueError(f"Magento paths start with '/' and need no encoding, got {path!r}.")
        attempts = 1 + (self.retries if method == "GET" else 0)
        for attempt in range(attempts):
            try:
                response = self._send(method, path, query, payload, deadline)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if not self._may_retry(attempt, attempts, deadline, path, exc.__class__.__name__):
                    raise _transport_error(exc, method, path) from exc
                continue
            except requests.RequestException as exc:
                raise _transport_error(exc, method, path) from exc
            transient = response.status_code in TRANSIENT_STATUSES
            if transient and self._may_retry(attempt, attempts, deadline, path, f"HTTP {response.status_code}"):
                continue
            try:
                return interpret(response, path)
            except MagentoUnavailable as error:
                # A gateway may give up after Magento applied the write.
                error.outcome_unknown = transient and method != "GET"
                raise

    def _send(self, method: str, path: str, query: str, payload: Any, deadline: Deadline | None) -> requests.Response:
        timeout = (self.connect_timeout, self.read_timeout)
        if deadline is not None:
            left = deadline.remaining()
            timeout = (min(self.connect_timeout, left), min(self.read_timeout, left))
        request = self._prepare(method, path, query, payload)
        self.breaker.before_call()  # raises at once while the store is failing: a write is never sent then
        with self._calls_lock:
            self._calls += 1
        started = time.monotonic()
        answered = False
        try:
            # Redirects are never followed (the adapter does not): the same nonce and signature would go
            # elsewhere. The body is read here, within the timeout and the error handling.
            response = self.adapter.send(request, timeout=timeout, verify=self.verify, proxies=self.proxies)
            response.content  # noqa: B018 - reads the body
            answered = response.status_code < 500
        except requests.RequestException as exc:
            elapsed = time.monotonic() - started
            observe_magento_call(method, path, exc.__class__.__name__, elapsed)
            log.debug("magento %s %s -> %s after %.0f ms", method, path, exc.__class__.__name__, elapsed * 1000)
            raise
        finally:
            self.breaker.record(answered)
        elapsed = time.monotonic() - started
        observe_magento_call(method, path, response.status_code, elapsed)
        log.debug("magento %s %s -> %s in %.0f ms", method, path, response.status_code, elapsed * 1000)
        if self.on_response is not None:
            self.on_response(response)
        return response

    def _prepare(self, method: str, path: str, query: str, payload: Any) -> requests.PreparedRequest:
        """The signed request, built directly: the path is the bridge's own and the query already encoded."""
        url = self.api_url + path
        headers = requests.structures.CaseInsensitiveDict(self._headers)
        headers["Authorization"] = self.signer.authorization(method, url, query)
        request = requests.PreparedRequest()
        request.prepare_method(method)
        request.url = f"{url}?{query}" if query else url
        request.headers = headers
        request.body = None
        if payload is not None:
            # As requests encodes ``json=``: no NaN, which Magento's JSON decoder refuses.
            request.body = json.dumps(payload, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        if method != "GET":
            headers["Content-Length"] = str(len(request.body or b""))
        request.prepare_hooks({})
        return request

    def _may_retry(self, attempt: int, attempts: int, deadline: Deadline | None, path: str, failure: str) -> bool:
        """Sleep before another attempt if one is left and the deadline leaves time after the pause."""
        delay = BACKOFF * 2 ** attempt
        if attempt + 1 >= attempts or (deadline is not None and not deadline.allows(delay)):
            return False
        log.info("magento GET %s failed (%s); retrying in %.0f ms", path, failure, delay * 1000)
        time.sleep(delay)
        return True


def _transport_error(exc: requests.RequestException, method: str, path: str) -> MagentoUnavailable:
    """The bridge error for a call that got no HTTP reply."""
    if isinstance(exc, requests.Timeout):
        error = MagentoTimeout(f"Magento did not answer {method} {path} in time.", path=path)
    else:
        error = MagentoUnavailable(f"Magento could not be reached for {method} {path} ({exc.__class__.__name__}).",
                                   path=path)
    # Only a failed connect proves a write never left; anything later may have been applied.
    error.outcome_unknown = method != "GET" and not isinstance(exc, requests.ConnectTimeout)
    return error


def render_message(message: str, parameters: list | dict | None) -> str:
    """Substitute ``%1``/``%2`` (list) or ``%name`` (dict) placeholders.

    Like Magento's Phrase Placeholder renderer: ``strtr`` with ``%<index + 1>`` or ``%<key>``, longest first.
    """
    if not parameters:
        return message
    items = enumerate(parameters, 1) if isinstance(parameters, list) else parameters.items()
    pairs = {f"%{key}": str(value) for key, value in items}
    pattern = re.compile("|".join(re.escape(key) for key in sorted(pairs, key=len, reverse=True)))
    return pattern.sub(lambda match: pairs[match.group(0)], message)


def _error_text(response: requests.Response) -> str | None:
    """Magento's error message with placeholders substituted, and any aggregated ``errors[]``."""
    try:
        body = orjson.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return None
    texts = [render_message(body["message"], body.get("parameters"))]
    texts += [render_message(item.get("message", ""), item.get("parameters"))
              for item in body.get("errors") or () if isinstance(item, dict)]
    return " ".join(texts)


def interpret(response: requests.Response, path: str | None = None) -> Any:
    """The parsed JSON of a 2xx reply; otherwise the typed bridge error for Magento's answer (§14)."""
    status = response.status_code
    if 200 <= status < 300:
        if not response.content:
            return None
        try:
            return orjson.loads(response.content)
        except ValueError:
            raise MagentoUnavailable(f"Magento answered HTTP {status} with a body that is not JSON.",
                                     magento_status=status, path=path) from None
    text = _error_text(response)
    error_class: type[MagentoError]
    if status == 401:
        # A missing ACL resource, an inactive or recreated integration, or a bad signature: the merchant
        # must fix the integration, it is not a bridge bug (§14; magento/magento2#38426, #23712).
        detail = (f"Magento refused the bridge's call: {text or 'HTTP 401.'} Re-check the Gladly integration "
                  "in Magento: it must be active, grant this API resource, and be activated again after it was "
                  "recreated or reauthorized.")
        error_class = MagentoUnauthorized
    elif status == 400:
        detail, error_class = text or "Magento rejected the request (HTTP 400).", MagentoRejected
    elif status == 404:
        detail, error_class = text or "Magento has no such entity (HTTP 404).", MagentoNotFound
    elif 300 <= status < 400:
        detail = (f"Magento redirected {path} to {response.headers.get('Location', 'elsewhere')}: check the "
                  "store URL (scheme, host, trailing path).")
        error_class = MagentoUnavailable
    else:
        detail = (f"Magento failed (HTTP {status}): {text}" if text
                  else f"Magento answered HTTP {status} without a JSON error.")
        error_class = MagentoUnavailable
    raise error_class(detail, magento_status=status, path=path)
