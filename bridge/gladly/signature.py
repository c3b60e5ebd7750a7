"""Gladly request signing and verification (gladly-lookup-adaptor.md §5), as pure functions.

Gladly signs every lookup and action request with HMAC-SHA256 over a canonical request built from the
method, the configured path, the sorted query, the headers it names in ``SignedHeaders`` and the raw
body. ``sign``/``build_headers`` produce exactly what Gladly sends, so tests use real signatures.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from datetime import timezone
from itertools import pairwise
from urllib.parse import parse_qsl
from urllib.parse import quote_plus

from bridge.errors import InvalidSignature
from bridge.errors import StaleRequest

ALGORITHM = "hmac-sha256"
AUTHORIZATION_HEADER = "Gladly-Authorization"
TIME_HEADER = "Gladly-Time"
TIME_FORMAT = "%Y%m%dT%H%M%SZ"

_TIME_RE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")  # TIME_FORMAT's fields
_HEADER_NAME_RE = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")  # an RFC 9110 token, lower-case
_SIGNATURE_RE = re.compile(r"[0-9a-f]{64}")
_AUTHORIZATION_PARTS = ("SigningAlgorithm", "SignedHeaders", "Signature")


def canonical_query(query_string: str) -> str:
    """The query line of the canonical request: parameters sorted by name, as Go's ``url.Values.Encode``."""
    # §5.4: Gladly builds this line with url.Values.Encode(): keys sorted byte-wise (a stable sort keeps
    # the order of repeated keys' values), each part escaped like url.QueryEscape (space as "+").
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return "&".join(f"{quote_plus(name, safe='')}={quote_plus(value, safe='')}"
                    for name, value in sorted(pairs, key=lambda pair: pair[0]))


def canonical_request(*, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes) -> str:
    """The canonical request of §5.3 for ``headers``, (lower-case name, value) pairs in signing order."""
    lines = [method.upper(), path, canonical_query(query)]
    lines += [f"{name}:{value.strip()}" for name, value in headers]
    lines += ["", ";".join(name for name, _ in headers), _sha256_hex(body)]
    return "\n".join(lines)


def sign(key: str, *, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> str:
    """The Gladly-Authorization value signing every header in ``headers`` (which must hold Gladly-Time)."""
    lowered = _lower_keys(headers)
    if TIME_HEADER.lower() not in lowered:
        raise ValueError("headers must include Gladly-Time: it is part of the string to sign")
    signed = sorted(lowered.items())
    signature = _signature(key, method=method, path=path, query=query, headers=signed, body=body,
                           gladly_time=lowered[TIME_HEADER.lower()])
    names = ";".join(name for name, _ in signed)
    return f"SigningAlgorithm={ALGORITHM}, SignedHeaders={names}, Signature={signature}"


def verify(key: str, *, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes,
           now: datetime, tolerance: float) -> None:
    """Check a request's Gladly-Authorization and Gladly-Time; raise InvalidSignature or StaleRequest.

    ``now`` is an aware datetime; ``tolerance`` the accepted clock skew in seconds, either way.
    """
    lowered = _lower_keys(headers)
    names, claimed = _parse_authorization(lowered.get(AUTHORIZATION_HEADER.lower()))
    gladly_time = lowered.get(TIME_HEADER.lower())
    if gladly_time is None:
        raise InvalidSignature("Missing Gladly-Time header.", attr=TIME_HEADER)
    sent_at = _parse_time(gladly_time.strip())
    missing = [name for name in names if name not in lowered]
    if missing:
        raise InvalidSignature(f"Signed header(s) missing from the request: {', '.join(missing)}.")
    # §5.4: the canonical request follows the request's own SignedHeaders, never a fixed list.
    expected = _signature(key, method=method, path=path, query=query, body=body, gladly_time=gladly_time,
                          headers=[(name, lowered[name]) for name in names])
    if not hmac.compare_digest(expected, claimed):
        raise InvalidSignature("Signature is incorrect.")
    # Checked after the signature, so a StaleRequest always means clock skew or a replay, never a bad key.
    skew = (now - sent_at).total_seconds()
    if abs(skew) > tolerance:
        direction = "in the past" if skew > 0 else "in the future"
        raise StaleRequest(f"Gladly-Time is {abs(skew):.0f} s {direction}; the accepted window is "
                           f"±{tolerance:g} s.")


def build_headers(key: str, *, method: str, path: str, body: bytes = b"", query: str = "",
                  now: datetime | None = None, correlation_id: str | None = None,
                  extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A complete signed header set as Gladly sends it (§5.2), signing ``extra`` headers too."""
    correlation_id = correlation_id or base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Gladly-Correlation-Id": correlation_id,
        "X-B3-Traceid": _trace_id(correlation_id),
        TIME_HEADER: (now or datetime.now(timezone.utc)).strftime(TIME_FORMAT),
        **(extra or {}),
    }
    headers[AUTHORIZATION_HEADER] = sign(key, method=method, path=path, query=query, headers=headers, body=body)
    return headers


def _signature(key: str, *, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes,
               gladly_time: str) -> str:
    """The hex signature of §5.3: HMAC with a key derived from the signing date."""
    gladly_time = gladly_time.strip()
    canonical = canonical_request(method=method, path=path, query=query, headers=headers, body=body)
    string_to_sign = "\n".join([ALGORITHM, gladly_time, _sha256_hex(canonical.encode())])
    derived_key = hmac.new(key.encode(), gladly_time[:8].encode(), hashlib.sha256).digest()
    return hmac.new(derived_key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _parse_authorization(value: str | None) -> tuple[list[str], str]:
    """The SignedHeaders list and Signature of a Gladly-Authorization value, checked strictly (§5.3, §5.4)."""
    if value is None:
        raise InvalidSignature("Missing Gladly-Authorization header.")
    parts = {}
    for part in value.split(","):
        name, separator, content = part.strip().partition("=")
        if not separator or not content or name not in _AUTHORIZATION_PARTS or name in parts:
            raise InvalidSignature("Malformed Gladly-Authorization header: expected "
                                   "'SigningAlgorithm=..., SignedHeaders=..., Signature=...'.")
        parts[name] = content
    if len(parts) != len(_AUTHORIZATION_PARTS):
        missing = ", ".join(name for name in _AUTHORIZATION_PARTS if name not in parts)
        raise InvalidSignature(f"Malformed Gladly-Authorization header: missing {missing}.")
    if parts["SigningAlgorithm"] != ALGORITHM:
        raise InvalidSignature(f"Unsupported SigningAlgorithm: only {ALGORITHM} is accepted.")
    names = parts["SignedHeaders"].split(";")
    if not all(_HEADER_NAME_RE.fullmatch(name) for name in names):
        raise InvalidSignature("Malformed SignedHeaders: names must be lower-case header names separated by ';'.")
    # SPREE rejects unsorted lists too; sorted and unique is what Gladly sends (§5.3).
    if any(first >= second for first, second in pairwise(names)):
        raise InvalidSignature("Malformed SignedHeaders: names must be sorted and unique.")
    if not _SIGNATURE_RE.fullmatch(parts["Signature"]):
        raise InvalidSignature("Malformed Signature: expected 64 lower-case hex digits.")
    return names, parts["Signature"]


def _parse_time(value: str) -> datetime:
    """Gladly-Time (``YYYYMMDDTHHMMSSZ``, UTC) as an aware datetime."""
    found = _TIME_RE.fullmatch(value)
    if found:
        try:  # the fields themselves, not strptime: 10 µs of every request
            return datetime(*map(int, found.groups()), tzinfo=timezone.utc)
        except ValueError:  # the right shape but no real date, e.g. month 13
            pass
    raise InvalidSignature("Malformed Gladly-Time: expected YYYYMMDDTHHMMSSZ in UTC.", attr=TIME_HEADER)


def _trace_id(correlation_id: str) -> str:
    """X-B3-Traceid: the base64url-decoded correlation id in hex (§5.2)."""
    return base64.urlsafe_b64decode(correlation_id + "=" * (-len(correlation_id) % 4)).hex()


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}
