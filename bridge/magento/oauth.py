"""OAuth 1.0a for Magento: HMAC-SHA256 registered with authlib, Magento-sized nonces, token exchange.

Magento 2.4.4+ accepts only HMAC-SHA256 (magento-rest.md §2.1) and authlib ships only HMAC-SHA1, so the
method is registered once with ``ClientAuth.register_signature_method``; authlib still builds the base
string and the Authorization header.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import requests
from authlib.common.security import is_secure_transport
from authlib.integrations.requests_client import OAuth1Auth
from authlib.oauth1.rfc5849 import client_auth
from authlib.oauth1.rfc5849.client_auth import ClientAuth
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from authlib.oauth1.rfc5849.util import escape

from bridge.errors import ConfigError
from bridge.errors import MagentoOAuthError
from bridge.errors import MagentoTimeout
from bridge.errors import MagentoUnavailable

if TYPE_CHECKING:
    from bridge.magento.client import Credentials

log = logging.getLogger(__name__)

SIGNATURE_HMAC_SHA256 = "HMAC-SHA256"
# INT/etc/db_schema.xml: oauth_nonce.nonce is VARCHAR(32), unique per consumer (§2.3).
NONCE_LENGTH = 32


def sign_hmac_sha256(client: ClientAuth, request) -> str:
    """Base64 HMAC-SHA256 of the RFC 5849 base string, keyed ``enc(consumer_secret)&enc(token_secret)``."""
    base_string = generate_signature_base_string(request)
    key = f"{escape(client.client_secret or '')}&{escape(client.token_secret or '')}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


ClientAuth.register_signature_method(SIGNATURE_HMAC_SHA256, sign_hmac_sha256)


def generate_nonce() -> str:
    """32 random characters of ``[0-9a-z]`` (hex digits: one urandom read instead of 32)."""
    return secrets.token_hex(NONCE_LENGTH // 2)


class MagentoAuth(OAuth1Auth):
    """authlib's requests auth signing with HMAC-SHA256 in the header, with Magento-sized nonces.

    JSON bodies stay unsigned (no ``oauth_body_hash``), as Magento expects (§2.2): authlib signs bodies
    only when they are form-encoded.
    """

    def __init__(self, consumer_key: str, consumer_secret: str, token: str | None = None,
                 token_secret: str | None = None, verifier: str | None = None):
        super().__init__(consumer_key, consumer_secret, token=token, token_secret=token_secret,
                         verifier=verifier, signature_method=SIGNATURE_HMAC_SHA256)

    def sign(self, method, uri, headers, body):
        """Sign in the header with a Magento nonce; the body is never signed (JSON, or form fields that
        Magento reads only from the header, §2.2).

        authlib's ClientAuth.sign draws a 30-character nonce one urandom read per character (a tenth of
        the bridge's CPU per lookup) and may add ``oauth_body_hash``; this keeps its rendering and
        signature steps and replaces only those two.
        """
        params = self.get_oauth_params(generate_nonce(), client_auth.generate_timestamp())
        rendered_uri, rendered_headers, rendered_body = self._render(uri, headers or {}, b"", params)
        params.append(("oauth_signature", self.get_oauth_signature(method, rendered_uri, rendered_headers,
                                                                   rendered_body)))
        uri, headers, _ = self._render(uri, headers or {}, b"", params)
        return uri, headers, body


def magento_auth(credentials: Credentials) -> MagentoAuth:
    """The requests auth that signs REST calls with an integration's access token."""
    return MagentoAuth(credentials.consumer_key, credentials.consumer_secret,
                       token=credentials.access_token, token_secret=credentials.access_token_secret)


def require_secure_transport(url: str) -> None:
    """Refuse a plain-http store other than loopback, as authlib's signer would, with a readable message."""
    if not is_secure_transport(url):
        raise ConfigError(f"The Magento store {url} must be reached over https to sign OAuth calls.")


def request_token(session: requests.Session, store_base_url: str, consumer_key: str, consumer_secret: str, *,
                  timeout) -> tuple[str, str]:
    """Step 1 of the exchange (§1.4): a request token for the verifier Magento POSTed to the bridge."""
    auth = MagentoAuth(consumer_key, consumer_secret)
    return _exchange(session, store_base_url, "oauth/token/request", auth, None, timeout)


def access_token(session: requests.Session, store_base_url: str, consumer_key: str, consumer_secret: str,
                 request_token: str, request_token_secret: str, verifier: str, *, timeout) -> tuple[str, str]:
    """Step 2 of the exchange (§1.4): the permanent access token and its secret."""
    auth = MagentoAuth(consumer_key, consumer_secret, token=request_token, token_secret=request_token_secret,
                       verifier=verifier)
    # Magento's own OauthClient also posts the verifier as a form field (§1.4).
    return _exchange(session, store_base_url, "oauth/token/access", auth, {"oauth_verifier": verifier}, timeout)


def _exchange(session: requests.Session, store_base_url: str, endpoint: str, auth: MagentoAuth,
              form: dict | None, timeout) -> tuple[str, str]:
    """POST one token call, once (never retried: the consumer's token moves on), and read the form reply."""
    url = store_base_url.rstrip("/") + "/" + endpoint
    path = urlsplit(url).path
    require_secure_transport(url)
    # Signed over the header parameters only: Magento keys parameters by name and ignores body oauth_*
    # fields when the header has some, so the form copy of the verifier is not signed twice
    # (FWOAUTH/Helper/Request.php::_processRequest); authlib would refuse oauth_* in both places anyway.
    _, headers, _ = auth.sign("POST", url, {}, b"")
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
