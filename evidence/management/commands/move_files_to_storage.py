"""Copy every stored file from the local disk to the storages the settings configure now.

For a deployment moving to FILE_STORAGE=s3 (web and workers on separate hosts): catalog
templates, job inputs and results (the ``default`` storage) and evidence files (the ``evidence``
storage). It lives in the evidence app, the top of the layers, because it moves every app's
files. Nothing is deleted: remove the local files once the new storage has been checked.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError

from caiq.models import CatalogVersion, Job
from config.storage_moves import CopyMismatch, copy_names
from evidence.models import StoredFile


class Command(BaseCommand):
    help = (
        "Copy catalog templates, job files and evidence files from the local disk (--source, "
        "by default PRIVATE_STORAGE_ROOT) to the configured storages. Copies only; repeatable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", default=str(settings.PRIVATE_STORAGE_ROOT))
        parser.add_argument("--dry-run", action="store_true", help="report, copy nothing")

    def handle(self, *args, source, dry_run, **options):
        local = FileSystemStorage(location=source)
        files = [
            *CatalogVersion.objects.values_list("template", flat=True),
            *Job.objects.values_list("source", flat=True),
            *Job.objects.values_list("result", flat=True),
        ]
        evidence = StoredFile.objects.values_list("storage_name", flat=True)
        missing = 0
        for what, names, target in (
            ("Templates and job files", files, storages["default"]),
            ("Evidence files", evidence, storages["evidence"]),
        ):
            try:
                report = copy_names(names, local, target, dry_run=dry_run)
            except CopyMismatch as mismatch:
                raise CommandError(str(mismatch)) from mismatch
            for name in report.missing:
                self.stdout.write(f"missing from {source}: {name}")
            self.stdout.write(report.summary(what + (" (dry run)" if dry_run else "")))
            missing += len(report.missing)
        if missing:
            raise CommandError(f"{missing} file(s) named in the database are not in {source}.")
