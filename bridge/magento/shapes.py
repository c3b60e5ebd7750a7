"""A small language for the shapes of Magento's JSON replies, compiled into straight-line checks.

A proxy, a broken extension or a wrong store URL can answer 2xx with something else than Magento documents
(magento-rest.md; reference/magento/openapi). A shape names only the fields the bridge reads: other fields
are ignored, a missing or null one is None to the code that reads it, and one of the wrong type makes the
whole reply a MagentoBadReply (502) before it can raise deep in a mapper or sit in a cache. The message names
the field, never its value (replies carry shoppers' data). The declared shapes are in ``resources.py``.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bridge.errors import MagentoBadReply

Shape = Callable[[Any], None]  # raises _Mismatch


class _Mismatch(Exception):
    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected
        self.path: list[str] = []


@dataclass(frozen=True)
class Scalar:
    """A shape with a Python test of ``item`` that accepts outright what ``check`` accepts.

    The compiled checks of obj() and list_of() inline that test (a detailed lookup checks a few thousand
    fields, and a call each was most of the cost) and call ``check`` only for anything else, which then
    passes slowly or fails with its message.
    """

    check: Shape
    inline: str

    def __call__(self, value: Any) -> None:
        self.check(value)


_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,12})?")
_LARGEST = 1e15  # money and quantities beyond this are not an order's


def _text(value: Any) -> None:
    if not isinstance(value, str):
        raise _Mismatch("a string")


def _integer(value: Any) -> None:
    if type(value) is not int:
        raise _Mismatch("an integer")


def _number(value: Any) -> None:
    if type(value) is int or type(value) is float:
        if math.isfinite(value) and abs(value) < _LARGEST:
            return
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return
    raise _Mismatch("a number")


def _flag(value: Any) -> None:
    if not isinstance(value, (bool, int, str)):
        raise _Mismatch("a boolean")


def _anything(value: Any) -> None:
    pass


# A string.
text = Scalar(_text, "item.__class__ is str")
# An entity id or count: a JSON integer.
integer = Scalar(_integer, "item.__class__ is int")
# An amount or quantity: a finite JSON number, or a decimal string (some extensions send those). The chained
# comparison is False for NaN, the infinities and integers as large, which go on to the check and fail there.
number = Scalar(_number, f"(item.__class__ is int or item.__class__ is float) and -{_LARGEST!r} < item < {_LARGEST!r}")
# Magento's booleans: true/false, 0/1, or "0"/"1".
flag = Scalar(_flag, "item.__class__ is bool or item.__class__ is int or item.__class__ is str")
# Any JSON value: the code reading it checks its type itself.
anything = Scalar(_anything, "True")


def either(*shapes: Shape, expected: str) -> Shape:
    """A value that fits one of ``shapes``."""

    def check(value: Any) -> None:
        for shape in shapes:
            try:
                shape(value)
                return
            except _Mismatch:
                continue
        raise _Mismatch(expected)

    inline = [f"({shape.inline})" for shape in shapes if isinstance(shape, Scalar)]
    # A value one member accepts outright fits.
    return Scalar(check, " or ".join(inline)) if inline else check


def obj(fields: dict[str, Shape], required: tuple[str, ...] = ()) -> Shape:
    """An object whose listed fields, when present and not null, fit their shapes; ``required`` must be there.

    The check is compiled, like gladly.schemas.compile_dump, into one straight-line function: a test per
    field, the scalar shapes' tests inline.
    """
    body = ["def check(value):",
            "    if not isinstance(value, dict):",
            "        raise _Mismatch('an object')",
            "    get = value.get"]
    for name in required:
        body.append(f"    if get({name!r}) is None:\n        raise _missing({name!r})")
    namespace: dict[str, Any] = {"_Mismatch": _Mismatch, "_missing": _missing}
    for index, (name, shape) in enumerate(fields.items()):
        inline = _inline(shape)
        if inline == "True":
            continue
        namespace[f"shape_{index}"] = shape
        body.append(f"    item = get({name!r})\n"
                    f"    if item is not None and not ({inline}):\n"
                    + _call(f"shape_{index}", repr(f".{name}"), indent=8))
    exec("\n".join(body), namespace)  # noqa: S102 - source built above from the declared fields
    return namespace["check"]


def list_of(shape: Shape) -> Shape:
    """A list whose every entry fits ``shape`` (compiled like obj())."""
    source = ("def check(value):\n"
              "    if not isinstance(value, list):\n"
              "        raise _Mismatch('a list')\n"
              "    for index, item in enumerate(value):\n"
              f"        if not ({_inline(shape)}):\n"
              + _call("shape", "f'[{index}]'", indent=12))
    namespace: dict[str, Any] = {"_Mismatch": _Mismatch, "shape": shape}
    exec(source, namespace)  # noqa: S102 - source built above from the given shape
    return namespace["check"]


def check(reply: Any, shape: Shape, call: str) -> Any:
    """``reply`` itself when it fits ``shape``; MagentoBadReply naming the first misfit otherwise."""
    try:
        shape(reply)
    except _Mismatch as error:
        where = "".join(error.path).lstrip(".") or "the reply"
        raise MagentoBadReply(f"Magento's answer to {call} is not what the bridge expects: {where} should be "
                              f"{error.expected}.", path=call) from None
    return reply


def _inline(shape: Shape) -> str:
    """The Python test of ``item`` that accepts outright what ``shape`` accepts; "False" for none."""
    return shape.inline if isinstance(shape, Scalar) else "False"


def _call(shape: str, step: str, indent: int) -> str:
    """Source calling ``shape`` on ``item``, adding ``step`` to the path of a misfit."""
    pad = " " * indent
    return (f"{pad}try:\n{pad}    {shape}(item)\n{pad}except _Mismatch as error:\n"
            f"{pad}    error.path.insert(0, {step})\n{pad}    raise\n")


def _missing(name: str) -> _Mismatch:
    error = _Mismatch("present")
    error.path.append(f".{name}")
    return error
