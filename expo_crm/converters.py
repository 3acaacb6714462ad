"""Typed input that no database refuses: integers in paths, query strings and forms, JSON bodies.

Every id column is an INTEGER (PostgreSQL: 32-bit signed; SQLite takes 64 bits), so an integer
a request carries is bounded to that range before it reaches a query. A larger one would be a
database error (500); here it is simply not an id: 404 in a path, absent in a query string.
Wired app-wide by `init_app`, so no route or view repeats the bound.
"""

from __future__ import annotations

import builtins

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Map

# The range of the INTEGER id columns (PostgreSQL's integer; a BIGINT id would need 2**63 - 1).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


def bounded_int(text: str) -> int:
    """int(text) within the id columns' range; ValueError otherwise, like any bad number."""
    number = int(text)
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError(f"{text!r} is out of range")
    return number


class BoundedIntConverter(IntegerConverter):
    """The `int` URL converter, bounded: `<int:show_id>` with 2**31 or more does not match (404)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=INT_MIN if min is None else builtins.max(min, INT_MIN),
            max=INT_MAX if max is None else builtins.min(max, INT_MAX),
            signed=signed,
        )


class BoundedArgs(ImmutableMultiDict):
    """Query and form values where `.get(name, default, type=int)` treats an out-of-range
    number as it treats any other bad number: as absent (the default)."""

    def get(self, key, default=None, type=None):
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):
        return super().getlist(key, bounded_int if type is int else type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: rules take their converter when added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = BoundedRequest


def json_nests_deeper_than(text: bytes, limit: int) -> bool:
    """True when the JSON text opens more than `limit` arrays or objects inside each other
    (brackets within strings do not count). Python's parser recurses once per level and fails
    with a RecursionError near 1,000, so a body is measured before it is parsed."""
    if text.count(b"[") + text.count(b"{") <= limit:  # the usual case: nothing to walk
        return False
    depth = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False
