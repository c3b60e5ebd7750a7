"""Flask's JSON provider on orjson: a detailed lookup answers tens of kilobytes of JSON, which the standard
library's encoder took a twentieth of the bridge's CPU per lookup to write."""
from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

# Dates and dataclasses go to Flask's own default hook, so every answer reads as it did with the default
# provider (HTTP dates, not ISO); orjson handles str, numbers, lists and dicts itself.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class FastJSONProvider(DefaultJSONProvider):
    """``DefaultJSONProvider`` with orjson doing the encoding and decoding; unsorted keys."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return self._encode(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any):
        """The JSON answer as bytes straight from orjson (no str round trip)."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self._encode(obj) + b"\n", mimetype=self.mimetype)

    def _encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            # orjson refuses what the standard library escapes (a lone surrogate in a Magento value, an
            # integer past 64 bits): fall back rather than fail the answer.
            return super().dumps(obj).encode()
