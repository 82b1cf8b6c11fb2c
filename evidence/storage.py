"""Where evidence bytes live: the ``evidence`` storage of settings.STORAGES.

Local disk under PRIVATE_STORAGE_ROOT by default (never served directly), or S3-compatible
object storage through django-storages when EVIDENCE_STORAGE=s3. Names are generated.
"""

import uuid

from django.core.files.storage import Storage, storages


def evidence_storage() -> Storage:
    return storages["evidence"]


def new_storage_name(organization_id: int) -> str:
    return f"evidence/{organization_id}/{uuid.uuid4().hex}"
