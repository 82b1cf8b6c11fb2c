"""Writes to the catalog. One transaction each; nothing is written until the file validated."""

import hashlib
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from audit.models import EventKind
from audit.services import audit_record

from ..models import CatalogVersion, Control, Domain, Question
from ..xlsx.catalog import CatalogData, CatalogRejected, parse_catalog
from ..xlsx.guard import DEFAULT_LIMITS, WorkbookRejected, open_workbook
from ..xlsx.layout import comparable
from ..xlsx.template import TemplateRejected, check_template

MAX_DIFFERENCES_SHOWN = 10


class CatalogImportError(Exception):
    """A catalog upload was refused; ``problems`` lists every reason, ``str()`` sums them up."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


@dataclass(frozen=True)
class CatalogImportResult:
    version: CatalogVersion
    outcome: str  # "created", "unchanged" or "replaced-sample"
    counts: tuple[int, int, int]

    @property
    def message(self) -> str:
        d, c, q = self.counts
        what = f"CAIQ v{self.version.caiq_version}"
        if self.version.ccm_version:
            what += f" (CCM v{self.version.ccm_version})"
        sizes = f"{d} domains, {c} controls, {q} questions"
        if self.outcome == "unchanged":
            return f"{what} is already imported with the same content; nothing changed ({sizes})."
        if self.outcome == "replaced-sample":
            return f"{what}: replaced the sample catalog's placeholder text ({sizes})."
        return f"Imported {what}: {sizes}."


def workbook_limits():
    return replace(DEFAULT_LIMITS, max_bytes=settings.WORKBOOK_MAX_BYTES)


def read_catalog(data: bytes) -> CatalogData:
    """Guarded open, template checks, then parse: every failure becomes a CatalogImportError
    naming the problem. The layout records what the exporter needs, the sheet's part included."""
    try:
        workbook = open_workbook(data, limits=workbook_limits())
        parts = check_template(data)
        catalog = parse_catalog(workbook)
    except (WorkbookRejected, TemplateRejected) as exc:
        raise CatalogImportError(str(exc)) from exc
    except CatalogRejected as exc:
        raise CatalogImportError(str(exc), exc.problems) from exc
    return replace(catalog, layout={**catalog.layout, "sheet_part": parts[catalog.sheet_name]})


def catalog_import(
    *, data: bytes, filename: str, imported_by=None, is_sample: bool = False
) -> CatalogImportResult:
    """Import CSA's workbook as a catalog version, keeping the file as its export template.

    The same version again: nothing changes if the texts agree, and a conflict is reported if
    they differ (never a silent overwrite). The built-in sample is the one exception: loading
    the official workbook of the sample's version replaces its placeholder text in place, so
    anything already linked to the sample's questions keeps working.
    """
    catalog = read_catalog(data)
    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        existing = (
            CatalogVersion.objects.select_for_update()
            .filter(caiq_version=catalog.caiq_version)
            .first()
        )
        if existing is None:
            version = _create_version(catalog, data, sha256, filename, imported_by, is_sample)
            _audit(version, "created", filename, sha256, imported_by)
            return CatalogImportResult(version, "created", catalog.counts)
        differences = catalog_differences(existing, catalog)
        if not differences:
            return CatalogImportResult(existing, "unchanged", catalog.counts)
        if existing.is_sample and not is_sample:
            _replace_sample(existing, catalog, data, sha256, filename, imported_by)
            _audit(existing, "replaced-sample", filename, sha256, imported_by)
            return CatalogImportResult(existing, "replaced-sample", catalog.counts)
    shown = "; ".join(differences[:MAX_DIFFERENCES_SHOWN])
    more = len(differences) - MAX_DIFFERENCES_SHOWN
    raise CatalogImportError(
        f"CAIQ v{catalog.caiq_version} is already imported with different content "
        f"({len(differences)} differences: {shown}{f'; and {more} more' if more > 0 else ''}). "
        "Nothing was changed.",
        differences,
    )


def _audit(version: CatalogVersion, outcome: str, filename: str, sha256: str, actor) -> None:
    # A platform event (no organisation): the catalog is shared by every tenant.
    audit_record(
        EventKind.CATALOG_IMPORTED,
        organization=None,
        actor=actor,
        target=version,
        target_label=f"CAIQ v{version.caiq_version}",
        details={"outcome": outcome, "filename": filename, "sha256": sha256},
    )


def catalog_differences(version: CatalogVersion, catalog: CatalogData) -> list[str]:
    """What differs between a stored version and a parsed workbook, by ID; [] when equal."""
    stored = {
        **{f"domain {d.code}": comparable(d.title) for d in version.domains.all()},
        **{
            f"control {c.code}": comparable(f"{c.title}|{c.specification}")
            for c in version.controls.all()
        },
        **{f"question {q.code}": comparable(q.text) for q in version.questions.all()},
    }
    incoming = {
        **{f"domain {d.code}": comparable(d.title) for d in catalog.domains},
        **{
            f"control {c.code}": comparable(f"{c.title}|{c.specification}")
            for c in catalog.controls
        },
        **{f"question {q.code}": comparable(q.text) for q in catalog.questions},
    }
    differences = []
    for key in stored.keys() | incoming.keys():
        if key not in incoming:
            differences.append(f"{key} is missing")
        elif key not in stored:
            differences.append(f"{key} is new")
        elif stored[key] != incoming[key]:
            differences.append(f"{key} has different text")
    return sorted(differences)


def _create_version(catalog, data, sha256, filename, imported_by, is_sample) -> CatalogVersion:
    version = CatalogVersion(
        caiq_version=catalog.caiq_version,
        ccm_version=catalog.ccm_version,
        sheet_name=catalog.sheet_name,
        source_filename=filename[:255],
        source_sha256=sha256,
        layout=catalog.layout,
        is_sample=is_sample,
        imported_by=imported_by,
    )
    version.template.save(f"{sha256}.xlsx", ContentFile(data), save=False)
    version.save()
    domains = Domain.objects.bulk_create(
        Domain(version=version, code=d.code, title=d.title, position=i)
        for i, d in enumerate(catalog.domains, start=1)
    )
    domain_ids = {d.code: d for d in domains}
    controls = Control.objects.bulk_create(
        Control(
            version=version,
            domain=domain_ids[c.domain_code],
            code=c.code,
            title=c.title,
            specification=c.specification,
            position=i,
        )
        for i, c in enumerate(catalog.controls, start=1)
    )
    control_ids = {c.code: c for c in controls}
    Question.objects.bulk_create(
        Question(
            version=version,
            control=control_ids[q.control_code],
            code=q.code,
            text=q.text,
            position=i,
            row=q.row,
        )
        for i, q in enumerate(catalog.questions, start=1)
    )
    return version


def _replace_sample(version, catalog, data, sha256, filename, imported_by) -> None:
    """Swap the sample's placeholder text for CSA's, keeping every row's identity."""
    same_ids = {q.code for q in version.questions.all()} == {q.code for q in catalog.questions}
    if not same_ids:
        raise CatalogImportError(
            f"The sample catalog v{version.caiq_version} does not have the same question IDs "
            "as this workbook; nothing was changed."
        )
    domains = {d.code: d for d in version.domains.all()}
    for d in catalog.domains:
        domains[d.code].title = d.title
    Domain.objects.bulk_update(domains.values(), ["title"])
    controls = {c.code: c for c in version.controls.all()}
    for c in catalog.controls:
        controls[c.code].title = c.title
        controls[c.code].specification = c.specification
    Control.objects.bulk_update(controls.values(), ["title", "specification"])
    questions = {q.code: q for q in version.questions.all()}
    for q in catalog.questions:
        questions[q.code].text = q.text
        questions[q.code].row = q.row
    Question.objects.bulk_update(questions.values(), ["text", "row"])
    version.source_sha256 = sha256
    version.template.save(f"{sha256}.xlsx", ContentFile(data), save=False)
    version.source_filename = filename[:255]
    version.ccm_version = catalog.ccm_version
    version.sheet_name = catalog.sheet_name
    version.layout = catalog.layout
    version.is_sample = False
    version.imported_by = imported_by
    version.save()
