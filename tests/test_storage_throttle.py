"""The /preview sign-in throttle: counts per client and window, shared across workers, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from bridge.storage.database import utcnow
from bridge.storage.throttle import SIGN_IN_WINDOW
from bridge.storage.throttle import SignInThrottle
from tests.conftest import run_together


def test_attempts_count_per_client_and_window(stores):
    throttle, start = SignInThrottle(stores.database), utcnow()
    assert [throttle.take("203.0.113.5", now=start) for _ in range(3)] == [1, 2, 3]
    assert throttle.take("198.51.100.7", now=start) == 1
    assert throttle.retry_after("203.0.113.5", now=start + timedelta(seconds=60)) == 15 * 60 - 60
    # A right password gives its attempt back; a new window starts from one.
    throttle.give_back("203.0.113.5")
    assert throttle.take("203.0.113.5", now=start + timedelta(seconds=1)) == 3
    assert throttle.take("203.0.113.5", now=start + SIGN_IN_WINDOW) == 1


def test_concurrent_attempts_are_each_counted(stores):
    throttle = SignInThrottle(stores.database)
    assert sorted(run_together(8, lambda: throttle.take("203.0.113.5"))) == list(range(1, 9))
