"""Ids from query strings and forms: the one check before int()."""

import re

# ASCII digits only (str.isdigit() also takes "²", which int() refuses), and at most 18: an id
# in a signed 64-bit column. Anything else is no id at all: the caller answers 404 or asks again.
_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value) -> int | None:
    return int(value) if isinstance(value, str) and _ID.fullmatch(value) else None
