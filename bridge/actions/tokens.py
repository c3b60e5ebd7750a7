"""Form tokens: each form's ``actionUrl`` carries a token the bridge signed for that action, order and expiry; and
Gladly AI's confirmation tokens, which carry a previewed refund (order, lines, amount, expiry) to its execution.

The journal keys a submission on its token, so a token serves one write; one the bridge did not issue for this
action and order, or one past its expiry, is refused before anything is read or written. The token is
``<expiry>.<nonce>.<mac>``, within [A-Za-z0-9._-] so the signed query line never depends on escaping (§5.4).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation

from bridge.errors import ActionRejected
from bridge.errors import AiRefusal

# Long enough for a form left open through an agent's shift; Gladly fetches a new form on every click (§6.3).
FORM_LIFETIME = 24 * 3600
# The token key is derived from the Gladly signing key (always set) for this one purpose (RFC 5869 §3.2: one
# input key, independent keys per "info"), so a token's MAC is never a Gladly signature or any other MAC.
PURPOSE = b"gladly-bridge/form-token/v1"
CONFIRMATION_PURPOSE = b"gladly-bridge/ai-confirmation/v1"
# Long enough for the AI to tell the shopper the amount and hear a yes, short enough that the order barely changes.
CONFIRMATION_LIFETIME = 15 * 60
MAX_CONFIRMATION = 4096  # characters; twenty lines of quantities fit in a tenth of it
MAC_BYTES = 16
TOKEN_RE = re.compile(r"(?P<expires>[0-9]{1,12})\.(?P<nonce>[A-Za-z0-9_-]{16})\.(?P<mac>[A-Za-z0-9_-]{22})")


class FormTokens:
    """Issues and checks form tokens under a key derived from ``signing_key``; ``clock`` gives Unix seconds."""

    def __init__(self, signing_key: str, lifetime: int = FORM_LIFETIME, clock: Callable[[], float] = time.time):
        self._key = derive_key(signing_key, PURPOSE)
        self.lifetime = lifetime
        self.clock = clock

    def issue(self, action: str, order_id: int) -> str:
        """A fresh token for one form of ``action`` on ``order_id``."""
        expires, nonce = int(self.clock()) + self.lifetime, secrets.token_urlsafe(12)
        return f"{expires}.{nonce}.{self._mac(action, order_id, expires, nonce)}"

    def check(self, token: str, action: str, order_id: int) -> None:
        """Raise ActionRejected (406: the form closes) unless the bridge issued ``token`` for this action and order
        and it has not expired."""
        match = TOKEN_RE.fullmatch(token or "")
        if match is None or not hmac.compare_digest(
                match["mac"], self._mac(action, order_id, int(match["expires"]), match["nonce"])):
            raise ActionRejected("This form was not issued by the bridge for this order and action; open the "
                                 "action again.", message="Form not valid")
        if int(match["expires"]) < self.clock():
            raise ActionRejected("This form expired; open the action again for a new form.",
                                 message="Form out of date")

    def _mac(self, action: str, order_id: int, expires: int, nonce: str) -> str:
        return mac(self._key, f"{action}\n{order_id}\n{expires}\n{nonce}".encode())


def derive_key(signing_key: str, purpose: bytes) -> bytes:
    """A key for one purpose, derived from the Gladly signing key."""
    return hmac.new(signing_key.encode(), purpose, hashlib.sha256).digest()


def mac(key: bytes, signed: bytes) -> str:
    """The truncated HMAC-SHA256 of ``signed``, base64url without padding."""
    digest = hmac.new(key, signed, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class Confirmation:
    """A previewed refund: the order, the refund form's values (lines, shipping), the amount and its currency."""

    order_id: int
    payload: dict
    amount: Decimal
    currency: str
    expires: int
    nonce: str


class ConfirmationTokens:
    """Issues and checks Gladly AI's refund confirmation tokens: ``<base64url JSON>.<mac>``, signed under a key
    derived from ``signing_key`` for this purpose alone, so a form token is never a confirmation and back."""

    def __init__(self, signing_key: str, lifetime: int = CONFIRMATION_LIFETIME,
                 clock: Callable[[], float] = time.time):
        self._key = derive_key(signing_key, CONFIRMATION_PURPOSE)
        self.lifetime = lifetime
        self.clock = clock

    def issue(self, order_id: int, payload: dict, amount: Decimal, currency: str) -> tuple[str, int]:
        """A token for exactly this refund of ``order_id``, and its expiry (Unix seconds)."""
        expires = int(self.clock()) + self.lifetime
        claims = {"o": order_id, "p": payload, "a": str(amount), "c": currency, "e": expires,
                  "n": secrets.token_urlsafe(12)}
        body = base64.urlsafe_b64encode(json.dumps(claims, sort_keys=True, separators=(",", ":")).encode())
        body = body.rstrip(b"=")
        return f"{body.decode()}.{mac(self._key, body)}", expires

    def check(self, token: str, order_id: int) -> Confirmation:
        """The refund ``token`` confirms; AiRefusal ``confirmation_invalid`` unless the bridge issued it for this
        order and it has not expired."""
        body, _, signature = (token or "")[:MAX_CONFIRMATION].rpartition(".")
        if not body or not hmac.compare_digest(signature.encode(), mac(self._key, body.encode()).encode()):
            raise AiRefusal("confirmation_invalid", "This confirmation is not one the bridge issued; preview the "
                                                    "refund again.")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            confirmation = Confirmation(int(claims["o"]), dict(claims["p"]), Decimal(claims["a"]), str(claims["c"]),
                                        int(claims["e"]), str(claims["n"]))
        except (ValueError, KeyError, TypeError, InvalidOperation, binascii.Error):
            raise AiRefusal("confirmation_invalid", "This confirmation cannot be read; preview the refund "
                                                    "again.") from None
        if confirmation.order_id != order_id:
            raise AiRefusal("confirmation_invalid", "This confirmation is for another order; preview the refund of "
                                                    "this order.")
        if confirmation.expires < self.clock():
            raise AiRefusal("confirmation_invalid", "This confirmation expired; preview the refund again and ask "
                                                    "the shopper to confirm the amount.")
        return confirmation
