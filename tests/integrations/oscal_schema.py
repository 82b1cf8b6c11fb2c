r"""NIST's OSCAL JSON schema as a validator, for the OSCAL export's tests.

The schema is oscal_complete_schema.json of NIST's OSCAL 1.2.3 release, put in .cache/oscal by
bin/_oscal_schema.sh (bin/test runs it) and checked here against the hash that script pins.

It is a draft-07 schema, so the validator is jsonschema's Draft7Validator, with one change:
OSCAL's token type (every id, property name and role id) has the pattern
``^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$``, and Python's ``re`` cannot compile ``\p{..}`` classes
(jsonschema's own ``pattern`` keyword would raise on the first token). The ``pattern`` keyword
(and the metaschema's "regex" format, when the schema itself is checked) alone is swapped for
one that uses the ``regex`` module, which implements Unicode property
classes as JSON Schema's ECMA-262 regexes mean them; every other keyword is jsonschema's own.
No FormatChecker: jsonschema checks the schema's formats (date-time, uri, uri-reference, email)
only with extra packages, and the date-time and uri types carry patterns that are checked.
"""

import hashlib
import json
import re
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import regex
from jsonschema.exceptions import best_match

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / ".cache/oscal/oscal_complete_schema.json"
SCRIPT = ROOT / "bin/_oscal_schema.sh"
NIST_ID = "http://csrc.nist.gov/ns/oscal/1.0/1.2.3/oscal-complete-schema.json"


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})
# Checking the schema itself against draft-07's metaschema: its patterns are regexes of the
# same dialect.
METASCHEMA_FORMATS = jsonschema.FormatChecker(["regex"])
METASCHEMA_FORMATS.checks("regex", raises=regex.error)(regex.compile)


@cache
def validator() -> jsonschema.Draft7Validator:
    if not SCHEMA.exists():
        pytest.fail(f"{SCHEMA} is missing: run bash bin/_oscal_schema.sh (bin/test does)")
    body = SCHEMA.read_bytes()
    pinned = re.search(r"^SCHEMA_SHA256=(\w+)$", SCRIPT.read_text(), re.MULTILINE).group(1)
    assert hashlib.sha256(body).hexdigest() == pinned, f"{SCHEMA} is not the pinned file"
    schema = json.loads(body)
    assert schema["$id"] == NIST_ID
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    OscalValidator.check_schema(schema, format_checker=METASCHEMA_FORMATS)
    return OscalValidator(schema)


def problem(document: dict) -> str | None:
    """None when ``document`` is valid; else the most specific error, as "path: message" (the
    schema's root is a oneOf of the models, so the error is looked for inside it)."""
    error = best_match(validator().iter_errors(document))
    if error is None:
        return None
    return f"/{'/'.join(map(str, error.absolute_path))}: {error.message[:500]}"
