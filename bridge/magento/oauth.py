"""OAuth 1.0a for Magento: HMAC-SHA256 request signing (RFC 5849), Magento-sized nonces, token exchange.

Magento 2.4.4+ accepts only HMAC-SHA256 (magento-rest.md §2.1). The signer is small and written here: every
Magento call is signed, and a general-purpose library re-parsed and re-encoded each URL character by
character, a tenth of the bridge's CPU per lookup. Tests hold it equal to oauthlib's independent signer and
to a vector worked by hand.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import time
from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import urlsplit

import requests

from bridge.errors import ConfigError
from bridge.errors import MagentoOAuthError
from bridge.errors import MagentoTimeout
from bridge.errors import MagentoUnavailable

log = logging.getLogger(__name__)

SIGNATURE_HMAC_SHA256 = "HMAC-SHA256"
# INT/etc/db_schema.xml: oauth_nonce.nonce is VARCHAR(32), unique per consumer (§2.3).
NONCE_LENGTH = 32
# RFC 5849 §3.6: only ALPHA, DIGIT and "-._~" stay unencoded (Python's quote adds nothing else to ``safe``).
_UNRESERVED = "-._~"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ASCII_RESERVED = re.compile(r"[^A-Za-z0-9._~-]")
_ASCII_ESCAPES = {chr(code): f"%{code:02X}" for code in range(128)}


def _escape(match: re.Match) -> str:
    return _ASCII_ESCAPES[match.group()]


def encode(value: str) -> str:
    """RFC 5849 §3.6 percent-encoding (UTF-8, ``%20`` for a space, upper-case hex)."""
    # ASCII (nearly every value) by one regular expression that visits only the characters to escape:
    # half the time of a str.translate table and of quote(), which go character by character.
    return _ASCII_RESERVED.sub(_escape, value) if value.isascii() else quote(value, safe=_UNRESERVED)


def encode_encoded(text: str) -> str:
    """``encode(text)`` for text that is already encoded pairs joined by ``=`` and ``&``.

    Such text holds only unreserved characters and ``%``, ``=``, ``&``, so three replacements do what
    ``encode`` does character by character: the signature base string re-encodes the whole query (a
    kilobyte for an order search) on every call.
    """
    return text.replace("%", "%25").replace("=", "%3D").replace("&", "%26")


def generate_nonce() -> str:
    """32 random characters of ``[0-9a-z]`` (hex digits: one urandom read instead of 32)."""
    return secrets.token_hex(NONCE_LENGTH // 2)


def generate_timestamp() -> str:
    """Seconds since the epoch; Magento refuses one more than 600 s away from its clock (§2.3)."""
    return str(int(time.time()))


def base_string_uri(url: str) -> str:
    """RFC 5849 §3.4.1.2: scheme and host lower-cased, default port dropped, no query or fragment."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{parts.port}"
    return f"{scheme}://{netloc}{parts.path or '/'}"


class Signer:
    """Signs requests for one consumer, with or without a token, in the ``Authorization`` header.

    Bodies are never signed: Magento reads neither JSON bodies nor body ``oauth_*`` fields when the header
    has some (§2.2, FWOAUTH/Helper/Request.php::_processRequest), so no ``oauth_body_hash`` either.
    """

    def __init__(self, consumer_key: str, consumer_secret: str, token: str | None = None,
                 token_secret: str | None = None):
        self.consumer_key = consumer_key
        self.token = token
        self._key = f"{encode(consumer_secret or '')}&{encode(token_secret or '')}".encode()

    def authorization(self, method: str, url: str, query: str = "", *, verifier: str | None = None) -> str:
        """The header value for ``method url?query``; ``query`` is already RFC 3986-encoded
        (``search.encode_query``), which is the encoding the signature needs, so it is used as sent."""
        oauth = [("oauth_consumer_key", self.consumer_key), ("oauth_nonce", generate_nonce()),
                 ("oauth_signature_method", SIGNATURE_HMAC_SHA256), ("oauth_timestamp", generate_timestamp()),
                 ("oauth_version", "1.0")]
        if self.token:
            oauth.append(("oauth_token", self.token))
        if verifier:
            oauth.append(("oauth_verifier", verifier))
        encoded = [(encode(name), encode(value)) for name, value in oauth]
        signed = encoded + [tuple(pair.partition("=")[::2]) for pair in query.split("&") if pair]
        # §3.4.1.3.2: sorted by encoded name, then encoded value.
        parameters = "&".join(f"{name}={value}" for name, value in sorted(signed))
        base = f"{method.upper()}&{encode(base_string_uri(url))}&{encode_encoded(parameters)}"
        signature = base64.b64encode(hmac.new(self._key, base.encode(), hashlib.sha256).digest()).decode()
        encoded.append(("oauth_signature", encode(signature)))
        return "OAuth " + ", ".join(f'{name}="{value}"' for name, value in encoded)


def is_secure_transport(url: str) -> bool:
    """https, or plain http to this machine only (a sandbox or a store on the same host)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or parts.scheme not in ("http", "https"):
        return False
    if parts.scheme == "https" or host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


def require_secure_transport(url: str) -> None:
    """Refuse a plain-http store other than loopback, with a readable message: OAuth 1.0a secrets would
    otherwise be replayable by anyone on the path."""
    if not is_secure_transport(url):
        raise ConfigError(f"The Magento store {url} must be reached over https to sign OAuth calls.")


def request_token(session: requests.Session, store_base_url: str, consumer_key: str, consumer_secret: str, *,
                  timeout) -> tuple[str, str]:
    """Step 1 of the exchange (§1.4): a request token for the verifier Magento POSTed to the bridge."""
    return _exchange(session, store_base_url, "oauth/token/request", Signer(consumer_key, consumer_secret), timeout)


def access_token(session: requests.Session, store_base_url: str, consumer_key: str, consumer_secret: str,
                 request_token: str, request_token_secret: str, verifier: str, *, timeout) -> tuple[str, str]:
    """Step 2 of the exchange (§1.4): the permanent access token and its secret."""
    signer = Signer(consumer_key, consumer_secret, token=request_token, token_secret=request_token_secret)
    return _exchange(session, store_base_url, "oauth/token/access", signer, timeout, verifier=verifier)


def _exchange(session: requests.Session, store_base_url: str, endpoint: str, signer: Signer, timeout, *,
              verifier: str | None = None) -> tuple[str, str]:
    """POST one token call, once (never retried: the consumer's token moves on), and read the form reply."""
    url = store_base_url.rstrip("/") + "/" + endpoint
    path = urlsplit(url).path
    require_secure_transport(url)
    # Signed over the header parameters only: Magento keys parameters by name and ignores body oauth_*
    # fields when the header has some, so the form copy of the verifier is not signed twice
    # (FWOAUTH/Helper/Request.php::_processRequest).
    headers = {"Authorization": signer.authorization("POST", url, verifier=verifier)}
    # Magento's own OauthClient also posts the verifier as a form field (§1.4).
    form = {"oauth_verifier": verifier} if verifier else None
    try:
        response = session.post(url, data=form, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.Timeout as exc:
        error = MagentoTimeout("Magento did not answer the OAuth token call in time.", path=path)
        error.outcome_unknown = True
        raise error from exc
    except requests.RequestException as exc:
        raise MagentoUnavailable(f"Magento could not be reached for the OAuth token call ({exc.__class__.__name__}).",
                                 path=path) from exc
    log.debug("magento POST %s -> %s", path, response.status_code)
    # FWOAUTH/Helper/Request.php::prepareErrorResponse answers http_build_query(['oauth_problem' => ...]).
    reply = dict(parse_qsl(response.text, keep_blank_values=True))
    if "oauth_problem" in reply:
        raise MagentoOAuthError(f"Magento refused the OAuth token call: {reply['oauth_problem']}",
                                magento_status=response.status_code, path=path)
    if response.status_code != 200 or not reply.get("oauth_token") or not reply.get("oauth_token_secret"):
        raise MagentoUnavailable(f"Magento answered the OAuth token call with HTTP {response.status_code} "
                                 "and no token.", magento_status=response.status_code, path=path)
    return reply["oauth_token"], reply["oauth_token_secret"]
