"""The compiled dump writes exactly what marshmallow's dump of the same response schema writes."""
from __future__ import annotations

import pytest

from bridge.gladly.dump import compile_dump
from bridge.gladly.responses import ActionSchema
from bridge.gladly.responses import FulfillmentSchema
from bridge.gladly.responses import LookupResponseSchema
from bridge.gladly.responses import OrderLineSchema
from bridge.lookup.model import Fulfillment
from bridge.lookup.model import OrderLine
from bridge.lookup.model import Phone
from bridge.lookup.model import Profile
from tests.test_gladly_responses import jane


@pytest.mark.parametrize("schema, obj", [
    pytest.param(LookupResponseSchema(), {"results": [jane()]}, id="detailed"),
    pytest.param(LookupResponseSchema(), {"results": [Profile(external_customer_id="guest:a@b.c", name=None,
                                                              phones=[Phone("+1512", "HOME")])]}, id="basic"),
    pytest.param(LookupResponseSchema(), {"results": []}, id="empty"),
    pytest.param(LookupResponseSchema(), {"results": [{"externalCustomerId": "x", "external_customer_id": "3",
                                                       "phones": [{"number": 5125551111}], "emails": ["a@b.c"],
                                                       "custom_attributes": {"orderCount": "2"}}]}, id="dicts"),
    pytest.param(ActionSchema(), {"name": None}, id="missing-and-none"),
    pytest.param(FulfillmentSchema(), Fulfillment(product_ids=["1", None, 3], status="shipped"),
                 id="list-items"),
    pytest.param(OrderLineSchema(), OrderLine(id="9", name="Flour", sku="FL-1", quantity=1.5, unit_price="$2",
                                              total="$3", status="ordered"), id="fractional-quantity"),
])
def test_compiled_dump_equals_the_schema_dump(schema, obj):
    """The fast path the lookup view uses writes exactly what marshmallow writes."""
    assert compile_dump(schema)(obj) == schema.dump(obj)
