"""Writes of share links: make one, revoke it, and what a visitor does through it (ask for a
one-time code, confirm it, accept the NDA, view, download), each logged.

An admin makes a link for an approved or submitted questionnaire; its secret is returned once
and kept only as a hash. The e-mail gate proves a visitor holds an address (a six-digit code,
ten minutes, one use, five guesses); nothing about the gate is secret from the organisation:
every step lands in the link's access log.
"""

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.digests import secret_digest
from accounts.domains import parse_domains
from accounts.models import Membership, Role, User, require_role
from audit.context import current_address
from audit.models import EventKind
from audit.services import audit_record
from caiq.models import Questionnaire, QuestionnaireStatus
from config.events import publish

from .models import AccessKind, ShareAccess, ShareCode, ShareLink

SHAREABLE = (QuestionnaireStatus.APPROVED, QuestionnaireStatus.SUBMITTED)
MAX_DAYS = 365
CODE_MINUTES = 10
CODE_GUESSES = 5
# Codes one address may ask for on one link within CODE_WINDOW: enough for a lost e-mail or
# two, too few to flood someone's inbox through our server.
CODES_PER_WINDOW = 3
CODE_WINDOW = datetime.timedelta(minutes=15)
# Codes one link may send in an hour, whatever the addresses: a leaked link without allowed
# domains must not turn our mail server into someone's spam cannon.
CODES_PER_LINK_HOUR = 50


def _clean_domains(text: str) -> str:
    result = " ".join(parse_domains(text))
    if len(result) > ShareLink._meta.get_field("allowed_domains").max_length:
        raise ValidationError("Too many allowed domains: list at most a few dozen.")
    return result


@transaction.atomic
def share_link_create(
    *,
    questionnaire: Questionnaire,
    membership: Membership,
    user: User,
    recipient: str,
    expires_at: datetime.datetime,
    require_email: bool = False,
    allowed_domains: str = "",
    nda_text: str = "",
) -> tuple[ShareLink, str]:
    """A new link and its secret (shown once). Admins only; the questionnaire must be approved
    or submitted. Allowed domains turn the e-mail gate on: they mean nothing without it."""
    require_role(membership, Role.ADMIN, "share a questionnaire")
    if membership.organization_id != questionnaire.organization_id:
        raise ValidationError("This questionnaire belongs to another organisation.")
    if questionnaire.status not in SHAREABLE:
        raise ValidationError("Only an approved or submitted questionnaire can be shared.")
    recipient = " ".join(recipient.split())
    if not recipient:
        raise ValidationError("Say who the link is for, e.g. the customer's name.")
    if len(recipient) > 200:
        raise ValidationError("The recipient's name is too long (200 characters at most).")
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError("The expiry date must be in the future.")
    if expires_at > now + datetime.timedelta(days=MAX_DAYS):
        raise ValidationError(f"A link can last {MAX_DAYS} days at most.")
    domains = _clean_domains(allowed_domains)
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        organization_id=questionnaire.organization_id,
        questionnaire=questionnaire,
        recipient=recipient,
        token_hash=secret_digest(token),
        token_prefix=token[:6],
        expires_at=expires_at,
        require_email=require_email or bool(domains),
        allowed_domains=domains,
        nda_text=nda_text.strip(),
        created_at=now,
        created_by=user,
    )
    audit_record(
        EventKind.SHARE_LINK_CREATED,
        organization=questionnaire.organization,
        actor=user,
        target=link,
        target_label=f"{questionnaire.name} for {recipient}",
        details={
            "questionnaire": questionnaire.pk,
            "expires_at": expires_at.isoformat(),
            "require_email": link.require_email,
            "allowed_domains": domains,
            "nda": bool(link.nda_text),
        },
    )
    return link, token


@transaction.atomic
def share_link_revoke(*, link: ShareLink, membership: Membership, user: User) -> ShareLink:
    """Revoke ``link`` (again is harmless): it answers 404 from now on."""
    require_role(membership, Role.ADMIN, "revoke a share link")
    if membership.organization_id != link.organization_id:
        raise ValidationError("This link belongs to another organisation.")
    link = ShareLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), user
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            EventKind.SHARE_LINK_REVOKED,
            organization=link.organization,
            actor=user,
            target=link,
            target_label=str(link),
        )
    return link


def share_access_log(
    *,
    link: ShareLink,
    kind: AccessKind,
    email: str = "",
    user_agent: str = "",
    announce: bool = True,
) -> ShareAccess:
    """One row of the link's access log; also a ``share_link.accessed`` event for the
    organisation's webhooks unless ``announce`` is false (a visitor's later page views)."""
    access = ShareAccess.objects.create(
        link=link,
        kind=kind,
        email=email,
        address=current_address(),
        user_agent=user_agent[:300],
    )
    if announce and kind != AccessKind.CODE_SENT:
        publish(
            "share_link.accessed",
            organization_id=link.organization_id,
            data={
                "share_link": link.pk,
                "questionnaire": link.questionnaire_id,
                "recipient": link.recipient,
                "action": kind,
                "email": email,
                "at": access.at.isoformat(),
            },
        )
    return access


def _clean_email(link: ShareLink, email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError("Enter an e-mail address such as name@example.com.") from None
    domain = email.rsplit("@", 1)[1].lower()
    if link.domains() and domain not in link.domains():
        raise ValidationError("This link is not shared with addresses at that domain.")
    return email.rsplit("@", 1)[0] + "@" + domain


def share_code_send(*, link: ShareLink, email: str, user_agent: str = "") -> str:
    """E-mail a one-time code to ``email`` for ``link``; the cleaned address it went to."""
    email = _clean_email(link, email)
    now = timezone.now()
    with transaction.atomic():
        # The link's row is the lock: two requests at once cannot both pass the count.
        ShareLink.objects.select_for_update().filter(pk=link.pk).first()
        recent = ShareCode.objects.filter(
            link=link, email__iexact=email, created_at__gt=now - CODE_WINDOW
        ).count()
        if recent >= CODES_PER_WINDOW:
            raise ValidationError(
                "Several codes were sent to this address just now: use the latest one, or ask "
                "again in a quarter of an hour."
            )
        last_hour = ShareCode.objects.filter(
            link=link, created_at__gt=now - datetime.timedelta(hours=1)
        ).count()
        if last_hour >= CODES_PER_LINK_HOUR:
            raise ValidationError("This link has sent many codes in the last hour: try later.")
        code = f"{secrets.randbelow(1_000_000):06d}"
        ShareCode.objects.create(
            link=link,
            email=email,
            code_hash=secret_digest(f"{link.pk}:{code}"),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
        )
        share_access_log(link=link, kind=AccessKind.CODE_SENT, email=email, user_agent=user_agent)
    context = {"link": link, "code": code, "minutes": CODE_MINUTES}
    subject = render_to_string("sharing/email/code_subject.txt", context)
    body = render_to_string("sharing/email/code_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [email])
    return email


def share_code_check(*, link: ShareLink, email: str, code: str, user_agent: str = "") -> None:
    """Accept ``code`` for ``email`` (logged as a confirmed address) or refuse with a reason.
    A wrong guess is counted even though the call then raises: the count is committed first."""
    now = timezone.now()
    given = re.sub(r"\D", "", code)
    with transaction.atomic():
        pending = (
            ShareCode.objects.select_for_update()
            .filter(link=link, email__iexact=email, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if pending is None:
            refusal = "That code has expired: ask for a new one."
        elif pending.attempts >= CODE_GUESSES:
            refusal = "Too many wrong codes: ask for a new one."
        elif not secrets.compare_digest(pending.code_hash, secret_digest(f"{link.pk}:{given}")):
            pending.attempts += 1
            pending.save(update_fields=["attempts"])
            refusal = "That code is not the one we sent."
        else:
            refusal = ""
            pending.used_at = now
            pending.save(update_fields=["used_at"])
            share_access_log(
                link=link,
                kind=AccessKind.EMAIL_CONFIRMED,
                email=pending.email,
                user_agent=user_agent,
            )
    if refusal:
        raise ValidationError(refusal)
