"""Questionnaires and their answers: tenant data, always reached through accounts.selectors.

A questionnaire belongs to one organisation and one catalog version and holds one Answer per
question of that version (created with it). Answers carry CAIQ's own vocabulary
(docs/caiq-format.md): the values are stored exactly as CSA's dropdowns spell them, so export
writes them unchanged.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization

from .. import star
from .catalog import CatalogVersion, Question

# The longest text an Excel cell holds: anything longer could not be exported intact.
EXCEL_CELL_MAX = 32_767


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUBMITTED = "submitted", "Submitted"


class StarLevel(models.TextChoices):
    SELF_ASSESSMENT = "1", "Level 1: self-assessment"
    THIRD_PARTY = "2", "Level 2: third-party audit"


class Questionnaire(models.Model):
    """One CAIQ for one cloud service of an organisation, against one catalog version."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="questionnaires"
    )
    version = models.ForeignKey(
        CatalogVersion, on_delete=models.PROTECT, related_name="questionnaires"
    )
    name = models.CharField(max_length=200)
    service_name = models.CharField("cloud service", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_questionnaires",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.DRAFT
    )
    submitted_at = models.DateField("submitted to the STAR Registry", null=True, blank=True)
    star_registry_url = models.URLField("STAR Registry entry", blank=True)
    star_level = models.CharField("STAR level", max_length=1, choices=StarLevel.choices, blank=True)
    # The last renewal reminder sent, by its threshold in days (caiq.star); cleared when the
    # questionnaire is submitted again.
    star_reminded_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The change feed's position, set by a database trigger (see Answer.change_seq, caiq.sync).
    change_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="questionnaire_name_unique_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=QuestionnaireStatus.values),
                name="questionnaire_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=QuestionnaireStatus.SUBMITTED)
                | models.Q(submitted_at__isnull=False),
                name="questionnaire_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(star_level__in=[*StarLevel.values, ""]),
                name="questionnaire_star_level_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["change_seq", "id"], name="questionnaire_change_feed_idx"),
            # The list's order and the dashboard's "edited last": read from the index's end,
            # not sorted from every questionnaire of the organisation. (The name and service
            # search has trigram indexes on PostgreSQL, migration 0011.)
            models.Index(
                fields=["organization", "-created_at", "-id"], name="questionnaire_list_idx"
            ),
            models.Index(
                fields=["organization", "-updated_at", "-id"], name="questionnaire_edited_idx"
            ),
            # The dashboard's STAR entries due for renewal: the oldest submissions first.
            models.Index(
                fields=["organization", "status", "submitted_at"], name="questionnaire_star_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def star_entry(self):
        """Where its STAR Registry entry stands today (caiq.star), or None if not submitted."""
        return star.entry(self.submitted_at, timezone.localdate())


class QuestionnaireTally(models.Model):
    """How many questionnaires an organisation has in each status, kept by database triggers
    on every insert, delete and change of status (migration 0011, _tally.py): the dashboard and
    the list read four rows instead of counting every questionnaire on each view."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=QuestionnaireStatus.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "status"], name="questionnaire_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.status}: {self.count}"


class CspAnswer(models.TextChoices):
    YES = "Yes", "Yes"
    NO = "No", "No"
    NA = "NA", "NA"


class SsrmOwnership(models.TextChoices):
    CSP = "CSP-owned", "CSP-owned"
    CSC = "CSC-owned", "CSC-owned"
    THIRD_PARTY = "3rd-party outsourced", "3rd-party outsourced"
    SHARED_CSC = "Shared CSP and CSC", "Shared CSP and CSC"
    SHARED_THIRD_PARTY = "Shared CSP and 3rd-party", "Shared CSP and 3rd-party"


class ReviewStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    READY = "ready_for_review", "Ready for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


class CarryOver(models.TextChoices):
    """Why a copied-forward answer needs a second look."""

    NONE = "", "—"
    TEXT_CHANGED = "text_changed", "Question text changed"
    NEW_QUESTION = "new_question", "New question"


class Answer(models.Model):
    """The CSP's answer to one question of one questionnaire.

    ``answer`` and ``ssrm`` are blank until answered. ``revision`` increases with every save and
    guards against lost updates: a save names the revision it started from.
    ``internal_notes`` are never exported.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    answer = models.CharField(
        "CSP CAIQ answer", max_length=3, choices=CspAnswer.choices, blank=True
    )
    ssrm = models.CharField(
        "SSRM control ownership", max_length=30, choices=SsrmOwnership.choices, blank=True
    )
    implementation = models.TextField("CSP implementation description", blank=True)
    csc_responsibilities = models.TextField("CSC responsibilities", blank=True)
    internal_notes = models.TextField(blank=True)
    review_status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.NOT_STARTED
    )
    carry_over = models.CharField(max_length=20, choices=CarryOver.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_answers",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    revision = models.PositiveIntegerField(default=1)
    # The change feed's position (caiq.sync), set by a database trigger on every insert and
    # update, never by Django: on PostgreSQL the writing transaction's id, on SQLite a counter.
    change_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["questionnaire", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "question"], name="answer_question_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(answer__in=[*CspAnswer.values, ""]), name="answer_value_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(ssrm__in=[*SsrmOwnership.values, ""]), name="answer_ssrm_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(review_status__in=ReviewStatus.values),
                name="answer_review_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["questionnaire", "review_status"], name="answer_review_idx"),
            # review_status rides along so "my open questions" (dashboard) is counted from the
            # index alone, without visiting the table's pages for thousands of answers.
            models.Index(
                fields=["assignee", "questionnaire", "review_status"],
                name="answer_assignee_status_idx",
            ),
            models.Index(fields=["change_seq", "id"], name="answer_change_feed_idx"),
            # The answer library (library.selectors.suggestions): an organisation's answers to
            # one question, best first, chosen from this index alone on PostgreSQL. From the
            # table, every one of them was a page read: 1.3x at 1,000 questionnaires.
            models.Index(
                fields=["question"],
                include=["id", "questionnaire", "review_status", "updated_at", "answer"],
                name="answer_library_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} in {self.questionnaire_id}"


class ChangeSource(models.TextChoices):
    PAGE = "page", "Browser"
    ADMIN = "admin", "Admin"
    API = "api", "API"
    IMPORT = "import", "Import"
    COPY = "copy", "Copy-forward"
    REVIEW = "review", "Review"
    LIBRARY = "library", "From the library"


class AnswerChange(models.Model):
    """One save of an answer: which fields changed, from what to what, by whom, through where
    (and, for an answer reused from the library, from which questionnaire).

    Written by caiq.services in the same transaction as the change, for every write path.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=ChangeSource.choices)
    revision = models.PositiveIntegerField()
    # {"field": [old, new], ...}
    changes = models.JSONField()
    # An answer reused from the organisation's library (source "library"): the questionnaire
    # it came from. Kept as null if that questionnaire is deleted later.
    reused_from = models.ForeignKey(
        Questionnaire, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "revision"], name="answer_change_revision_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ChangeSource.values),
                name="answer_change_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} r{self.revision}"


class Comment(models.Model):
    """A remark on an answer; a reviewer's request for changes is a comment too."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    is_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.answer_id}"
