"""Accessors of a Magento order's JSON shared by lookups and actions."""
from decimal import Decimal

import pytest

from bridge.magento.orders import line_paid
from bridge.magento.orders import line_total
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


# One line of 2 x $25.00 with $5.00 discount and $3.60 tax, as sales_order_item holds it (row_total 50) and as
# GET /V1/orders/{id} shows it: REST's row_total is rewritten by Magento_Sales Model/Order/Webapi/ChangeOutputArray.php.
STORED = {"price": 25, "qty_ordered": 2, "discount_amount": 5, "tax_amount": 3.6}
REST_SHAPES = {
    "2.4.6": {**STORED, "row_total": 45, "row_total_incl_tax": 48.6},  # row_total - discount
    "2.4.8": {**STORED, "row_total": 20, "row_total_incl_tax": 48.6},  # price - discount, no qty (#39984)
}


@pytest.mark.parametrize("version", sorted(REST_SHAPES))
def test_line_total_is_price_times_quantity_whatever_rest_says_row_total_is(version):
    item = REST_SHAPES[version]
    assert line_total(item) == Decimal("50.00")
    assert line_paid(item) == Decimal("48.60")  # what REST's row_total_incl_tax says on both versions


def test_line_total_rounds_like_magento_and_counts_decimal_quantities():
    assert line_total({"price": "19.99", "qty_ordered": 3}) == Decimal("59.97")
    assert line_total({"price": "0.125", "qty_ordered": 1}) == Decimal("0.13")  # priceCurrency->round: half up
    assert line_total({"price": 4, "qty_ordered": "1.5"}) == Decimal("6.00")
    assert line_total({}) == Decimal("0.00")


def test_line_paid_adds_hidden_tax_and_fixed_product_tax():
    item = {"price": 10, "qty_ordered": 3, "discount_amount": 3, "tax_amount": 2.43,
            "discount_tax_compensation_amount": 0.27, "weee_tax_applied_row_amount": 1.5}
    assert line_paid(item) == Decimal("31.20")
