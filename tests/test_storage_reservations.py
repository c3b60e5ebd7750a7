"""Gladly AI's reservations against its refund cap and coupon limit, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from bridge.storage.database import utcnow
from bridge.storage.reservations import HELD
from bridge.storage.reservations import SPENT
from bridge.storage.reservations import day_start
from tests.conftest import run_together

STORE = "https://shop.test/"


def refund(reservations, key: str, amount, cap, *, now=None, store: str = STORE, order_id: str = "7"):
    """Reserve a refund's ``amount`` against the store's daily ``cap``, as ``GladlyAi`` does."""
    now = now or utcnow()
    return reservations.reserve(key, scope=store, store=store, action="refund", order_id=order_id,
                                amount=Decimal(amount), cap=Decimal(cap), since=day_start(now), now=now)


def coupon(reservations, key: str, customer: str, *, days: int = 30, now=None):
    """Reserve the customer's one goodwill coupon in ``days`` days, as ``GladlyAi`` does."""
    now = now or utcnow()
    return reservations.reserve(key, scope=f"coupon:{STORE}:{customer}", store=STORE, action="coupon",
                                order_id="7", amount=Decimal(1), cap=Decimal(1), since=now - timedelta(days=days),
                                now=now)


def left_today(reservations, cap, now=None) -> Decimal:
    return reservations.left(scope=STORE, cap=Decimal(cap), since=day_start(now or utcnow()))


def test_reservations_add_up_per_store_and_day(stores):
    reservations, now = stores.reservations, utcnow()
    assert refund(reservations, "a", "60.50", 100, now=now) is None
    # Over the cap: refused with what is left; another store and another day have their own caps.
    assert refund(reservations, "b", 40, 100, now=now, order_id="8") == Decimal("39.50")
    assert refund(reservations, "c", 40, 100, now=now, store="https://other.test/") is None
    assert left_today(reservations, 100, now) == Decimal("39.50")
    tomorrow = now + timedelta(days=1)
    assert refund(reservations, "d", 40, 100, now=tomorrow) is None
    assert left_today(reservations, 100, tomorrow) == Decimal(60)


def test_the_same_refund_run_again_keeps_its_one_reservation(stores):
    reservations = stores.reservations
    for _ in range(2):
        assert refund(reservations, "a", 80, 100) is None
    assert left_today(reservations, 100) == Decimal(20)


def test_spent_reservations_stay_and_released_ones_give_the_amount_back(stores):
    reservations = stores.reservations
    for key in ("spent", "failed"):
        refund(reservations, key, 30, 100)
    reservations.spend("spent")
    reservations.release("failed")
    reservations.release("spent")  # a spent refund happened: releasing it changes nothing
    assert reservations.get("spent")["status"] == SPENT and reservations.get("failed") is None
    assert left_today(reservations, 100) == Decimal(70)


def test_only_old_held_reservations_are_listed_for_settling(stores):
    reservations, now = stores.reservations, utcnow()
    refund(reservations, "old", 1, 100, now=now - timedelta(minutes=5))
    refund(reservations, "new", 1, 100, now=now, order_id="8")
    coupon(reservations, "old-coupon", "42", now=now - timedelta(minutes=5))
    refund(reservations, "spent", 1, 100, now=now - timedelta(minutes=5), order_id="9")
    reservations.spend("spent")
    rows = reservations.held_before(STORE, now - timedelta(minutes=1))
    assert sorted((row["key"], row["action"], row["order_id"], row["status"]) for row in rows) == [
        ("old", "refund", "7", HELD), ("old-coupon", "coupon", "7", HELD)]


def test_concurrent_reservations_never_pass_the_cap_together(stores):
    """Twenty refunds of 10 against a cap of 55 on twenty threads at once: exactly five are held."""
    reservations = stores.reservations
    answers = run_together(20, lambda: refund(reservations, f"refund-{uuid.uuid4()}", 10, 55))
    assert answers.count(None) == 5
    assert left_today(reservations, 55) == Decimal(5)


def test_one_coupon_per_customer_within_the_period(stores):
    """A customer's coupon, held or spent, blocks another in the period; other customers and the store's refund
    cap are their own scopes, and a coupon older than the period no longer counts; a released one gives way."""
    reservations, now = stores.reservations, utcnow()
    assert coupon(reservations, "first", "42", now=now - timedelta(days=10)) is None
    assert coupon(reservations, "second", "42", now=now) == Decimal(0)
    assert coupon(reservations, "other", "43", now=now) is None
    assert refund(reservations, "refund", 100, 100, now=now) is None
    assert coupon(reservations, "later", "42", days=7, now=now) is None  # the first is older than 7 days
    reservations.spend("first")
    assert coupon(reservations, "third", "42", now=now) == Decimal(0)
    reservations.release("other")
    assert coupon(reservations, "again", "43", now=now) is None


def test_concurrent_coupons_for_one_customer_hold_exactly_one(stores):
    """Twenty coupon requests for one customer on twenty threads at once, each its own run: exactly one is held."""
    reservations = stores.reservations
    answers = run_together(20, lambda: coupon(reservations, f"ai:coupon:7:{uuid.uuid4()}", "42"))
    assert answers.count(None) == 1
    assert reservations.left(scope=f"coupon:{STORE}:42", cap=Decimal(1), since=utcnow() - timedelta(days=30)) == 0
