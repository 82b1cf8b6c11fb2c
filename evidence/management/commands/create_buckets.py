"""Create the S3 buckets the configured storages use, when they do not exist yet.

For a fresh object store (compose's ``objectstore`` service): its first start has no bucket,
and every upload would fail until one is made. Compose's one-shot ``migrate`` service runs this
after the migrations, so web and workers start on a bucket that exists. Harmless to repeat, and
a no-op with FILE_STORAGE=local. Beside move_files_to_storage: both concern every app's files.
"""

from botocore.exceptions import ClientError
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from storages.backends.s3 import S3Storage

ALIASES = ("default", "evidence")
MISSING = {"404", "NoSuchBucket", "NotFound"}


class Command(BaseCommand):
    help = "Create the S3 bucket of each configured S3 storage (files, evidence) when missing."

    def handle(self, *args, **options):
        seen = set()
        for alias in ALIASES:
            storage = storages[alias]
            if not isinstance(storage, S3Storage):
                continue
            where = (storage.endpoint_url, storage.bucket_name)
            if where in seen:
                continue
            seen.add(where)
            self.stdout.write(f"{alias}: bucket {storage.bucket_name} {self._ensure(storage)}")

    def _ensure(self, storage: S3Storage) -> str:
        client = storage.connection.meta.client
        name = storage.bucket_name
        try:
            client.head_bucket(Bucket=name)
            return "exists"
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in MISSING:
                raise CommandError(f"Bucket {name} cannot be checked: {exc}") from exc
        region = storage.region_name or "us-east-1"
        # us-east-1 takes no location constraint; every other region requires one.
        extra = (
            {}
            if region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        try:
            client.create_bucket(Bucket=name, **extra)
        except ClientError as exc:
            raise CommandError(f"Bucket {name} cannot be created: {exc}") from exc
        return "created"
