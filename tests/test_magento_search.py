"""searchCriteria parameters and Magento-safe query encoding (magento-rest.md §2.3, §3.2)."""
import pytest

from bridge.magento.search import SearchCriteria
from bridge.magento.search import encode_query

GROUP = "searchCriteria[filter_groups]"


def test_params_for_a_typical_order_search():
    criteria = (SearchCriteria()
                .where("customer_email", "jdoe@example.com")
                .any_of([("status", ["pending", "processing"], "in"), ("customer_id", 3)])
                .order_by("created_at", "desc")
                .limit(10, page=2)
                .fields("items[entity_id,increment_id],total_count"))

    assert criteria.params() == [
        (f"{GROUP}[0][filters][0][field]", "customer_email"),
        (f"{GROUP}[0][filters][0][value]", "jdoe@example.com"),
        (f"{GROUP}[1][filters][0][field]", "status"),
        (f"{GROUP}[1][filters][0][value]", "pending,processing"),
        (f"{GROUP}[1][filters][0][condition_type]", "in"),
        (f"{GROUP}[1][filters][1][field]", "customer_id"),
        (f"{GROUP}[1][filters][1][value]", "3"),
        ("searchCriteria[sortOrders][0][field]", "created_at"),
        ("searchCriteria[sortOrders][0][direction]", "DESC"),
        ("searchCriteria[pageSize]", "10"),
        ("searchCriteria[currentPage]", "2"),
        ("fields", "items[entity_id,increment_id],total_count"),
    ]


def test_builder_is_immutable_and_always_pages():
    base = SearchCriteria()
    narrowed = base.where("email", "a@b.c")

    assert base.params() == [("searchCriteria[pageSize]", "20"), ("searchCriteria[currentPage]", "1")]
    assert len(narrowed.params()) == 4


def test_page_size_is_capped_at_300():
    assert dict(SearchCriteria().limit(1000).params())["searchCriteria[pageSize]"] == "300"


def test_indices_past_nine_are_refused():
    criteria = SearchCriteria()
    for i in range(10):
        criteria = criteria.where("f", i).order_by(f"s{i}")

    with pytest.raises(ValueError, match="At most 10 filter groups"):
        criteria.where("f", 10)
    with pytest.raises(ValueError, match="At most 10 sort orders"):
        criteria.order_by("s10")
    with pytest.raises(ValueError, match="At most 10 filters"):
        SearchCriteria().any_of([("f", i) for i in range(11)])


@pytest.mark.parametrize("field, value, condition, error", [
    ("sku", ["A,B", "C"], "in", ValueError),
    ("sku", [], "nin", ValueError),
    ("sku", "A,B", "in", TypeError),
    ("sku", ["A"], "eq", TypeError),
    ("sku", "A", "contains", ValueError),
    ("sku", None, "eq", TypeError),
])
def test_bad_filters_are_refused(field, value, condition, error):
    with pytest.raises(error):
        SearchCriteria().where(field, value, condition)


@pytest.mark.parametrize("size, page", [(0, 1), (10, 0)])
def test_bad_pages_are_refused(size, page):
    with pytest.raises(ValueError):
        SearchCriteria().limit(size, page)


def test_bad_direction_is_refused():
    with pytest.raises(ValueError):
        SearchCriteria().order_by("created_at", "sideways")


def test_encode_query_is_rfc3986():
    query = encode_query([("searchCriteria[filter_groups][0][filters][0][value]", "%Jane Doe+x=y@ex~ample.com"),
                          ("fields", "items[id,sku]"), ("flag", True)])

    assert query == ("searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D="
                     "%25Jane%20Doe%2Bx%3Dy%40ex~ample.com&fields=items%5Bid%2Csku%5D&flag=1")
    assert "+" not in query


def test_encode_query_refuses_repeated_keys():
    with pytest.raises(ValueError, match="repeated"):
        encode_query([("storeCodes[]", "a"), ("storeCodes[]", "b")])
