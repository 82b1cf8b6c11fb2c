"""The OSCAL mapper alone, without a database: plain rows in, trestle's component definition
out, read back as the JSON the export serves (docs/oscal.md is the mapping it must follow)."""

import datetime
import json

from integrations import oscal
from tests.integrations import oscal_schema

LAST_MODIFIED = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
ROWS = [
    oscal.Row("A&A-01.1", "A&A-01", "A&A", "Yes", "Shared CSP and CSC", "We audit.", "You log."),
    oscal.Row("A&A-01.2", "A&A-01", "A&A", "", "", "", ""),
    oscal.Row("AIS-02.1", "AIS-02", "AIS", "NA", "3rd-party outsourced", "  ", "  "),
    oscal.Row("BCR-01.1", "BCR-01", "BCR", "No", "CSC-owned", "Planned.", "Back it up."),
]


def export(rows=ROWS, **changes) -> oscal.Export:
    values = {
        "questionnaire_id": 7,
        "name": "Acme Storage 2026",
        "service_name": "Acme Object Storage",
        "organization": "Acme Cloud",
        "status": "approved",
        "caiq_version": "4.0.3",
        "ccm_version": "4.0.12",
        "last_modified": LAST_MODIFIED,
        "rows": rows,
    }
    return oscal.Export(**(values | changes))


def document(data: oscal.Export) -> dict:
    return json.loads(oscal.as_json(data))


def props(node: dict) -> dict[str, str]:
    assert all(p["ns"] == oscal.NS for p in node.get("props", []))
    return {p["name"]: p["value"] for p in node.get("props", [])}


def statements(doc: dict) -> dict[str, dict]:
    """Statements by their caiq-question-id."""
    (component,) = doc["component-definition"]["components"]
    (implementation,) = component["control-implementations"]
    found = {}
    for requirement in implementation["implemented-requirements"]:
        for statement in requirement["statements"]:
            found[props(statement)["caiq-question-id"]] = statement
    return found


def test_the_service_is_one_component_with_the_ccm_as_its_source():
    doc = document(export())["component-definition"]

    (component,) = doc["components"]
    (implementation,) = component["control-implementations"]
    assert (component["type"], component["title"]) == ("service", "Acme Object Storage")
    assert implementation["source"] == oscal.CCM_SOURCE
    assert props(implementation) == {"caiq-version": "4.0.3", "ccm-version": "4.0.12"}
    assert doc["metadata"]["title"] == "Acme Storage 2026: CAIQ v4.0.3"
    assert doc["metadata"]["last-modified"] == "2026-03-04T05:06:07+00:00"
    assert props(doc["metadata"])["questionnaire-status"] == "approved"


def test_each_control_is_one_implemented_requirement_with_its_questions_as_statements():
    doc = document(export())
    (component,) = doc["component-definition"]["components"]
    (implementation,) = component["control-implementations"]

    requirements = implementation["implemented-requirements"]

    assert [r["control-id"] for r in requirements] == ["a_a-01", "ais-02", "bcr-01"]
    assert [props(r)["ccm-control-id"] for r in requirements] == ["A&A-01", "AIS-02", "BCR-01"]
    assert [s["statement-id"] for s in requirements[0]["statements"]] == [
        "a_a-01_smt.1",
        "a_a-01_smt.2",
    ]
    assert "2 CAIQ questions of CCM control A&A-01 (1 answered)" in requirements[0]["description"]


def test_every_answer_is_one_statement_with_its_question_id():
    found = statements(document(export()))

    assert list(found) == ["A&A-01.1", "A&A-01.2", "AIS-02.1", "BCR-01.1"]


def test_the_answer_and_descriptions_are_in_the_statement():
    statement = statements(document(export()))["A&A-01.1"]

    assert props(statement) == {
        "caiq-question-id": "A&A-01.1",
        "caiq-answer": "Yes",
        "ssrm-control-ownership": "Shared CSP and CSC",
    }
    assert statement["description"] == "CAIQ answer: Yes.\n\nWe audit."
    assert statement["remarks"] == "You log."


def test_the_ssrm_owner_becomes_the_responsible_roles_defined_in_the_metadata():
    found = statements(document(export()))
    roles = {
        code: [r["role-id"] for r in s.get("responsible-roles", [])] for code, s in found.items()
    }

    assert roles == {
        "A&A-01.1": ["csp", "csc"],
        "A&A-01.2": [],
        "AIS-02.1": ["third-party"],
        "BCR-01.1": ["csc"],
    }
    metadata_roles = document(export())["component-definition"]["metadata"]["roles"]
    assert [role["id"] for role in metadata_roles] == ["csp", "csc", "third-party"]


def test_each_ssrm_value_of_caiq_maps_to_roles():
    from caiq.models import SsrmOwnership

    assert set(oscal.SSRM_ROLES) == set(SsrmOwnership.values)
    assert oscal.SSRM_ROLES["Shared CSP and 3rd-party"] == ("csp", "third-party")


def test_an_unanswered_question_keeps_its_statement_without_answer_or_roles():
    statement = statements(document(export()))["A&A-01.2"]

    assert props(statement) == {"caiq-question-id": "A&A-01.2"}
    assert statement["description"] == f"{oscal.NOT_ANSWERED}\n\n{oscal.NO_DESCRIPTION}"
    assert "responsible-roles" not in statement
    assert "remarks" not in statement


def test_blank_descriptions_are_left_out_rather_than_written_as_whitespace():
    statement = statements(document(export()))["AIS-02.1"]

    assert statement["description"] == f"CAIQ answer: NA.\n\n{oscal.NO_DESCRIPTION}"
    assert "remarks" not in statement


def test_the_same_questionnaire_exports_the_same_uuids_and_another_gets_others():
    first, again = oscal.as_json(export()), oscal.as_json(export())
    other = document(export(questionnaire_id=8))

    assert first == again
    uuids = {s["uuid"] for s in statements(json.loads(first)).values()}
    assert len(uuids) == len(ROWS)
    assert uuids.isdisjoint(s["uuid"] for s in statements(other).values())


def test_a_multi_line_name_becomes_a_one_line_title():
    doc = document(export(name="Acme\nStorage", service_name="Object\r\nStorage"))

    assert doc["component-definition"]["metadata"]["title"] == "Acme Storage: CAIQ v4.0.3"
    assert doc["component-definition"]["components"][0]["title"] == "Object Storage"
    assert oscal_schema.problem(doc) is None


def test_the_small_export_and_one_without_answers_validate_against_nists_schema():
    assert oscal_schema.problem(document(export())) is None
    empty = document(export(rows=[], ccm_version=""))
    assert "control-implementations" not in empty["component-definition"]["components"][0]
    assert oscal_schema.problem(empty) is None


def test_the_schema_check_rejects_what_oscal_forbids():
    """The validator is not vacuous: an id that is no OSCAL token ("&") and a missing
    required field are both refused."""
    doc = document(export())
    doc["component-definition"]["components"][0]["control-implementations"][0][
        "implemented-requirements"
    ][0]["control-id"] = "A&A-01"
    no_metadata = document(export())
    del no_metadata["component-definition"]["metadata"]

    assert "does not match" in oscal_schema.problem(doc)
    assert "'metadata' is a required property" in oscal_schema.problem(no_metadata)
