"""Copying stored files from one storage to another by name: moving a deployment's files from
its local disk to object storage (``manage.py move_files_to_storage``).

Copies only: the source keeps every file until the operator removes it, after checking the new
storage. A name already in the target is left alone, so a run can be repeated after a failure.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.storage import Storage


@dataclass
class MoveReport:
    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def summary(self, what: str) -> str:
        return (
            f"{what}: {len(self.copied)} copied, {len(self.present)} already there, "
            f"{len(self.missing)} missing from the source."
        )


class CopyMismatch(Exception):
    """The target holds a different number of bytes than the source after a copy."""


def copy_names(
    names: Iterable[str], source: Storage, target: Storage, *, dry_run: bool = False
) -> MoveReport:
    report = MoveReport()
    for name in sorted(set(filter(None, names))):
        if target.exists(name):
            report.present.append(name)
        elif not source.exists(name):
            report.missing.append(name)
        else:
            if not dry_run:
                with source.open(name, "rb") as handle:
                    saved = target.save(name, handle)
                if saved != name or target.size(name) != source.size(name):
                    raise CopyMismatch(f"{name} was not copied whole to the target storage.")
            report.copied.append(name)
    return report
