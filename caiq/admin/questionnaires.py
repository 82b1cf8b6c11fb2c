"""Questionnaires in the admin: tenant-scoped, and every change goes through caiq.services.

The bulk actions are the browser's workflow (assign, ready for review, approve) under the same
rules: a reviewer role for approving, four eyes, complete answers, one history record each.
Answers export and import as a flat table (django-import-export); the import's rows go through
``answer_update`` too (see ``caiq.resources.AnswerResource``), all of them or none.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from import_export.admin import ExportActionMixin, ImportExportMixin
from import_export.formats import base_formats

from accounts.admin_mixins import ReadOnlyAdminMixin, TenantScopedAdminMixin
from accounts.models import Membership, User
from accounts.selectors import memberships_for
from audit.models import EventKind

from .. import services
from ..answer_rules import value_problems
from ..models import Answer, AnswerChange, ChangeSource, Comment, Questionnaire
from ..resources import AnswerResource, audit_answer_batch
from ..services.answers import EDITABLE_FIELDS
from ..services.catalog import workbook_limits
from ..xlsx.guard import WorkbookRejected, open_workbook


def acting_membership(request, organization_id: int) -> Membership | None:
    """The admin user's membership of the organisation; None for a superuser from outside."""
    membership = memberships_for(request.user).filter(organization_id=organization_id).first()
    if membership is None and not request.user.is_superuser:
        raise PermissionDenied("You are not a member of this organisation.")
    return membership


class AnswerInlineNotice(admin.TabularInline):
    model = Answer
    fields = ("question", "answer", "ssrm", "review_status", "assignee")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "assignee")


@admin.register(Questionnaire)
class QuestionnaireAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "organization", "service_name", "version", "status", "due_date")
    list_filter = ("status", "version")
    search_fields = ("name", "service_name", "organization__name")
    list_select_related = ("organization", "version")
    readonly_fields = ("organization", "version", "status", "copied_from", "created_at")
    fields = (
        "organization",
        "version",
        "name",
        "service_name",
        "owner",
        "due_date",
        "status",
        "submitted_at",
        "star_registry_url",
        "copied_from",
        "created_at",
    )

    def has_add_permission(self, request):
        # A questionnaire is created with one answer per question: use the app's page.
        return False


class AnswerAdminForm(forms.ModelForm):
    base_revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Answer
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_revision"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        for field, problem in value_problems(
            {f: cleaned.get(f, "") or "" for f in EDITABLE_FIELDS}
        ).items():
            self.add_error(field, problem)
        return cleaned


class GuardedXLSX(base_formats.XLSX):
    """An uploaded .xlsx is opened only after caiq.xlsx.guard proved it small and plain."""

    def create_dataset(self, in_stream):
        # WorkbookRejected's message is shown on the import form as the reason.
        open_workbook(in_stream, limits=workbook_limits(), read_only=True).close()
        return super().create_dataset(in_stream)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)


@admin.register(Answer)
class AnswerAdmin(TenantScopedAdminMixin, ImportExportMixin, ExportActionMixin, admin.ModelAdmin):
    tenant_path = "questionnaire__organization"
    resource_classes = [AnswerResource]
    import_formats = [base_formats.CSV, GuardedXLSX, base_formats.TSV, base_formats.JSON]
    form = AnswerAdminForm
    list_display = ("question", "questionnaire", "answer", "ssrm", "review_status", "assignee")
    list_filter = ("review_status", "answer", "ssrm", "questionnaire__version")
    search_fields = ("question__code", "questionnaire__name", "implementation")
    list_select_related = ("question", "questionnaire", "assignee")
    readonly_fields = ("question", "questionnaire", "review_status", "revision", "updated_by")
    actions = ("assign", "mark_ready", "approve")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_resource_kwargs(self, request, *args, **kwargs):
        # Import looks rows up, and export reads them, only among the answers this user sees.
        return {"answers": self.get_queryset(request)}

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: a row refused at confirmation (say, saved meanwhile) undoes the rest.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, WorkbookRejected):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        # Answers taken out through the admin are a download like the pages' exports.
        scoped = self.get_queryset(request).filter(pk__in=queryset.values("pk"))
        audit_answer_batch(EventKind.EXPORT_DOWNLOADED, scoped, request.user, "answers")
        return data

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def save_model(self, request, obj, form, change):
        current = Answer.objects.select_related("questionnaire").get(pk=obj.pk)
        membership = acting_membership(request, current.questionnaire.organization_id)
        values = {f: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE_FIELDS}
        try:
            services.answer_update(
                answer=current,
                membership=membership,
                user=request.user,
                values=values,
                base_revision=form.cleaned_data["base_revision"],
                source=ChangeSource.ADMIN,
            )
        except (services.StaleAnswer, ValidationError) as error:
            self.message_user(request, f"Not saved: {error}", messages.ERROR)

    def _each(self, request, queryset, action, label):
        done, refused = 0, []
        for answer in queryset.select_related("questionnaire", "question"):
            membership = acting_membership(request, answer.questionnaire.organization_id)
            if membership is None:
                refused.append(f"{answer.question.code}: you are not a member")
                continue
            try:
                action(answer=answer, membership=membership, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                refused.append(f"{answer.question.code}: {text}")
        self.message_user(request, f"{label}: {done} answers.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Refused: " + "; ".join(refused[:20]), messages.WARNING)

    @admin.action(description="Mark ready for review")
    def mark_ready(self, request, queryset):
        self._each(request, queryset, services.answer_mark_ready, "Marked ready for review")

    @admin.action(description="Approve (four eyes)")
    def approve(self, request, queryset):
        def approve_one(**kwargs):
            services.answer_approve(**kwargs, source=ChangeSource.ADMIN)

        self._each(request, queryset, approve_one, "Approved")

    @admin.action(description="Assign to a member")
    def assign(self, request, queryset):
        organization_ids = set(queryset.values_list("questionnaire__organization", flat=True))
        if len(organization_ids) != 1:
            self.message_user(
                request, "Assign answers of one organisation at a time.", messages.ERROR
            )
            return None
        (organization_id,) = organization_ids
        form = AssignForm(request.POST if "apply" in request.POST else None)
        form.fields["assignee"].queryset = User.objects.filter(
            memberships__organization_id=organization_id
        )
        if "apply" in request.POST and form.is_valid():
            membership = acting_membership(request, organization_id)
            if membership is None:
                self.message_user(request, "Only members can assign.", messages.ERROR)
                return None
            try:
                count = services.answers_assign(
                    answers=queryset,
                    assignee=form.cleaned_data["assignee"],
                    membership=membership,
                    user=request.user,
                    source=ChangeSource.ADMIN,
                )
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"Not assigned: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Assigned {count} answers.", messages.SUCCESS)
            return None
        return render(
            request,
            "admin/caiq/assign.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "answers": queryset,
                "opts": self.model._meta,
                "title": "Assign answers",
            },
        )


@admin.register(AnswerChange)
class AnswerChangeAdmin(ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    """The history is evidence for auditors: read-only, even for superusers."""

    tenant_path = "answer__questionnaire__organization"
    list_display = ("answer", "revision", "changed_by", "source", "changed_at")
    list_filter = ("source",)
    search_fields = ("answer__question__code", "changed_by__email")
    list_select_related = ("answer__question", "changed_by")


@admin.register(Comment)
class CommentAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    tenant_path = "answer__questionnaire__organization"
    list_display = ("answer", "author", "is_review", "created_at")
    list_filter = ("is_review",)
    search_fields = ("body", "answer__question__code")
    list_select_related = ("answer__question", "author")
    readonly_fields = ("answer", "author", "is_review", "created_at")

    def has_add_permission(self, request):
        return False
