"""Writes of the framework mappings: one transaction each, nothing written until the whole
workbook has been read and checked."""

import hashlib
from dataclasses import dataclass

from django.db import transaction

from caiq.services.catalog import workbook_limits
from caiq.xlsx.guard import WorkbookRejected, open_workbook

from .ccm import CcmData, CcmRejected, parse_ccm
from .models import CcmVersion, ControlMapping, Framework, Requirement

MAX_DIFFERENCES_SHOWN = 5


class CcmImportError(Exception):
    """A CCM upload was refused; ``str()`` is one plain sentence (or a few) saying why."""


@dataclass(frozen=True)
class CcmImportResult:
    version: CcmVersion
    outcome: str  # "created" or "unchanged"
    ccm: CcmData

    @property
    def message(self) -> str:
        sizes = f"{len(self.ccm.controls)} controls, {len(self.ccm.frameworks)} frameworks"
        if self.outcome == "unchanged":
            return (
                f"{self.version} is already imported with the same mappings; nothing changed "
                f"({sizes})."
            )
        return f"Imported {self.version}: {sizes}."


def read_ccm(data: bytes) -> CcmData:
    """Guarded open (the catalog import's limits), then parse; failures become CcmImportError."""
    try:
        # Read-only: the mappings sheet is read once, row by row; nothing else is needed.
        return parse_ccm(open_workbook(data, limits=workbook_limits(), read_only=True))
    except WorkbookRejected as exc:
        raise CcmImportError(str(exc)) from exc
    except CcmRejected as exc:
        raise CcmImportError(str(exc)) from exc


def ccm_import(*, data: bytes, filename: str, imported_by=None) -> CcmImportResult:
    """Store the mappings of CSA's CCM workbook. The same version again changes nothing when the
    mappings agree and is refused when they differ (never a silent overwrite)."""
    ccm = read_ccm(data)
    with transaction.atomic():
        existing = CcmVersion.objects.select_for_update().filter(version=ccm.version).first()
        if existing is not None:
            differences = _differences(_stored(existing), _contents(ccm))
            if not differences:
                return CcmImportResult(existing, "unchanged", ccm)
            shown = "; ".join(differences[:MAX_DIFFERENCES_SHOWN])
            raise CcmImportError(
                f"CCM v{ccm.version} is already imported with different mappings "
                f"({len(differences)} differences, e.g. {shown}). Nothing was changed."
            )
        version = CcmVersion.objects.create(
            version=ccm.version,
            source_filename=filename[:255],
            source_sha256=hashlib.sha256(data).hexdigest(),
            imported_by=imported_by,
        )
        _create_mappings(version, ccm)
    return CcmImportResult(version, "created", ccm)


def _create_mappings(version: CcmVersion, ccm: CcmData) -> None:
    domains = dict(ccm.controls)
    frameworks = Framework.objects.bulk_create(
        Framework(ccm_version=version, name=f.name, position=n)
        for n, f in enumerate(ccm.frameworks, start=1)
    )
    links = []
    for framework, data in zip(frameworks, ccm.frameworks, strict=True):
        codes = sorted({code for m in data.mappings for code in m.requirements})
        requirements = {
            r.code: r
            for r in Requirement.objects.bulk_create(
                Requirement(framework=framework, code=code) for code in codes
            )
        }
        mappings = ControlMapping.objects.bulk_create(
            ControlMapping(
                framework=framework,
                control_id=m.control_id,
                domain=domains[m.control_id],
                gap_level=m.gap_level,
                addendum=m.addendum,
            )
            for m in data.mappings
        )
        links += [
            ControlMapping.requirements.through(
                controlmapping_id=mapping.pk, requirement_id=requirements[code].pk
            )
            for mapping, m in zip(mappings, data.mappings, strict=True)
            for code in m.requirements
        ]
    ControlMapping.requirements.through.objects.bulk_create(links, batch_size=2000)


Contents = dict[tuple[str, str], tuple[tuple[str, ...], str, str]]


def _contents(ccm: CcmData) -> Contents:
    return {
        (f.name, m.control_id): (tuple(sorted(m.requirements)), m.gap_level, m.addendum)
        for f in ccm.frameworks
        for m in f.mappings
    }


def _stored(version: CcmVersion) -> Contents:
    codes: dict[int, list[str]] = {}
    through = ControlMapping.requirements.through.objects.filter(
        controlmapping__framework__ccm_version=version
    )
    for mapping_id, code in through.values_list("controlmapping_id", "requirement__code"):
        codes.setdefault(mapping_id, []).append(code)
    rows = ControlMapping.objects.filter(framework__ccm_version=version).values_list(
        "pk", "framework__name", "control_id", "gap_level", "addendum"
    )
    return {
        (name, control): (tuple(sorted(codes.get(pk, []))), gap, addendum)
        for pk, name, control, gap, addendum in rows
    }


def _differences(stored: Contents, found: Contents) -> list[str]:
    differences = [f"{name} {control} is new" for name, control in found.keys() - stored.keys()]
    differences += [f"{name} {control} is gone" for name, control in stored.keys() - found.keys()]
    differences += [
        f"{name} {control} differs"
        for (name, control), value in found.items()
        if (name, control) in stored and stored[(name, control)] != value
    ]
    return sorted(differences)
