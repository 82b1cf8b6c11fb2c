"""django-import-export resources: the catalog tables and questionnaire answers as flat tables.

Catalog tables are export only: catalog content enters solely through CSA's workbook and
caiq.services. Answers also come back in, but only through ``caiq.services.answer_update``.
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from import_export import fields, resources
from import_export.results import RowResult

from accounts.models import Membership, User
from accounts.selectors import memberships_for
from audit.models import EventKind
from audit.services import audit_record

from .answer_rules import value_problems
from .models import Answer, ChangeSource, Control, Domain, Question, Questionnaire
from .services.answers import EDITABLE_FIELDS, StaleAnswer, answer_update


class DomainResource(resources.ModelResource):
    version = fields.Field(attribute="version__caiq_version", column_name="caiq_version")

    class Meta:
        model = Domain
        fields = ("version", "code", "title", "position")
        export_order = fields


class ControlResource(resources.ModelResource):
    version = fields.Field(attribute="version__caiq_version", column_name="caiq_version")
    domain = fields.Field(attribute="domain__code", column_name="domain")

    class Meta:
        model = Control
        fields = ("version", "domain", "code", "title", "specification", "position")
        export_order = fields


class QuestionResource(resources.ModelResource):
    version = fields.Field(attribute="version__caiq_version", column_name="caiq_version")
    control = fields.Field(attribute="control__code", column_name="control")

    class Meta:
        model = Question
        fields = ("version", "control", "code", "text", "position", "row")
        export_order = fields


# Spreadsheet programs run a cell starting with these as a formula (as caiq.services.transfer).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FREE_TEXT_FIELDS = ("implementation", "csc_responsibilities", "internal_notes")


def escape_formula(value: str) -> str:
    """A leading apostrophe keeps the text literal; one already there is doubled to round-trip."""
    return "'" + value if value.startswith((*FORMULA_LEADS, "'")) else value


def unescape_formula(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _positive_int(value) -> int | None:
    try:
        number = float(_cell_text(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and number > 0 else None


def audit_answer_batch(kind: EventKind, answers: QuerySet[Answer], user, changed_key: str):
    """One event per questionnaire the admin's import or export touched, with its count."""
    counts = Counter(answers.values_list("questionnaire_id", flat=True))
    for questionnaire in Questionnaire.objects.filter(pk__in=counts).select_related("organization"):
        audit_record(
            kind,
            organization=questionnaire.organization,
            actor=user,
            target=questionnaire,
            details={changed_key: counts[questionnaire.pk], "via": "admin"},
        )


class AnswerResource(resources.ModelResource):
    """A questionnaire's answers as a flat table, exported and re-imported by staff.

    Import never saves a model instance: each changed row goes through ``answer_update``
    (source "admin"), so the same value rules, revision check and history apply as in the
    browser. Rows are found only among ``answers`` (the admin's tenant-scoped queryset) by
    questionnaire id and question code; a row that names no such answer is refused, never
    created. In a dry run each update runs in a savepoint that is rolled back.
    """

    questionnaire_id = fields.Field(attribute="questionnaire_id", column_name="questionnaire_id")
    question_code = fields.Field(attribute="question__code", column_name="question_code")
    answer = fields.Field(attribute="answer", column_name="answer")
    ssrm = fields.Field(attribute="ssrm", column_name="ssrm")
    implementation = fields.Field(attribute="implementation", column_name="implementation")
    csc_responsibilities = fields.Field(
        attribute="csc_responsibilities", column_name="csc_responsibilities"
    )
    internal_notes = fields.Field(attribute="internal_notes", column_name="internal_notes")
    revision = fields.Field(attribute="revision", column_name="revision")

    class Meta:
        model = Answer
        fields = (
            "questionnaire_id",
            "question_code",
            "answer",
            "ssrm",
            "implementation",
            "csc_responsibilities",
            "internal_notes",
            "revision",
        )
        export_order = fields
        import_id_fields = ("questionnaire_id", "question_code")
        use_transactions = True
        report_skipped = True

    def __init__(self, *, answers: QuerySet[Answer] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.answers = answers

    def get_queryset(self) -> QuerySet[Answer]:
        # Without the caller's scoped queryset there is nothing this resource may touch.
        return self.answers if self.answers is not None else Answer.objects.none()

    # Export -----------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("question").order_by(
            "questionnaire_id", "question__position"
        )

    def dehydrate_implementation(self, answer: Answer) -> str:
        return escape_formula(answer.implementation)

    def dehydrate_csc_responsibilities(self, answer: Answer) -> str:
        return escape_formula(answer.csc_responsibilities)

    def dehydrate_internal_notes(self, answer: Answer) -> str:
        return escape_formula(answer.internal_notes)

    # Import -----------------------------------------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        questionnaire_id = _positive_int(row.get("questionnaire_id"))
        code = _cell_text(row.get("question_code")).strip()
        answer = None
        if questionnaire_id is not None and code:
            answer = (
                self.get_queryset()
                .select_related("questionnaire", "question")
                .filter(questionnaire_id=questionnaire_id, question__code=code)
                .first()
            )
        if answer is None:
            raise ValidationError(
                f"No answer {code or '(no question code)'} in questionnaire "
                f"{_cell_text(row.get('questionnaire_id')) or '(none)'} that you may edit; "
                "an import only updates existing answers."
            )
        return answer, False

    def import_instance(self, instance, row, **kwargs):
        """Set the row's values on the (unsaved) instance, for the diff and the save."""
        values = {}
        for name in EDITABLE_FIELDS:
            if name in row:
                text = _cell_text(row[name])
                if name in FREE_TEXT_FIELDS:
                    values[name] = unescape_formula(text)
                else:
                    values[name] = text.strip()
        errors = value_problems(values)
        if _positive_int(row.get("revision")) is None:
            errors["revision"] = (
                "The revision column must hold the answer's revision as exported (a whole "
                "number): it proves nobody changed the answer since."
            )
        if errors:
            raise ValidationError(errors)
        for name, value in values.items():
            setattr(instance, name, value)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return all(getattr(instance, f) == getattr(original, f) for f in EDITABLE_FIELDS)

    def save_instance(self, instance, is_create, row, **kwargs):
        current = (
            self.get_queryset().select_related("questionnaire", "question").get(pk=instance.pk)
        )
        values = {
            f: getattr(instance, f)
            for f in EDITABLE_FIELDS
            if getattr(instance, f) != getattr(current, f)
        }
        user = kwargs.get("user")
        membership = self.acting_membership(user, current.questionnaire.organization_id)
        try:
            with transaction.atomic():
                updated = answer_update(
                    answer=current,
                    membership=membership,
                    user=user,
                    values=values,
                    base_revision=_positive_int(row.get("revision")),
                    source=ChangeSource.ADMIN,
                )
                if kwargs.get("dry_run"):
                    transaction.set_rollback(True)
        except (StaleAnswer, PermissionDenied) as error:
            raise ValidationError(str(error)) from error
        instance.revision = updated.revision

    def after_import(self, dataset, result, **kwargs):
        # Inside the import's transaction: a rolled-back import leaves no event either.
        if kwargs.get("dry_run"):
            return
        changed = [
            int(row.object_id)
            for row in result.rows
            if row.import_type == RowResult.IMPORT_TYPE_UPDATE and row.object_id
        ]
        audit_answer_batch(
            EventKind.ANSWERS_IMPORTED,
            self.get_queryset().filter(pk__in=changed),
            kwargs.get("user"),
            changed_key="changed",
        )

    @staticmethod
    def acting_membership(user: User | None, organization_id: int) -> Membership | None:
        """The user's membership of the organisation; None for a superuser from outside."""
        if user is None:
            raise ValidationError("An import needs the acting user.")
        membership = memberships_for(user).filter(organization_id=organization_id).first()
        if membership is None and not user.is_superuser:
            raise ValidationError("You are not a member of this answer's organisation.")
        return membership
