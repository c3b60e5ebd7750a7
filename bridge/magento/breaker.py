"""A circuit breaker per Magento store: stop waiting on a store that keeps failing.

Closed: calls go through; ``threshold`` consecutive failures (no HTTP reply, a timeout, or HTTP 5xx)
open it. Open: every call is refused at once with :class:`~bridge.errors.MagentoCircuitOpen` (a clean
503 ``magento_unavailable``), no request is sent, so a hanging store costs Gladly nothing but the first
few deadlines. After ``cooldown`` seconds the next call goes through as the probe (half-open) while the
others are still refused; its success closes the circuit, its failure opens it for another cool-down.
A 4xx is Magento answering, so it counts as a success.

The state lives in the worker process (each gunicorn worker has its own client and breaker), so with W
workers at most W x ``threshold`` calls reach a dead store before every worker has opened, and each
worker sends one probe per cool-down.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bridge.errors import MagentoCircuitOpen

log = logging.getLogger(__name__)

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitBreaker:
    """Counts consecutive failures of one store's calls and refuses calls while the store is failing."""

    def __init__(self, name: str, *, threshold: int = 5, cooldown: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._changed_at = clock()
        self.opened = 0  # how many times the circuit opened in this worker

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half_open``."""
        return self._state

    def before_call(self) -> None:
        """Let a call through, or raise MagentoCircuitOpen while the store is considered down."""
        with self._lock:
            if self._state == CLOSED:
                return
            waited = self._clock() - self._changed_at
            # A half-open probe that never reported (its thread died) must not keep the circuit shut.
            if waited >= self.cooldown:
                self._set(HALF_OPEN, f"letting one probe call through after {waited:.1f} s")
                return
            left = self.cooldown - waited
        raise MagentoCircuitOpen(f"Magento failed {self.threshold} calls in a row; the bridge stopped calling it "
                                 f"for {self.cooldown:g} s (next try in {left:.1f} s).")

    def record(self, ok: bool) -> None:
        """Report how a call that went through ended."""
        with self._lock:
            if ok:
                self._failures = 0
                if self._state != CLOSED:
                    self._set(CLOSED, "the store answers again")
                return
            self._failures += 1
            if self._state == HALF_OPEN or (self._state == CLOSED and self._failures >= self.threshold):
                self.opened += 1
                self._set(OPEN, f"{self._failures} consecutive failures; refusing calls for {self.cooldown:g} s")

    def _set(self, state: str, why: str) -> None:
        self._state = state
        self._changed_at = self._clock()
        level = logging.INFO if state == HALF_OPEN else logging.WARNING
        log.log(level, "magento circuit for %s is %s: %s", self.name, state.replace("_", "-"), why)
