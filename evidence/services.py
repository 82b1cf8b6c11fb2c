"""Writes to the evidence library: uploads, versions, links to answers and reminders."""

import datetime
import hashlib
import tempfile
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Membership, Role, User, require_role
from audit.models import EventKind
from audit.services import audit_record
from caiq.models import Answer, QuestionnaireStatus
from config.events import publish

from . import scanning
from .models import (
    EXPIRY_WARNING_DAYS,
    Evidence,
    EvidenceKind,
    EvidenceLink,
    EvidenceVersion,
    StoredFile,
)
from .storage import evidence_storage, new_storage_name
from .validation import (
    SNIFF_WINDOW,
    UploadRejected,
    check_text_for_markup,
    clean_filename,
    detect_type,
)

CHUNK = 64 * 1024
REMINDER_INTERVAL_DAYS = 7


def _size_limit_text() -> str:
    return f"{settings.EVIDENCE_MAX_BYTES / (1024 * 1024):g} MB"


def _store(upload, organization_id: int) -> tuple[StoredFile, str]:
    """Check and store an uploaded file; its bytes are kept once per organisation.

    The size is checked before reading, then again while streaming; the SHA-256 is computed on
    the same pass that copies the bytes to a temporary file, so the upload is read once.
    """
    name = clean_filename(getattr(upload, "name", ""))
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadRejected(f"The file is larger than the {_size_limit_text()} limit.")
    digest, size, head = hashlib.sha256(), 0, b""
    with tempfile.TemporaryFile() as spool:
        for chunk in upload.chunks(CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadRejected(f"The file is larger than the {_size_limit_text()} limit.")
            if len(head) < SNIFF_WINDOW * 8:
                head += chunk[: SNIFF_WINDOW * 8 - len(head)]
            digest.update(chunk)
            spool.write(chunk)
        allowed = detect_type(head, name)
        if allowed.mime.startswith("text/"):
            spool.seek(0)
            check_text_for_markup(iter(lambda: spool.read(CHUNK), b""))
        if settings.CLAMAV_ADDRESS:
            spool.seek(0)
            scanning.scan(settings.CLAMAV_ADDRESS, iter(lambda: spool.read(CHUNK), b""))
        sha256 = digest.hexdigest()
        existing = StoredFile.objects.filter(organization_id=organization_id, sha256=sha256).first()
        if existing is not None:
            return existing, name
        spool.seek(0)
        storage_name = evidence_storage().save(new_storage_name(organization_id), File(spool))
    try:
        with transaction.atomic():
            stored = StoredFile.objects.create(
                organization_id=organization_id,
                sha256=sha256,
                size=size,
                content_type=allowed.mime,
                storage_name=storage_name,
            )
    except IntegrityError:
        # The same bytes were stored by a concurrent upload: keep theirs, drop our copy.
        evidence_storage().delete(storage_name)
        stored = StoredFile.objects.get(organization_id=organization_id, sha256=sha256)
    return stored, name


def _clean_dates(valid_from, valid_until) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": "Valid until must not be before valid from."})


@transaction.atomic
def evidence_create(
    *,
    membership: Membership,
    user: User,
    title: str,
    description: str = "",
    upload=None,
    url: str = "",
    owner: User | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Evidence:
    """A library item from an uploaded file or a link (exactly one of the two)."""
    require_role(membership, Role.CONTRIBUTOR, "add evidence")
    if bool(upload) == bool(url):
        raise ValidationError("Give either a file or a link.")
    _clean_dates(valid_from, valid_until)
    stored = name = None
    if upload:
        stored, name = _store(upload, membership.organization_id)
    evidence = Evidence.objects.create(
        organization_id=membership.organization_id,
        kind=EvidenceKind.FILE if upload else EvidenceKind.LINK,
        title=(title or name or url).strip()[:200],
        description=description,
        url=url,
        owner=owner or user,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if stored is not None:
        EvidenceVersion.objects.create(
            evidence=evidence,
            number=1,
            stored_file=stored,
            original_filename=name,
            uploaded_by=user,
        )
    return evidence


@transaction.atomic
def evidence_add_version(
    *, evidence: Evidence, membership: Membership, user: User, upload
) -> EvidenceVersion:
    """A new file for an item; earlier versions stay downloadable."""
    require_role(membership, Role.CONTRIBUTOR, "upload evidence")
    if evidence.kind != EvidenceKind.FILE:
        raise ValidationError("A link has no file versions.")
    stored, name = _store(upload, evidence.organization_id)
    # Serialise concurrent uploads to one item so version numbers stay consecutive.
    Evidence.objects.select_for_update().get(pk=evidence.pk)
    number = (evidence.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    evidence.save(update_fields=["updated_at"])
    return EvidenceVersion.objects.create(
        evidence=evidence,
        number=number,
        stored_file=stored,
        original_filename=name,
        uploaded_by=user,
    )


@transaction.atomic
def evidence_update(*, evidence: Evidence, membership: Membership, **fields) -> Evidence:
    require_role(membership, Role.CONTRIBUTOR, "edit evidence")
    allowed = {"title", "description", "url", "owner", "valid_from", "valid_until"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Unknown evidence fields: {', '.join(sorted(unknown))}.")
    _clean_dates(
        fields.get("valid_from", evidence.valid_from),
        fields.get("valid_until", evidence.valid_until),
    )
    for key, value in fields.items():
        setattr(evidence, key, value)
    if "valid_until" in fields:
        evidence.last_reminded_on = None  # new dates, new reminders
    evidence.save()
    return evidence


def _require_open(answer: Answer) -> None:
    if answer.questionnaire.status == QuestionnaireStatus.SUBMITTED:
        raise ValidationError("This questionnaire was submitted and is read-only.")


def evidence_link(*, evidence: Evidence, answer: Answer, membership: Membership, user: User):
    """Back an answer with evidence of the same organisation; linking twice is a no-op."""
    require_role(membership, Role.CONTRIBUTOR, "attach evidence")
    _require_open(answer)
    if evidence.organization_id != answer.questionnaire.organization_id:
        # Callers look both up through the tenancy scope; this is the last wall.
        raise PermissionDenied("Evidence and answer belong to different organisations.")
    with transaction.atomic():
        link, created = EvidenceLink.objects.get_or_create(
            evidence=evidence, answer=answer, defaults={"linked_by": user}
        )
        if created:
            _touch(evidence.pk)
            _audit_link(EventKind.EVIDENCE_LINKED, link, user)
    return link


@transaction.atomic
def evidence_unlink(*, link: EvidenceLink, membership: Membership) -> None:
    require_role(membership, Role.CONTRIBUTOR, "detach evidence")
    _require_open(link.answer)
    _audit_link(EventKind.EVIDENCE_UNLINKED, link, membership.user)
    link.delete()
    _touch(link.evidence_id)


def _touch(evidence_id: int) -> None:
    """An item's links are part of it (the API lists its answers): a link added or removed
    writes the item, so its ``updated_at`` and its change-feed position move with it."""
    Evidence.objects.filter(pk=evidence_id).update(updated_at=timezone.now())


def _audit_link(kind: EventKind, link: EvidenceLink, actor: User) -> None:
    audit_record(
        kind,
        organization=link.evidence.organization,
        actor=actor,
        target=link.evidence,
        target_label=link.evidence.title,
        details={
            "questionnaire": link.answer.questionnaire.name,
            "question": link.answer.question.code,
        },
    )


@transaction.atomic
def evidence_attach_upload(
    *, answer: Answer, membership: Membership, user: User, upload
) -> Evidence:
    """Add an uploaded file to the library and link it: both, or neither."""
    _require_open(answer)
    evidence = evidence_create(membership=membership, user=user, title="", upload=upload)
    evidence_link(evidence=evidence, answer=answer, membership=membership, user=user)
    return evidence


def evidence_send_reminders(*, today: datetime.date | None = None) -> int:
    """E-mail each owner one list of their evidence that expired or expires within 30 days.

    An item is included at most once every REMINDER_INTERVAL_DAYS days, so a daily run does not
    flood anyone. Returns the number of e-mails sent.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    quiet_since = today - datetime.timedelta(days=REMINDER_INTERVAL_DAYS)
    due = (
        Evidence.objects.filter(
            valid_until__lte=horizon, owner__isnull=False, owner__is_active=True
        )
        .exclude(last_reminded_on__gt=quiet_since)
        .select_related("owner", "organization")
        .order_by("owner_id", "valid_until")
    )
    by_owner: dict[User, list[Evidence]] = defaultdict(list)
    for item in due:
        by_owner[item.owner].append(item)
    sent = 0
    for owner, items in by_owner.items():
        lines = [
            f"- {item.title} ({item.organization.name}): "
            + (
                f"expired on {item.valid_until:%Y-%m-%d}"
                if item.valid_until < today
                else f"expires on {item.valid_until:%Y-%m-%d}"
            )
            for item in items
        ]
        send_mail(
            subject=f"{len(items)} evidence item(s) expired or expiring soon",
            message="Evidence you own needs renewing:\n\n" + "\n".join(lines) + "\n",
            from_email=None,
            recipient_list=[owner.email],
        )
        for item in items:
            publish(
                "evidence.expired" if item.valid_until < today else "evidence.expiring",
                organization_id=item.organization_id,
                data={
                    "evidence": item.pk,
                    "title": item.title,
                    "valid_until": item.valid_until.isoformat(),
                },
            )
        Evidence.objects.filter(pk__in=[item.pk for item in items]).update(last_reminded_on=today)
        sent += 1
    return sent
