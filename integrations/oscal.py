"""A questionnaire as an OSCAL component definition (docs/oscal.md has the mapping table).

Pure format code: plain data in, compliance-trestle's OSCAL model out, no ORM. The cloud
service is one component; its one control implementation names the CCM as its source; each CCM
control is an implemented requirement, and each CAIQ question of the control one statement of
it, carrying the question ID, the answer and the SSRM owner as a responsible role. A control
holds several questions, and a statement per question keeps "every answer exactly once, with
its question ID" visible in the document's own structure.

Every identifier is a uuid5 of the questionnaire and the question (or control), so exporting
the same questionnaire twice gives the same UUIDs, and a consumer can match re-exports.
"""

import datetime
import uuid
from dataclasses import dataclass

from trestle.oscal import OSCAL_VERSION
from trestle.oscal.common import Metadata, Property, ResponsibleRole, Role
from trestle.oscal.component import (
    ComponentDefinition,
    ControlImplementation,
    DefinedComponent,
    ImplementedRequirement,
    Statement,
)

# Our own namespace: the names of the CAIQ-specific properties (``caiq-question-id`` ...) are
# ours, not NIST's. A urn:uuid needs no domain of ours to stay globally unique; the same UUID
# seeds every uuid5 below.
PROJECT = uuid.UUID("0a36190d-a29f-4cad-8c42-1e9b5b641eb8")
NS = PROJECT.urn
# CSA publishes no OSCAL catalog of the CCM, so the source names CSA's CCM v4 release page.
CCM_SOURCE = "https://cloudsecurityalliance.org/artifacts/cloud-controls-matrix-v4/"

CSP, CSC, THIRD_PARTY = "csp", "csc", "third-party"
ROLES = (
    (CSP, "Cloud service provider (CSP)"),
    (CSC, "Cloud service customer (CSC)"),
    (THIRD_PARTY, "Third party the CSP outsources to"),
)
# CAIQ's SSRM control ownership values (caiq.models.SsrmOwnership) → the roles responsible.
SSRM_ROLES = {
    "CSP-owned": (CSP,),
    "CSC-owned": (CSC,),
    "3rd-party outsourced": (THIRD_PARTY,),
    "Shared CSP and CSC": (CSP, CSC),
    "Shared CSP and 3rd-party": (CSP, THIRD_PARTY),
}
NOT_ANSWERED = "Not answered."
NO_DESCRIPTION = "No CSP implementation description."


@dataclass(frozen=True)
class Row:
    """One answer of the questionnaire, with where its question sits in the catalog."""

    question_id: str  # "A&A-01.1"
    control_id: str  # "A&A-01"
    domain_id: str  # "A&A"
    answer: str  # "Yes", "No", "NA" or "" (not answered)
    ssrm: str  # a caiq.models.SsrmOwnership value or ""
    implementation: str  # the CSP implementation description
    csc_responsibilities: str


@dataclass(frozen=True)
class Export:
    """The questionnaire's metadata and its answers in catalog order."""

    questionnaire_id: int
    name: str
    service_name: str
    organization: str
    status: str
    caiq_version: str
    ccm_version: str
    last_modified: datetime.datetime  # timezone-aware
    rows: list[Row]


def token(code: str) -> str:
    """A CAIQ/CCM code as an OSCAL token: lower case, "&" (not allowed in a token) as "_"
    ("A&A-01" → "a_a-01"). No CCM code holds "_", so the mapping loses nothing."""
    return code.lower().replace("&", "_")


def statement_id(question_id: str) -> str:
    """The question's statement: A&A-01.1 → a_a-01_smt.1, as NIST names "<control>_smt.<part>"."""
    control, _, number = question_id.partition(".")
    return f"{token(control)}_smt.{number}"


def _uuid(export: Export, *parts: str) -> str:
    name = "/".join(["questionnaire", str(export.questionnaire_id), *parts])
    return str(uuid.uuid5(PROJECT, name))


def _line(text: str) -> str:
    """A title is one line of Markdown in OSCAL: a name's line breaks become spaces."""
    return " ".join(text.split())


def _prop(name: str, value: str) -> Property:
    return Property(name=name, value=value, ns=NS)


def _description(row: Row) -> str:
    answer = f"CAIQ answer: {row.answer}." if row.answer else NOT_ANSWERED
    return f"{answer}\n\n{row.implementation.strip() or NO_DESCRIPTION}"


def _statement(export: Export, row: Row) -> Statement:
    props = [_prop("caiq-question-id", row.question_id)]
    if row.answer:
        props.append(_prop("caiq-answer", row.answer))
    if row.ssrm:
        props.append(_prop("ssrm-control-ownership", row.ssrm))
    roles = [ResponsibleRole(role_id=role) for role in SSRM_ROLES.get(row.ssrm, ())]
    return Statement(
        statement_id=statement_id(row.question_id),
        uuid=_uuid(export, "question", row.question_id),
        description=_description(row),
        props=props,
        responsible_roles=roles or None,
        remarks=row.csc_responsibilities.strip() or None,
    )


def _by_control(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    controls: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        controls.setdefault((row.domain_id, row.control_id), []).append(row)
    return controls


def _requirement(
    export: Export, domain_id: str, control_id: str, rows: list[Row]
) -> ImplementedRequirement:
    answered = sum(1 for row in rows if row.answer)
    return ImplementedRequirement(
        uuid=_uuid(export, "control", control_id),
        control_id=token(control_id),
        description=(
            f"{export.service_name}'s answers to the {len(rows)} CAIQ question"
            f"{'' if len(rows) == 1 else 's'} of CCM control {control_id} "
            f"({answered} answered)."
        ),
        props=[_prop("ccm-control-id", control_id), _prop("ccm-domain-id", domain_id)],
        statements=[_statement(export, row) for row in rows],
    )


def _implementation(export: Export, version_props: list[Property]) -> ControlImplementation:
    return ControlImplementation(
        uuid=_uuid(export, "control-implementation"),
        source=CCM_SOURCE,
        description=(
            f"Answers to the CSA CAIQ v{export.caiq_version}"
            f"{f' (CCM v{export.ccm_version})' if export.ccm_version else ''}: "
            f"{len(export.rows)} questions."
        ),
        props=version_props,
        implemented_requirements=[
            _requirement(export, domain_id, control_id, rows)
            for (domain_id, control_id), rows in _by_control(export.rows).items()
        ],
    )


def component_definition(export: Export) -> ComponentDefinition:
    version_props = [_prop("caiq-version", export.caiq_version)]
    if export.ccm_version:
        version_props.append(_prop("ccm-version", export.ccm_version))
    # OSCAL needs at least one implemented requirement: a catalog without questions (never
    # imported so, but possible) gives a component without control implementations.
    implementations = [_implementation(export, version_props)] if export.rows else None
    component = DefinedComponent(
        uuid=_uuid(export, "component"),
        type="service",
        title=_line(export.service_name),
        description=f"{export.service_name}, as described by {export.organization}'s CAIQ.",
        control_implementations=implementations,
    )
    metadata = Metadata(
        title=_line(f"{export.name}: CAIQ v{export.caiq_version}"),
        last_modified=export.last_modified,
        version=export.last_modified.isoformat(timespec="seconds"),
        oscal_version=OSCAL_VERSION,
        props=[_prop("questionnaire-status", export.status), *version_props],
        roles=[Role(id=role_id, title=title) for role_id, title in ROLES],
    )
    return ComponentDefinition(
        uuid=_uuid(export, "component-definition"), metadata=metadata, components=[component]
    )


def as_json(export: Export) -> bytes:
    """The document as OSCAL JSON, wrapped in its ``component-definition`` key by trestle."""
    return component_definition(export).oscal_serialize_json_bytes(pretty=True)
