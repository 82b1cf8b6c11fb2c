from django import forms
from django.conf import settings

from accounts.widgets import IsoDateInput

from .models import StarLevel


class CatalogUploadForm(forms.Form):
    workbook = forms.FileField(
        label="CSA's CAIQ workbook (.xlsx)",
        help_text="The unaltered file downloaded from the Cloud Security Alliance.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        # Refuse before reading anything into memory; the guard checks the bytes again.
        if upload.size > settings.WORKBOOK_MAX_BYTES:
            limit = settings.WORKBOOK_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is larger than the {limit} MB limit.")
        return upload


class QuestionnaireForm(forms.Form):
    name = forms.CharField(max_length=200)
    service_name = forms.CharField(label="Cloud service", max_length=200)
    version = forms.ModelChoiceField(
        label="CAIQ version", queryset=None, empty_label=None, to_field_name="caiq_version"
    )
    owner = forms.ModelChoiceField(queryset=None, required=False)
    due_date = forms.DateField(required=False, widget=IsoDateInput())

    def __init__(self, *args, versions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions
        self.fields["owner"].queryset = people


class CopyForwardForm(forms.Form):
    name = forms.CharField(label="Name of the new questionnaire", max_length=200)
    version = forms.ModelChoiceField(
        label="Into CAIQ version", queryset=None, empty_label=None, to_field_name="caiq_version"
    )
    due_date = forms.DateField(required=False, widget=IsoDateInput())

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions


class SubmissionForm(forms.Form):
    submitted_at = forms.DateField(label="Submitted on", widget=IsoDateInput())
    star_registry_url = forms.URLField(
        label="STAR Registry entry", required=False, assume_scheme="https"
    )
    # Optional: a submission recorded without one is a Level 1 self-assessment.
    star_level = forms.ChoiceField(label="STAR level", choices=StarLevel.choices, required=False)

    def clean_star_level(self):
        return self.cleaned_data["star_level"] or StarLevel.SELF_ASSESSMENT


class AnswerForm(forms.Form):
    """The editable fields of one answer, plus the revision the page was loaded at."""

    answer = forms.CharField(required=False)
    ssrm = forms.CharField(required=False)
    implementation = forms.CharField(required=False, strip=False)
    csc_responsibilities = forms.CharField(required=False, strip=False)
    internal_notes = forms.CharField(required=False, strip=False)
    revision = forms.IntegerField(min_value=1)

    def values(self) -> dict[str, str]:
        """Only the fields the browser sent: a partial form must not blank the others."""
        return {
            name: self.cleaned_data[name]
            for name in (
                "answer",
                "ssrm",
                "implementation",
                "csc_responsibilities",
                "internal_notes",
            )
            if name in self.data
        }
