"""Text as SpreadsheetML stores it: the one place that encodes cell text for XML.

XML 1.0 cannot carry most control characters, and a parser turns a carriage return into a line
feed; OOXML writes both as ``_xHHHH_`` escapes (and escapes a literal ``_xHHHH_`` as
``_x005F_xHHHH_``), which Excel, LibreOffice and openpyxl's reader all undo. docs/caiq-format.md
says where the builder and the writer rely on this.
"""

import re
from xml.sax.saxutils import escape

# Characters XML 1.0 forbids or a parser would alter: C0 controls except tab and line feed, CR.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
# Lookahead, so that back-to-back escape-like runs ("_x0041_x0042_") are each escaped.
_ESCAPE_LIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ANY = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(value: str) -> str:
    """``value`` with OOXML's ``_xHHHH_`` escapes applied (still needs XML escaping)."""
    if not _NEEDS_ANY.search(value):
        return value  # the usual case, at the cost of one search
    value = _ESCAPE_LIKE.sub("_x005F_", value)
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def ooxml_unescape(value: str) -> str:
    """The text a cell holds, from its stored form (openpyxl leaves _xHHHH_ as it is)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value


def xml_text(value: str) -> str:
    """Cell text ready to sit between ``<t>`` tags."""
    return escape(ooxml_escape(value))


def t_element(value: str, *, mark_space: bool = True) -> str:
    """A ``<t>`` element. White space a reader could drop (at either end, line breaks, tabs) is
    kept with ``xml:space="preserve"``, unless the caller's enclosing element already says so
    (``mark_space=False``, as CSA's sharedStrings.xml declares it once on its root)."""
    if mark_space and (value != value.strip() or "\n" in value or "\t" in value):
        return f'<t xml:space="preserve">{xml_text(value)}</t>'
    return f"<t>{xml_text(value)}</t>"
