"""Creating questionnaires, copying them forward and moving them through their workflow."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Role, User, require_role
from audit.models import EventKind
from audit.services import audit_record

from ..events import questionnaire_status_changed
from ..models import (
    Answer,
    AnswerChange,
    CarryOver,
    CatalogVersion,
    ChangeSource,
    Questionnaire,
    QuestionnaireStatus,
    ReviewStatus,
    StarLevel,
)
from ..xlsx.layout import comparable
from .answers import EDITABLE_FIELDS

CARRIED_FIELDS = (*EDITABLE_FIELDS, "assignee_id")


def version_key(caiq_version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in caiq_version.split(".") if part.isdigit())


def _audit_created(
    questionnaire: Questionnaire, actor: User, copied_from: Questionnaire | None = None
) -> None:
    details = {"caiq_version": questionnaire.version.caiq_version}
    if copied_from is not None:
        details["copied_from"] = copied_from.name
    audit_record(
        EventKind.QUESTIONNAIRE_CREATED,
        organization=questionnaire.organization,
        actor=actor,
        target=questionnaire,
        details=details,
    )


def _new_questionnaire(*, membership: Membership, version: CatalogVersion, **fields):
    require_role(membership, Role.ADMIN, "create questionnaires")
    if not fields.get("name", "").strip():
        raise ValidationError({"name": "A questionnaire needs a name."})
    try:
        with transaction.atomic():
            return Questionnaire.objects.create(
                organization=membership.organization, version=version, **fields
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"name": f"{membership.organization} already has a questionnaire of that name."}
        ) from exc


@transaction.atomic
def questionnaire_create(
    *,
    membership: Membership,
    version: CatalogVersion,
    name: str,
    service_name: str,
    owner: User | None = None,
    due_date: datetime.date | None = None,
) -> Questionnaire:
    """A questionnaire with one empty answer per question of ``version``."""
    questionnaire = _new_questionnaire(
        membership=membership,
        version=version,
        name=name.strip(),
        service_name=service_name.strip(),
        owner=owner,
        due_date=due_date,
    )
    Answer.objects.bulk_create(
        Answer(questionnaire=questionnaire, question=question)
        for question in version.questions.order_by("position")
    )
    _audit_created(questionnaire, membership.user)
    return questionnaire


@transaction.atomic
def questionnaire_copy_forward(
    *,
    source: Questionnaire,
    membership: Membership,
    user: User,
    version: CatalogVersion,
    name: str,
    due_date: datetime.date | None = None,
) -> Questionnaire:
    """Start a new questionnaire from ``source``, in the same or a newer catalog version.

    Answers carry over by question ID and go back to review. A question whose text differs
    between the versions is flagged ``text_changed``; one the source lacks, ``new_question``.
    Each carried answer gets one history record (source: copy-forward).
    """
    if version_key(version.caiq_version) < version_key(source.version.caiq_version):
        raise ValidationError("Copy forward into the same or a newer catalog version only.")
    target = _new_questionnaire(
        membership=membership,
        version=version,
        name=name.strip(),
        service_name=source.service_name,
        owner=source.owner,
        due_date=due_date,
        copied_from=source,
    )
    previous = {a.question.code: a for a in source.answers.select_related("question")}
    answers, carried = [], []
    for question in version.questions.order_by("position"):
        old = previous.get(question.code)
        answer = Answer(questionnaire=target, question=question)
        if old is None:
            answer.carry_over = CarryOver.NEW_QUESTION
        else:
            for field in CARRIED_FIELDS:
                setattr(answer, field, getattr(old, field))
            if comparable(old.question.text) != comparable(question.text):
                answer.carry_over = CarryOver.TEXT_CHANGED
            if old.answer:
                answer.review_status = ReviewStatus.READY
            if any(getattr(answer, field) for field in EDITABLE_FIELDS):
                answer.updated_by = user
                carried.append(answer)
        answers.append(answer)
    Answer.objects.bulk_create(answers)
    AnswerChange.objects.bulk_create(
        AnswerChange(
            answer=answer,
            changed_by=user,
            source=ChangeSource.COPY,
            revision=answer.revision,
            changes={
                field: ["", getattr(answer, field)]
                for field in (*EDITABLE_FIELDS, "review_status")
                if getattr(answer, field)
            },
        )
        for answer in carried
    )
    _audit_created(target, user, copied_from=source)
    return target


def _transition(
    questionnaire: Questionnaire, allowed_from: set[str], to: str, *, actor: User, **fields
):
    if questionnaire.status not in allowed_from:
        raise ValidationError(
            f"A questionnaire that is {questionnaire.get_status_display().lower()} cannot "
            f"become {QuestionnaireStatus(to).label.lower()}."
        )
    old = questionnaire.status
    details = {"from": old, "to": to}
    questionnaire.status = to
    for key, value in fields.items():
        setattr(questionnaire, key, value)
        details[key] = str(value)
    questionnaire.save()
    submitted = to == QuestionnaireStatus.SUBMITTED
    audit_record(
        EventKind.QUESTIONNAIRE_SUBMITTED if submitted else EventKind.QUESTIONNAIRE_STATUS_CHANGED,
        organization=questionnaire.organization,
        actor=actor,
        target=questionnaire,
        details=details,
    )
    questionnaire_status_changed(
        questionnaire, old, to, **{k: v for k, v in details.items() if k not in ("from", "to")}
    )
    return questionnaire


@transaction.atomic
def questionnaire_request_review(*, questionnaire: Questionnaire, membership: Membership):
    require_role(membership, Role.CONTRIBUTOR, "send a questionnaire to review")
    return _transition(
        questionnaire,
        {QuestionnaireStatus.DRAFT},
        QuestionnaireStatus.IN_REVIEW,
        actor=membership.user,
    )


@transaction.atomic
def questionnaire_approve(*, questionnaire: Questionnaire, membership: Membership):
    """Approved only when every answer is."""
    require_role(membership, Role.REVIEWER, "approve a questionnaire")
    pending = questionnaire.answers.exclude(review_status=ReviewStatus.APPROVED).count()
    if pending:
        raise ValidationError(
            f"{pending} answers are not approved yet; a questionnaire is approved only when "
            "every answer is."
        )
    return _transition(
        questionnaire,
        {QuestionnaireStatus.DRAFT, QuestionnaireStatus.IN_REVIEW},
        QuestionnaireStatus.APPROVED,
        actor=membership.user,
    )


@transaction.atomic
def questionnaire_mark_submitted(
    *,
    questionnaire: Questionnaire,
    membership: Membership,
    submitted_at: datetime.date | None = None,
    star_registry_url: str = "",
    star_level: str = StarLevel.SELF_ASSESSMENT,
):
    """Record the STAR Registry submission (date, entry, level); the questionnaire becomes
    read-only, and its renewal reminders start over (caiq.star)."""
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied("Only an admin can record a submission.")
    if star_level not in StarLevel.values:
        raise ValidationError(f"The STAR level is {' or '.join(StarLevel.values)}.")
    return _transition(
        questionnaire,
        {QuestionnaireStatus.APPROVED},
        QuestionnaireStatus.SUBMITTED,
        actor=membership.user,
        submitted_at=submitted_at or timezone.localdate(),
        star_registry_url=star_registry_url,
        star_level=star_level,
        star_reminded_days=None,
    )
