"""OAuth 1.0a HMAC-SHA256 signatures computed the way Magento computes them (magento-rest.md §2).

Pure functions only; which consumer, token and nonce are valid is decided in integrations.py.
"""

import base64
import hashlib
import hmac
import re
from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit

# FWOAUTH/Helper/Request.php::_isProtocolParameter matches this anywhere in the name.
_PROTOCOL_PARAM = re.compile(r"oauth_[a-z_-]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


# PHP's rawurlencode for ASCII text by one regular expression that visits only the characters to escape
# (the bench and soak share the CPU with the sandbox, and every call's base string re-encodes a kilobyte of
# query).
_RAW_RESERVED = re.compile(r"[^A-Za-z0-9_.~-]")
_RAW_ESCAPES = {chr(byte): f"%{byte:02X}" for byte in range(128)}


def _raw_escape(match):
    return _RAW_ESCAPES[match.group()]


def rawurlencode(value):
    """Percent-encode like PHP's rawurlencode: only RFC 3986 unreserved characters stay."""
    text = str(value)
    return _RAW_RESERVED.sub(_raw_escape, text) if text.isascii() else quote(text, safe="")


def is_protocol_param(name):
    """Tell whether a parameter name is an OAuth protocol parameter."""
    return bool(_PROTOCOL_PARAM.search(name))


def parse_authorization(header):
    """Return the oauth_* parameters of an `Authorization: OAuth ...` header, or None if it isn't one.

    Like Request.php::_processHeader: split on commas and the first '=', trim quotes, rawurldecode;
    `realm` and other non-protocol names are dropped.
    """
    if not header or header[:5].lower() != "oauth":
        return None
    params = {}
    for part in header[6:].split(","):
        name, sep, value = part.strip().partition("=")
        if sep and is_protocol_param(name):
            params[unquote(name)] = unquote(value.strip('"'))
    return params


def query_params(raw_query):
    """Split a raw query string Magento's way: on & and =, rawurldecode, '+' stays a plus.

    Pairs that do not split into exactly two parts and oauth_* names are skipped
    (Request.php::_extractQueryStringParams, magento-rest.md §2.3).
    """
    params = {}
    for pair in raw_query.split("&") if raw_query else ():
        parts = pair.split("=")
        if len(parts) == 2 and not is_protocol_param(parts[0]):
            params[unquote(parts[0])] = unquote(parts[1])
    return params


def collect_params(header_params, raw_query, form_body=None):
    """Merge the signed parameters: form body (if form-encoded), query, then the header's oauth_*.

    Body oauth_* fields count only when the header carried none, as in Request.php::_processRequest;
    the body is decoded like PHP's parse_str ('+' is a space there).
    """
    params = {}
    for name, value in parse_qsl(form_body or "", keep_blank_values=True):
        if not is_protocol_param(name) or not header_params:
            params[name] = value
    params.update(query_params(raw_query))
    params.update(header_params or {})
    return params


def normalize_url(scheme, host, raw_path):
    """Return scheme://host[:port]/path as Magento signs it: no query, default port dropped."""
    parts = urlsplit(f"{scheme.lower()}://{host}")
    netloc = parts.hostname or ""
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme}://{netloc}{raw_path.split('?', 1)[0]}"


def base_string(method, url, params):
    """Build the signature base string from every parameter except oauth_signature.

    Pairs are encoded first, then sorted bytewise (newer Magento's ksort; see §2.3 on strnatcmp).
    """
    pairs = sorted(
        (rawurlencode(name), rawurlencode(value))
        for name, value in params.items()
        if name != "oauth_signature"
    )
    joined = "&".join(f"{name}={value}" for name, value in pairs)
    return "&".join(rawurlencode(part) for part in (method.upper(), url, joined))


def sign(method, url, params, consumer_secret, token_secret=""):
    """Return the base64 HMAC-SHA256 signature keyed with enc(consumer_secret)&enc(token_secret)."""
    key = f"{rawurlencode(consumer_secret)}&{rawurlencode(token_secret or '')}"
    digest = hmac.new(key.encode(), base_string(method, url, params).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def signature_matches(method, url, params, consumer_secret, token_secret=""):
    """Compare the request's oauth_signature with the expected one in constant time."""
    expected = sign(method, url, params, consumer_secret, token_secret)
    return hmac.compare_digest(expected, params.get("oauth_signature", ""))
