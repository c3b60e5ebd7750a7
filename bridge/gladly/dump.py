"""Compiled dump functions for the response schemas: a performance device, kept apart from the wire format.

The lookup view dumps every answer through one (see ``compile_dump`` for the measured reason), while
:mod:`bridge.gladly.responses` stays the one definition of what is written. It reads marshmallow's
``dump_fields`` and calls the private ``Field._serialize``, so ``tests/test_gladly_dump.py`` holds it equal
to marshmallow's own dump on every marshmallow release the version range allows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema
from marshmallow import fields

from bridge.gladly.responses import WireSchema


def compile_dump(schema: Schema) -> Callable[[Any], dict]:
    """A function that dumps like ``schema.dump`` for the plain response schemas, many times faster.

    A detailed lookup dumps thousands of fields; marshmallow's per-field machinery was a sixth of the
    bridge's CPU per lookup, and a loop of per-field closures still a tenth. The schema stays the one
    definition of the wire format: this reads its declared fields (attribute, data_key, type) once and
    writes them out as the straight-line body of one function per schema. Tests hold the two equal.
    """
    drop_none = isinstance(schema, WireSchema)
    namespace: dict[str, Any] = {"_DictView": _DictView, "MISSING": _MISSING}
    body = ["def dump(obj):",
            "    if obj.__class__ is dict:",
            "        obj = _DictView(obj)",
            "    out = {}"]
    for index, (name, field) in enumerate(schema.dump_fields.items()):
        attr, key = repr(field.attribute or name), repr(field.data_key or name)
        if isinstance(field, fields.Constant):
            if field.constant is not None or not drop_none:
                namespace[f"constant_{index}"] = field.constant
                body.append(f"    out[{key}] = constant_{index}")
            continue
        # As marshmallow: an absent attribute writes no key; None writes null, or nothing in wire schemas.
        body.append(f"    value = getattr(obj, {attr}, MISSING)")
        if isinstance(field, fields.String):
            converted = "value if value.__class__ is str else str(value)"
        else:
            namespace[f"convert_{index}"] = _compile_field(field)
            converted = f"convert_{index}(value)"
        if not drop_none:
            body.append(f"    if value is not MISSING:\n        out[{key}] = None if value is None else {converted}")
        elif isinstance(field, fields.String):  # a string never converts to None
            body.append(f"    if value is not None and value is not MISSING:\n        out[{key}] = {converted}")
        else:  # a custom field may serialize to None, which is dropped too
            body.append(f"    if value is not None and value is not MISSING:\n        value = {converted}\n"
                        f"        if value is not None:\n            out[{key}] = value")
    body.append("    return out")
    exec("\n".join(body), namespace)  # noqa: S102 - source built above from the schema's own declarations
    return namespace["dump"]


_MISSING = object()


class _DictView:
    """Attribute access to a dict for the generated dump functions; an absent key is an absent attribute."""

    __slots__ = ("_data",)

    def __init__(self, data: dict):
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None


def _compile_field(field: fields.Field) -> Callable[[Any], Any]:
    """The conversion of one non-None value of a declared field (lists convert None items to None)."""
    if isinstance(field, fields.Nested):
        return compile_dump(field.schema)
    if isinstance(field, fields.List):
        item = _compile_field(field.inner)
        return lambda values: [None if value is None else item(value) for value in values]
    if isinstance(field, fields.String):
        return str
    if isinstance(field, fields.Dict):
        return dict
    # the custom fields of bridge.gladly.responses (_EmailField, _CountField, _RefundsField)
    return lambda value: field._serialize(value, None, None)
