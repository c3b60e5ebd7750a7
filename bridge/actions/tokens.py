"""Form tokens: each form's ``actionUrl`` carries a token the bridge signed for that action, order and expiry.

The journal keys a submission on its token, so a token serves one write; one the bridge did not issue for this
action and order, or one past its expiry, is refused before anything is read or written. The token is
``<expiry>.<nonce>.<mac>``, within [A-Za-z0-9._-] so the signed query line never depends on escaping (§5.4).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable

from bridge.errors import ActionRejected

# Long enough for a form left open through an agent's shift; Gladly fetches a new form on every click (§6.3).
FORM_LIFETIME = 24 * 3600
# The token key is derived from the Gladly signing key (always set) for this one purpose (RFC 5869 §3.2: one
# input key, independent keys per "info"), so a token's MAC is never a Gladly signature or any other MAC.
PURPOSE = b"gladly-bridge/form-token/v1"
MAC_BYTES = 16
TOKEN_RE = re.compile(r"(?P<expires>[0-9]{1,12})\.(?P<nonce>[A-Za-z0-9_-]{16})\.(?P<mac>[A-Za-z0-9_-]{22})")


class FormTokens:
    """Issues and checks form tokens under a key derived from ``signing_key``; ``clock`` gives Unix seconds."""

    def __init__(self, signing_key: str, lifetime: int = FORM_LIFETIME, clock: Callable[[], float] = time.time):
        self._key = hmac.new(signing_key.encode(), PURPOSE, hashlib.sha256).digest()
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
        signed = f"{action}\n{order_id}\n{expires}\n{nonce}".encode()
        digest = hmac.new(self._key, signed, hashlib.sha256).digest()[:MAC_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
