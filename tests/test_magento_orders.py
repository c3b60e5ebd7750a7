"""Accessors of a Magento order's JSON shared by lookups and actions."""
from decimal import Decimal

from bridge.magento.orders import number
from bridge.magento.orders import qty
from bridge.magento.orders import refundable_qty
from bridge.magento.orders import shipping_address
from bridge.magento.orders import visible_lines


def test_visible_lines_leave_out_the_children_of_configurable_products():
    order = {"items": [{"item_id": 1}, {"item_id": 2, "parent_item_id": 1}, {"item_id": 3}]}
    assert [item["item_id"] for item in visible_lines(order)] == [1, 3]
    assert visible_lines({"items": None}) == []


def test_quantities_are_decimals_and_absent_is_zero():
    item = {"qty_invoiced": 3, "qty_refunded": "1.5"}
    assert qty(item, "qty_invoiced") == Decimal(3) and qty(item, "qty_shipped") == Decimal(0)
    assert refundable_qty(item) == Decimal("1.5")
    assert refundable_qty({"qty_invoiced": 1, "qty_refunded": 2}) == Decimal(0)  # never below nothing


def test_numbers_are_ints_when_whole():
    values = [number(value) for value in (2, 2.0, "2.0000", Decimal("2"), Decimal("1.50"), "0.5", None)]
    assert values == [2, 2, 2, 2, 1.5, 0.5, 0]
    assert [type(value) for value in values] == [int, int, int, int, float, float, int]


def test_shipping_address_is_the_first_assignment_with_one():
    address = {"city": "Austin"}
    order = {"extension_attributes": {"shipping_assignments": [{"shipping": {}}, {"shipping": {"address": address}}]}}
    assert shipping_address(order) is address
    assert shipping_address({"extension_attributes": {}}) is None  # virtual: ships nowhere
