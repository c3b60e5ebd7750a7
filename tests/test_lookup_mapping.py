"""Pure Magento → model mapping of order lines, fulfilment and shipments."""
import pytest

from bridge.lookup.mapping import customer_phones
from bridge.lookup.mapping import fulfillments
from bridge.lookup.mapping import is_fulfilled
from bridge.lookup.mapping import lifetime_value
from bridge.lookup.mapping import line_status
from bridge.lookup.model import Phone


def line(ordered=1, shipped=0, invoiced=0, refunded=0, canceled=0, virtual=0):
    return {"item_id": 1, "qty_ordered": ordered, "qty_shipped": shipped, "qty_invoiced": invoiced,
            "qty_refunded": refunded, "qty_canceled": canceled, "is_virtual": virtual}


@pytest.mark.parametrize(("item", "status"), [
    (line(), "ordered"),
    (line(invoiced=1), "invoiced"),
    (line(ordered=2, shipped=1, invoiced=2), "partially shipped"),
    (line(ordered=2, shipped=1, invoiced=2, refunded=1), "shipped"),
    (line(shipped=1, invoiced=1), "shipped"),
    (line(canceled=1), "canceled"),
    (line(invoiced=1, refunded=1), "refunded"),
    (line(ordered=2, canceled=1, refunded=1), "refunded"),
])
def test_line_status(item, status):
    assert line_status(item) == status


@pytest.mark.parametrize(("lines", "fulfilled"), [
    ([line(shipped=1), line(ordered=2, shipped=1, refunded=1)], True),
    ([line(shipped=1), line(ordered=2, shipped=1)], False),
    ([line(invoiced=1, virtual=1)], True),  # a virtual line needs no shipment
    ([line(virtual=1)], False),
    ([line(shipped=1), line(canceled=1)], True),
    ([line(canceled=1)], False),  # nothing was delivered
    ([], False),
])
def test_fulfilled(lines, fulfilled):
    assert is_fulfilled(lines) is fulfilled


def test_fulfillments_map_child_rows_to_the_visible_parent_and_split_tracks():
    order = {"shipping_description": "Best Way", "items": [
        {"item_id": 5, "product_type": "configurable"}, {"item_id": 6, "parent_item_id": 5}, {"item_id": 7}]}
    shipments = [
        {"entity_id": 2, "created_at": "2020-01-03 00:00:00", "items": [{"order_item_id": 7}], "tracks": []},
        {"entity_id": 1, "created_at": "2020-01-02 00:00:00", "items": [{"order_item_id": 6}, {"order_item_id": 5}],
         "tracks": [{"track_number": "1Z1", "carrier_code": "ups", "title": ""},
                    {"track_number": "94001", "carrier_code": "usps", "title": "United States Postal Service"}]},
    ]

    result = fulfillments(order, shipments)

    assert [(f.product_ids, f.carrier, f.tracking_number) for f in result] == [
        (["5"], "ups", "1Z1"), (["5"], "United States Postal Service", "94001"), (["7"], "", "")]
    assert result[0].tracking_url == "https://www.ups.com/track?tracknum=1Z1"
    assert {f.status for f in result} == {"shipped"} and {f.shipping_speed for f in result} == {"Best Way"}


def test_lifetime_value_sums_each_base_currency_net_of_refunds_without_canceled_orders():
    totals = [{"state": "complete", "base_grand_total": 10, "base_total_refunded": 2.5, "base_currency_code": "USD"},
              {"state": "canceled", "base_grand_total": 99, "base_currency_code": "USD"},
              {"state": "processing", "base_grand_total": 5, "base_currency_code": "EUR"}]

    assert lifetime_value(totals, "USD") == "$7.50 + €5.00"
    assert lifetime_value([], "GBP") == "£0.00"


def test_customer_phones_default_billing_is_mobile_others_are_other():
    customer = {"default_billing": "9", "addresses": [
        {"id": 3, "telephone": "(646) 555-0199", "country_id": "US"},
        {"id": 9, "telephone": "512-555-1111", "country_id": "US"},
        {"id": 4, "telephone": "+1 512 555 1111", "country_id": "US"}]}

    assert customer_phones(customer) == [Phone("+15125551111", "MOBILE"), Phone("+16465550199", "OTHER")]
