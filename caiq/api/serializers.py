"""Serializers of the caiq API: explicit fields, read from select_related rows and annotations.

Output serializers never query: every field comes from the row, its select_related relations or
an annotation the view's queryset adds, so a list costs the same queries for 10 or 1000 rows.
Input serializers only check shapes; the services decide what may be written.
"""

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .. import star
from ..models import CspAnswer, JobKind, JobStatus, SsrmOwnership, StarLevel


def answer_etag(answer_id: int, revision: int) -> str:
    """A strong ETag, stable per revision: ``"<id>-<revision>"``."""
    return f'"{answer_id}-{revision}"'


# --- Errors (for the schema only: config.api_errors builds the bodies) ------------------------


# Component names of their own: evidence.api declares the same shape as "Error".
@extend_schema_serializer(component_name="ApiErrorDetail")
class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(allow_null=True)


@extend_schema_serializer(component_name="ApiError")
class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- Catalog --------------------------------------------------------------------------------


class CatalogVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    caiq_version = serializers.CharField()
    ccm_version = serializers.CharField()
    is_sample = serializers.BooleanField()
    imported_at = serializers.DateTimeField()
    domain_count = serializers.IntegerField()
    control_count = serializers.IntegerField()
    question_count = serializers.IntegerField()


class DomainSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.CharField(source="version.caiq_version")
    code = serializers.CharField()
    title = serializers.CharField()
    position = serializers.IntegerField()


class ControlSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.CharField(source="version.caiq_version")
    domain = serializers.CharField(source="domain.code")
    code = serializers.CharField()
    title = serializers.CharField()
    specification = serializers.CharField()
    position = serializers.IntegerField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.CharField(source="version.caiq_version")
    domain = serializers.CharField(source="control.domain.code")
    control = serializers.CharField(source="control.code")
    code = serializers.CharField()
    text = serializers.CharField()
    position = serializers.IntegerField()


# --- Questionnaires -------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    answered = serializers.IntegerField()
    approved = serializers.IntegerField()


class StarEntrySerializer(serializers.Serializer):
    valid_until = serializers.DateField()
    state = serializers.ChoiceField(choices=["current", "due", "deprecated"])


class QuestionnaireSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.CharField(source="organization.slug")
    version = serializers.CharField(source="version.caiq_version")
    name = serializers.CharField()
    service_name = serializers.CharField()
    owner = serializers.EmailField(source="owner.email", allow_null=True, default=None)
    due_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    submitted_at = serializers.DateField(allow_null=True)
    star_registry_url = serializers.CharField()
    star_level = serializers.CharField(help_text="1 or 2; empty until submitted.")
    star = serializers.SerializerMethodField(
        help_text="The STAR Registry entry's clock: valid one year from submission, due for "
        "renewal in its last 60 days, deprecated after. Null until submitted."
    )
    copied_from = serializers.IntegerField(source="copied_from_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    progress = serializers.SerializerMethodField()

    def get_progress(self, obj) -> ProgressSerializer:
        return {"total": obj.total, "answered": obj.answered, "approved": obj.approved}

    @extend_schema_field(StarEntrySerializer(allow_null=True))
    def get_star(self, obj):
        current = star.entry(obj.submitted_at, timezone.localdate())
        if current is None:
            return None
        return {"valid_until": current.valid_until, "state": current.state}


class QuestionnaireCreateSerializer(serializers.Serializer):
    organization = serializers.SlugField(
        required=False,
        help_text="Organisation slug; needed only when the caller belongs to several.",
    )
    version = serializers.CharField(help_text="CAIQ version of a loaded catalog, e.g. 4.0.3.")
    name = serializers.CharField(max_length=200)
    service_name = serializers.CharField(max_length=200)
    owner = serializers.EmailField(
        required=False, allow_null=True, help_text="E-mail address of a member."
    )
    due_date = serializers.DateField(required=False, allow_null=True)


class MarkSubmittedSerializer(serializers.Serializer):
    submitted_at = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today."
    )
    star_registry_url = serializers.URLField(required=False, allow_blank=True, default="")
    star_level = serializers.ChoiceField(
        choices=StarLevel.choices, default=StarLevel.SELF_ASSESSMENT
    )


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    question = serializers.CharField(help_text="Question code, blank for workbook findings.")
    answer_id = serializers.IntegerField(allow_null=True)


class ReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    findings = FindingSerializer(many=True)
    warnings = FindingSerializer(
        many=True,
        help_text="Consistency warnings (kind: the rule's ID); they never make it not ready.",
    )


# --- Answers --------------------------------------------------------------------------------


# What the answers API reads: own columns, and related ones flattened under these names.
ANSWER_COLUMNS = (
    "id",
    "questionnaire_id",
    "answer",
    "ssrm",
    "implementation",
    "csc_responsibilities",
    "internal_notes",
    "review_status",
    "carry_over",
    "assignee_id",
    "updated_at",
    "revision",
)
ANSWER_RELATED_COLUMNS = {
    "question_code": F("question__code"),
    "control_code": F("question__control__code"),
    "domain_code": F("question__control__domain__code"),
    "assignee_email": F("assignee__email"),
    "updated_by_email": F("updated_by__email"),
}


class AnswerSerializer(serializers.Serializer):
    """One answer, from a row of ``.values(*ANSWER_COLUMNS, **ANSWER_RELATED_COLUMNS)``."""

    id = serializers.IntegerField()
    questionnaire = serializers.IntegerField(source="questionnaire_id")
    question = serializers.CharField(source="question_code", help_text="e.g. A&A-01.1")
    control = serializers.CharField(source="control_code", help_text="e.g. A&A-01")
    domain = serializers.CharField(source="domain_code", help_text="e.g. A&A")
    answer = serializers.CharField()
    ssrm = serializers.CharField()
    implementation = serializers.CharField()
    csc_responsibilities = serializers.CharField()
    internal_notes = serializers.CharField()
    review_status = serializers.CharField()
    carry_over = serializers.CharField()
    assignee = serializers.EmailField(source="assignee_email", allow_null=True)
    assignee_id = serializers.IntegerField(allow_null=True)
    updated_by = serializers.EmailField(source="updated_by_email", allow_null=True)
    updated_at = serializers.DateTimeField()
    revision = serializers.IntegerField()
    etag = serializers.SerializerMethodField(help_text="Send it back in If-Match to PATCH.")

    def get_etag(self, row) -> str:
        return answer_etag(row["id"], row["revision"])

    def to_representation(self, row):
        # Fast path, same output as DRF's field-by-field walk (pinned by a test): every column
        # but updated_at already has its field's JSON type, and DRF's per-field dispatch was
        # over half the time of a 261-answer page. Only the datetime needs its field.
        copied = self.__dict__.get("_copied")
        if copied is None:
            converted = ("updated_at", "etag")
            copied = [(n, f.source) for n, f in self.fields.items() if n not in converted]
            self._copied = copied
        data = {name: row[source] for name, source in copied}
        data["updated_at"] = self.fields["updated_at"].to_representation(row["updated_at"])
        data["etag"] = answer_etag(row["id"], row["revision"])
        return data


def answer_row(answer) -> dict:
    """The row AnswerSerializer reads, from an answer loaded with its related rows."""
    control = answer.question.control
    return {
        **{column: getattr(answer, column) for column in ANSWER_COLUMNS},
        "question_code": answer.question.code,
        "control_code": control.code,
        "domain_code": control.domain.code,
        "assignee_email": answer.assignee.email if answer.assignee else None,
        "updated_by_email": answer.updated_by.email if answer.updated_by else None,
    }


class AnswerUpdateSerializer(serializers.Serializer):
    """The editable fields; all optional (PATCH). Values follow CSA's dropdowns exactly."""

    answer = serializers.ChoiceField(choices=CspAnswer.choices, allow_blank=True, required=False)
    ssrm = serializers.ChoiceField(choices=SsrmOwnership.choices, allow_blank=True, required=False)
    implementation = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    csc_responsibilities = serializers.CharField(
        allow_blank=True, required=False, trim_whitespace=False
    )
    internal_notes = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {field: ["This field cannot be changed through the API."] for field in unknown}
            )
        if not attrs:
            raise serializers.ValidationError("Give at least one field to change.")
        return attrs


class AnswerChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    revision = serializers.IntegerField()
    changed_at = serializers.DateTimeField()
    changed_by = serializers.EmailField(source="changed_by.email", allow_null=True, default=None)
    source = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.ListField(), help_text='{"field": [old, new], ...}'
    )


# --- Jobs -----------------------------------------------------------------------------------


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    questionnaire = serializers.IntegerField(source="questionnaire_id")
    kind = serializers.ChoiceField(choices=JobKind.choices)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress = serializers.IntegerField(help_text="Percent.")
    message = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())
    clear_blank = serializers.BooleanField(help_text="Imports: blank cells cleared values.")
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Imports: cells outside the answers where the file differs from CSA's workbook.",
    )
    ready = serializers.BooleanField(allow_null=True, help_text="STAR-ready (exports).")
    source_name = serializers.CharField()
    result_name = serializers.CharField()
    result_url = serializers.SerializerMethodField()
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_result_url(self, job) -> str | None:
        if job.status != JobStatus.SUCCEEDED or not job.result:
            return None
        url = reverse("caiq-api:job-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class JobStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JobKind.choices)
    workbook = serializers.FileField(
        required=False, help_text="The CAIQ workbook (.xlsx), for import_xlsx only."
    )
    clear_blank = serializers.BooleanField(
        default=False,
        help_text="import_xlsx: a blank cell clears the stored value. Without it, blank cells "
        "leave stored values as they are.",
    )


class RequestChangesSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=5000, help_text="What must change; shown to the answer's author."
    )


class AnswerChangesSerializer(serializers.Serializer):
    """One pull of the change feed (caiq.sync)."""

    results = AnswerSerializer(many=True)
    cursor = serializers.CharField(
        help_text="Send it back as `cursor` on the next pull: it resumes after the last answer "
        "returned (or where this pull started, when nothing was returned)."
    )
    more = serializers.BooleanField(
        help_text="More changes are ready now: pull again at once. False: poll later."
    )


class QuestionnaireChangesSerializer(serializers.Serializer):
    """One pull of the questionnaires' change feed (caiq.sync)."""

    results = QuestionnaireSerializer(many=True)
    cursor = serializers.CharField(help_text=AnswerChangesSerializer().fields["cursor"].help_text)
    more = serializers.BooleanField(help_text=AnswerChangesSerializer().fields["more"].help_text)
