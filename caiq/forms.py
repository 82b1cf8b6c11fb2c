from django import forms
from django.conf import settings


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
