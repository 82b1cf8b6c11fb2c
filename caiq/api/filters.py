"""FilterSets for the caiq API: query parameters declared once, validated by django-filter."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from rest_framework import exceptions

from ..models import (
    Answer,
    Control,
    CspAnswer,
    Domain,
    Job,
    JobKind,
    JobStatus,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    ReviewStatus,
)

UNANSWERED = "none"
MAX_ID = 2**63 - 1


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO date-time in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO allows."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError("This date-time is out of range.") from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number that fits the column (a Decimal or a huge one is refused, 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class DomainFilterSet(django_filters.FilterSet):
    version = django_filters.CharFilter(
        field_name="version__caiq_version", help_text="CAIQ version, e.g. 4.0.3."
    )

    class Meta:
        model = Domain
        fields = ["version"]


class ControlFilterSet(django_filters.FilterSet):
    version = django_filters.CharFilter(
        field_name="version__caiq_version", help_text="CAIQ version, e.g. 4.0.3."
    )
    domain = django_filters.CharFilter(
        field_name="domain__code", help_text="Domain code, e.g. A&A."
    )

    class Meta:
        model = Control
        fields = ["version", "domain"]


class QuestionFilterSet(django_filters.FilterSet):
    version = django_filters.CharFilter(
        field_name="version__caiq_version", help_text="CAIQ version, e.g. 4.0.3."
    )
    domain = django_filters.CharFilter(
        field_name="control__domain__code", help_text="Domain code, e.g. A&A."
    )
    control = django_filters.CharFilter(
        field_name="control__code", help_text="Control code, e.g. A&A-01."
    )

    class Meta:
        model = Question
        fields = ["version", "domain", "control"]


class QuestionnaireFilterSet(django_filters.FilterSet):
    version = django_filters.CharFilter(field_name="version__caiq_version")
    organization = django_filters.CharFilter(
        field_name="organization__slug", help_text="Organisation slug."
    )
    status = django_filters.ChoiceFilter(choices=QuestionnaireStatus.choices)

    class Meta:
        model = Questionnaire
        fields = ["version", "organization", "status"]


class AnswerFilterSet(django_filters.FilterSet):
    questionnaire = IdFilter(field_name="questionnaire_id")
    domain = django_filters.CharFilter(
        field_name="question__control__domain__code", help_text="Domain code, e.g. A&A."
    )
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    answer = django_filters.ChoiceFilter(
        choices=[*CspAnswer.choices, (UNANSWERED, "Not answered yet")],
        method="filter_answer",
        help_text="Yes, No, NA, or `none` for answers not given yet.",
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee", help_text="The assignee's user id or e-mail address."
    )
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=(
            "ISO 8601 date-time with offset. Inclusive (updated_at >= value): pass the time of "
            "your previous pull, or a little earlier; an answer seen twice is harmless, one "
            "missed is not."
        ),
    )

    class Meta:
        model = Answer
        fields = ["questionnaire", "domain", "review_status", "answer", "assignee"]

    def filter_answer(self, queryset, name, value):
        return queryset.filter(answer="" if value == UNANSWERED else value)

    def filter_assignee(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return (
                queryset.filter(assignee_id=int(value)) if int(value) <= MAX_ID else queryset.none()
            )
        try:
            validate_email(value)
        except ValidationError as exc:
            raise exceptions.ValidationError(
                {"assignee": ["Give the assignee's user id or e-mail address."]}
            ) from exc
        return queryset.filter(assignee__email__iexact=value)


class JobFilterSet(django_filters.FilterSet):
    questionnaire = IdFilter(field_name="questionnaire_id")
    kind = django_filters.ChoiceFilter(choices=JobKind.choices)
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = Job
        fields = ["questionnaire", "kind", "status"]
