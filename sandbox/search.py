"""searchCriteria filtering, sorting and paging, and `fields` projections (magento-rest.md §3.2, §3.3)."""

import math
import re
from dataclasses import dataclass

from .errors import MagentoError
from .errors import required_field

_BRACKETS = re.compile(r"\[([^\]]*)\]")


def nest_query(pairs):
    """Turn PHP-style keys (`a[b][0][c]=v`) into nested dicts, as PHP builds $_GET."""
    root = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        path = [head] + _BRACKETS.findall(key[len(head):])
        node = root
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[path[-1]] = value
    return root


def _pick(mapping, snake, camel, default=None):
    """Read a key in either spelling; Magento maps both onto the same setter (§3.2)."""
    if not isinstance(mapping, dict):
        return default
    return mapping.get(snake, mapping.get(camel, default))


def _indexed(mapping):
    """Return the values of an index-keyed dict ({"0": .., "1": ..}) in index order."""
    if not isinstance(mapping, dict):
        return []
    return [mapping[k] for k in sorted(mapping, key=lambda k: (not k.isdigit(), k.zfill(9)))]


@dataclass
class Criteria:
    """A parsed searchCriteria: OR-groups ANDed together, sort keys and the page window."""

    groups: list
    sort_orders: list
    page_size: int | None
    current_page: int

    def echo(self):
        """Return the search_criteria object Magento echoes in list replies."""
        echo = {"filter_groups": [{"filters": [dict(f) for f in group]} for group in self.groups]}
        if self.sort_orders:
            echo["sort_orders"] = [dict(s) for s in self.sort_orders]
        if self.page_size is not None:
            echo["page_size"] = self.page_size
            echo["current_page"] = self.current_page
        return echo


def parse_criteria(args):
    """Parse searchCriteria from request args (pairs); raise Magento's 400 when it is missing."""
    query = nest_query(args)
    if "searchCriteria" not in query:
        raise required_field("searchCriteria")
    raw = query["searchCriteria"]
    groups = []
    for group in _indexed(_pick(raw, "filter_groups", "filterGroups")):
        filters = [
            {"field": _pick(f, "field", "field", ""), "value": _pick(f, "value", "value", ""),
             "condition_type": _pick(f, "condition_type", "conditionType") or "eq"}
            for f in _indexed(_pick(group, "filters", "filters"))
        ]
        if filters:
            groups.append(filters)
    sort_orders = [
        {"field": _pick(s, "field", "field", ""),
         "direction": str(_pick(s, "direction", "direction") or "ASC").upper()}
        for s in _indexed(_pick(raw, "sort_orders", "sortOrders"))
    ]
    size = _integer(_pick(raw, "page_size", "pageSize"), "pageSize")
    page = _integer(_pick(raw, "current_page", "currentPage"), "currentPage")
    return Criteria(groups, sort_orders, size, page or 1)


def _integer(value, name):
    """An int searchCriteria field, refused with real Magento 2.4.6's 400 (seen in
    tests/real_magento/test_contract.py)."""
    if not value:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MagentoError(400, f'Error occurred during "{name}" processing. The "{value}" value\'s type is '
                                'invalid. The "int" type was expected. Verify and try again.') from None


def _number(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _order_key(value):
    """Key comparing numbers numerically and strings case-insensitively, like MySQL's _ci collations."""
    number = _number(value)
    if number is not None:
        return (0, number, "")
    return (1, 0.0, str(value).casefold())


def _compare(actual, wanted):
    """Return -1, 0 or 1 comparing an entity value with a filter value."""
    a, b = _order_key(actual), _order_key(wanted)
    if a[0] != b[0]:  # number against text: compare as text
        a, b = (1, 0.0, str(actual).casefold()), (1, 0.0, str(wanted).casefold())
    return (a > b) - (a < b)


def _like(actual, pattern):
    """MySQL LIKE: % is any run, _ one character, case-insensitive."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, str(actual), re.IGNORECASE | re.DOTALL) is not None


def _in(actual, wanted):
    return any(_compare(actual, v.strip()) == 0 for v in str(wanted).split(","))


def _finset(actual, wanted):
    return str(wanted) in str(actual).split(",")


_CONDITIONS = {
    "eq": lambda a, v: _compare(a, v) == 0,
    "neq": lambda a, v: _compare(a, v) != 0,
    "gt": lambda a, v: _compare(a, v) > 0,
    "gteq": lambda a, v: _compare(a, v) >= 0,
    "moreq": lambda a, v: _compare(a, v) >= 0,
    "from": lambda a, v: _compare(a, v) >= 0,
    "lt": lambda a, v: _compare(a, v) < 0,
    "lteq": lambda a, v: _compare(a, v) <= 0,
    "to": lambda a, v: _compare(a, v) <= 0,
    "like": _like,
    "nlike": lambda a, v: not _like(a, v),
    "in": _in,
    "nin": lambda a, v: not _in(a, v),
    "finset": _finset,
    "nfinset": lambda a, v: not _finset(a, v),
}


def _matches(row, flt):
    actual = row.get(flt["field"])
    condition = flt["condition_type"].lower()
    if condition == "null":
        return actual is None
    if condition == "notnull":
        return actual is not None
    if actual is None:  # SQL: NULL never satisfies a comparison
        return False
    return _CONDITIONS.get(condition, _CONDITIONS["eq"])(actual, flt["value"])


def search(rows, criteria, view=None):
    """Filter, sort and page rows; return Magento's {"items", "search_criteria", "total_count"}.

    `view(row)` may add derived filter fields (e.g. a customer's billing_telephone); items are the
    rows themselves.
    """
    view = view or (lambda row: row)
    matched = [row for row in rows
               if all(any(_matches(view(row), f) for f in group) for group in criteria.groups)]
    for order in reversed(criteria.sort_orders):
        present = [r for r in matched if view(r).get(order["field"]) is not None]
        absent = [r for r in matched if view(r).get(order["field"]) is None]
        descending = order["direction"] == "DESC"
        present.sort(key=lambda r: _order_key(view(r)[order["field"]]), reverse=descending)
        matched = present + absent if descending else absent + present  # NULLs sort lowest
    total = len(matched)
    if criteria.page_size:
        # Magento collections clamp an overflowing page to the last one [I].
        page = min(criteria.current_page, max(1, math.ceil(total / criteria.page_size)))
        start = (page - 1) * criteria.page_size
        matched = matched[start:start + criteria.page_size]
    return {"items": matched, "search_criteria": criteria.echo(), "total_count": total}


def parse_fields(spec):
    """Parse `a,b[c,d[e]]` into {"a": None, "b": {"c": None, "d": {"e": None}}}."""
    root = node = {}
    stack, name = [], ""
    for char in spec:
        if char == "[":
            child = node[name.strip()] = {}
            stack.append(node)
            node, name = child, ""
            continue
        if char in ",]" and name.strip():
            node[name.strip()] = None
        if char == "]" and stack:
            node = stack.pop()
        name = "" if char in ",]" else name + char
    if name.strip():
        node[name.strip()] = None
    return root


def project(value, tree):
    """Keep only the requested fields, recursing into objects and lists (Magento's FieldsFilter)."""
    if isinstance(value, list):
        return [project(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: value[key] if sub is None else project(value[key], sub)
            for key, sub in tree.items() if key in value}
