"""Magento ``searchCriteria`` query parameters and the query encoding Magento signs (magento-rest.md §2.3, §3.2)."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable

from bridge.magento.oauth import encode

CONDITIONS = frozenset({"eq", "neq", "gt", "gteq", "lt", "lteq", "moreq", "from", "to", "like", "nlike",
                        "in", "nin", "finset", "nfinset", "null", "notnull"})
LIST_CONDITIONS = frozenset({"in", "nin"})
# Older Magento sorts signed parameter names with strnatcmp, newer with ksort; both agree only while
# every index is a single digit (§2.3).
MAX_INDEX = 9
# The input limit of 2.4.7+ (off by default) caps pages at 300; the default page is 20 (§3.2).
MAX_PAGE_SIZE = 300
DEFAULT_PAGE_SIZE = 20
# Parameter names and ``fields`` projections are constants of the code (the order projection alone is 800
# characters), so each is encoded once; values that come from shoppers are not kept.
_encode_constant = functools.lru_cache(maxsize=256)(encode)


def to_text(value: str | int | float | bool) -> str:
    """A query value as Magento reads it (booleans as 1/0)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"Cannot send {type(value).__name__} as a Magento query value.")


@dataclasses.dataclass(frozen=True)
class Filter:
    """One ``field condition value`` test."""

    field: str
    value: str
    condition: str = "eq"

    @classmethod
    def build(cls, field: str, value, condition: str = "eq") -> Filter:
        """Validate a filter; ``in``/``nin`` take a non-empty list of values without commas."""
        if condition not in CONDITIONS:
            raise ValueError(f"Unknown condition type {condition!r}.")
        if condition in LIST_CONDITIONS:
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise TypeError(f"Condition {condition!r} takes a list of values.")
            items = [to_text(item) for item in value]
            if not items:
                raise ValueError(f"Condition {condition!r} needs at least one value.")
            # Magento splits the value on commas, so a comma inside one item would make two.
            if any("," in item for item in items):
                raise ValueError(f"A value of an {condition!r} list cannot contain a comma: {items!r}.")
            return cls(field, ",".join(items), condition)
        return cls(field, to_text(value), condition)


@dataclasses.dataclass(frozen=True)
class SearchCriteria:
    """An immutable builder of ``searchCriteria`` parameters; every method returns a new criteria."""

    groups: tuple[tuple[Filter, ...], ...] = ()
    sort_orders: tuple[tuple[str, str], ...] = ()
    page_size: int = DEFAULT_PAGE_SIZE
    current_page: int = 1
    field_spec: str | None = None

    def where(self, field: str, value, condition: str = "eq") -> SearchCriteria:
        """Add an AND group holding one filter."""
        return self.any_of([(field, value, condition)])

    def any_of(self, filters: Iterable[tuple]) -> SearchCriteria:
        """Add an AND group whose filters, each ``(field, value[, condition])``, are ORed."""
        group = tuple(Filter.build(*item) for item in filters)
        if not group:
            raise ValueError("A filter group needs at least one filter.")
        _check_index(len(self.groups), "filter groups")
        _check_index(len(group) - 1, "filters in one group")
        return dataclasses.replace(self, groups=(*self.groups, group))

    def order_by(self, field: str, direction: str = "ASC") -> SearchCriteria:
        """Add a sort order, ASC or DESC."""
        direction = direction.upper()
        if direction not in ("ASC", "DESC"):
            raise ValueError(f"Sort direction must be ASC or DESC, got {direction!r}.")
        _check_index(len(self.sort_orders), "sort orders")
        return dataclasses.replace(self, sort_orders=(*self.sort_orders, (field, direction)))

    def limit(self, size: int, page: int = 1) -> SearchCriteria:
        """Set the page size (at most 300) and the 1-based page."""
        if size < 1 or page < 1:
            raise ValueError(f"Page size and page must be positive, got {size} and {page}.")
        return dataclasses.replace(self, page_size=min(size, MAX_PAGE_SIZE), current_page=page)

    def fields(self, spec: str) -> SearchCriteria:
        """Trim the reply to ``spec``, e.g. ``items[entity_id,increment_id],total_count`` (§3.3)."""
        return dataclasses.replace(self, field_spec=spec)

    def params(self) -> list[tuple[str, str]]:
        """The query parameters, in a stable order; ``pageSize`` is always sent (§3.2)."""
        params = []
        for i, group in enumerate(self.groups):
            for j, item in enumerate(group):
                prefix = f"searchCriteria[filter_groups][{i}][filters][{j}]"
                params += [(f"{prefix}[field]", item.field), (f"{prefix}[value]", item.value)]
                if item.condition != "eq":
                    params.append((f"{prefix}[condition_type]", item.condition))
        for k, (field, direction) in enumerate(self.sort_orders):
            params += [(f"searchCriteria[sortOrders][{k}][field]", field),
                       (f"searchCriteria[sortOrders][{k}][direction]", direction)]
        params += [("searchCriteria[pageSize]", str(self.page_size)),
                   ("searchCriteria[currentPage]", str(self.current_page))]
        if self.field_spec:
            params.append(("fields", self.field_spec))
        return params


def _check_index(index: int, what: str) -> None:
    if index > MAX_INDEX:
        raise ValueError(f"At most {MAX_INDEX + 1} {what}: Magento signs multi-digit indices inconsistently.")


def encode_query(params: Iterable[tuple[str, str | int | float | bool]]) -> str:
    """Percent-encode parameters RFC 3986 style (``%20`` for spaces), the way Magento signs them.

    ``rawurldecode`` keeps ``+`` literal, so form encoding would be signed differently on each side, and
    Magento keeps one value per name, so a repeated key is refused (§2.3).
    """
    seen = set()
    pairs = []
    for key, value in params:
        if key in seen:
            raise ValueError(f"Query parameter {key!r} is repeated; Magento would keep only one.")
        seen.add(key)
        # The very encoding the OAuth signature needs (RFC 5849 §3.6), so the signer uses pairs as sent.
        text = to_text(value)
        pairs.append(f"{_encode_constant(key)}={_encode_constant(text) if key == 'fields' else encode(text)}")
    return "&".join(pairs)
