"""The reply-shape compiler: the compiled checks mean what a plain reading of the shapes means."""
from __future__ import annotations

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import strategies as st

from bridge.errors import MagentoBadReply
from bridge.magento import shapes

# Shapes as data, so the same declaration is compiled by shapes.py and read by misfit() below:
# a Scalar, ("obj", fields, required), ("list", item) or ("either", members, expected).
REGION = ("either", (("obj", {"a": shapes.text, "b": shapes.integer}, ()), shapes.text), "a region")
SPECS = [
    ("obj", {"id": shapes.integer, "a": shapes.text, "b": shapes.number, "c": shapes.flag}, ("id",)),
    ("list", REGION),
    ("obj", {"a": ("list", ("either", (shapes.text, shapes.number), "a street line")),
             "b": ("obj", {"c": shapes.integer}, ("c",)), "c": shapes.anything, "id": REGION}, ()),
    ("either", (shapes.integer, shapes.text), "an id"),
    ("either", (("list", shapes.number), ("obj", {"a": shapes.number}, ())), "amounts"),
]

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4)
           | st.integers(-10**16, 10**16) | st.integers(-10**16, 10**16).map(float)
           | st.sampled_from(["7", "-0.01", " 10.5 ", "1e5", "", "1" * 16, "0.1234567890123"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(["a", "b", "c", "id"]), inner, max_size=4), max_leaves=12)


def build(spec) -> shapes.Shape:
    if isinstance(spec, shapes.Scalar):
        return spec
    kind, *args = spec
    if kind == "obj":
        return shapes.obj({name: build(field) for name, field in args[0].items()}, required=args[1])
    if kind == "list":
        return shapes.list_of(build(args[0]))
    return shapes.either(*map(build, args[0]), expected=args[1])


def misfit(spec, value) -> tuple[str, str] | None:
    """(path, expected) of the first misfit of ``value``, read without compiling or inline tests; None if it fits."""
    if isinstance(spec, shapes.Scalar):
        try:
            spec.check(value)
        except Exception as error:  # shapes' own mismatch, which says what was expected
            return "", error.expected
        return None
    kind, *args = spec
    if kind == "either":
        return None if any(misfit(member, value) is None for member in args[0]) else ("", args[1])
    if kind == "list":
        if not isinstance(value, list):
            return "", "a list"
        for index, item in enumerate(value):
            if found := misfit(args[0], item):
                return f"[{index}]{found[0]}", found[1]
        return None
    fields, required = args
    if not isinstance(value, dict):
        return "", "an object"
    for name in required:
        if value.get(name) is None:
            return f".{name}", "present"
    for name, field in fields.items():
        if value.get(name) is not None and (found := misfit(field, value[name])):
            return f".{name}{found[0]}", found[1]
    return None


@pytest.mark.parametrize("spec", SPECS, ids=range(len(SPECS)))
@given(value=VALUES)
@example(value={"id": 1, "b": 10**15})
@example(value={"id": 1, "b": float("nan")})
@example(value=[{"a": "x"}, "y", {"b": True}])
def test_compiled_checks_agree_with_reading_the_shape(spec, value):
    try:
        shapes.check(value, build(spec), "GET /t")
        compiled = None
    except MagentoBadReply as error:
        compiled = error.detail
    read = misfit(spec, value)
    expected = read and (f"Magento's answer to GET /t is not what the bridge expects: "
                         f"{read[0].lstrip('.') or 'the reply'} should be {read[1]}.")
    assert compiled == expected


@pytest.mark.parametrize("value", [0, 12, 2.5, -3.25, "10.5000", "-0.01", "7"])
def test_numbers_magento_sends(value):
    shapes.number(value)


@pytest.mark.parametrize("value", [True, None, float("nan"), float("inf"), 1e300, 10**15, "1e5", "ten", "", [], {}])
def test_values_that_are_not_amounts(value):
    with pytest.raises(MagentoBadReply, match="x should be a number"):
        shapes.check({"x": value} if value is not None else {"x": {}}, shapes.obj({"x": shapes.number}), "GET /t")
