"""Gladly AI's refund reservations against its daily cap per store, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from bridge.storage.database import utcnow
from bridge.storage.reservations import HELD
from bridge.storage.reservations import SPENT
from tests.conftest import run_together

STORE = "https://shop.test/"


def test_reservations_add_up_per_store_and_day(stores):
    reservations, now = stores.reservations, utcnow()
    assert reservations.reserve("a", store=STORE, order_id="7", amount=Decimal("60.50"), cap=Decimal(100),
                                now=now) is None
    # Over the cap: refused with what is left; another store and another day have their own caps.
    assert reservations.reserve("b", store=STORE, order_id="8", amount=Decimal(40), cap=Decimal(100),
                                now=now) == Decimal("39.50")
    assert reservations.reserve("c", store="https://other.test/", order_id="8", amount=Decimal(40),
                                cap=Decimal(100), now=now) is None
    assert reservations.reserve("d", store=STORE, order_id="8", amount=Decimal(40), cap=Decimal(100),
                                now=now + timedelta(days=1)) is None
    assert reservations.left(store=STORE, cap=Decimal(100), now=now) == Decimal("39.50")


def test_the_same_refund_run_again_keeps_its_one_reservation(stores):
    reservations = stores.reservations
    for _ in range(2):
        assert reservations.reserve("a", store=STORE, order_id="7", amount=Decimal(80), cap=Decimal(100)) is None
    assert reservations.left(store=STORE, cap=Decimal(100)) == Decimal(20)


def test_spent_reservations_stay_and_released_ones_give_the_amount_back(stores):
    reservations = stores.reservations
    for key in ("spent", "failed"):
        reservations.reserve(key, store=STORE, order_id="7", amount=Decimal(30), cap=Decimal(100))
    reservations.spend("spent")
    reservations.release("failed")
    reservations.release("spent")  # a spent refund happened: releasing it changes nothing
    assert reservations.get("spent")["status"] == SPENT and reservations.get("failed") is None
    assert reservations.left(store=STORE, cap=Decimal(100)) == Decimal(70)


def test_only_old_held_reservations_are_listed_for_settling(stores):
    reservations, now = stores.reservations, utcnow()
    reservations.reserve("old", store=STORE, order_id="7", amount=Decimal(1), cap=Decimal(100),
                         now=now - timedelta(minutes=5))
    reservations.reserve("new", store=STORE, order_id="8", amount=Decimal(1), cap=Decimal(100), now=now)
    reservations.reserve("spent", store=STORE, order_id="9", amount=Decimal(1), cap=Decimal(100),
                         now=now - timedelta(minutes=5))
    reservations.spend("spent")
    [row] = reservations.held_before(STORE, now - timedelta(minutes=1))
    assert (row["key"], row["order_id"], row["status"]) == ("old", "7", HELD)


def test_concurrent_reservations_never_pass_the_cap_together(stores):
    """Twenty refunds of 10 against a cap of 55 on twenty threads at once: exactly five are held."""
    reservations = stores.reservations
    answers = run_together(20, lambda: reservations.reserve(
        f"refund-{uuid.uuid4()}", store=STORE, order_id="7", amount=Decimal(10),
        cap=Decimal(55)))
    assert answers.count(None) == 5
    assert reservations.left(store=STORE, cap=Decimal(55)) == Decimal(5)
