"""Input of the evidence pages. Forms check shapes only; evidence.services enforces the rules."""

import re

from django import forms

from accounts.widgets import IsoDateInput

from .models import Evidence, EvidenceKind

FRESHNESS_FILTERS = [
    ("", "All"),
    ("expired", "Expired"),
    ("expiring", "Expires within 30 days"),
    ("current", "Current"),
]
# What the fill page's library picker sends: "Title (#12)" from the datalist, or a bare id.
PICKED_ID = re.compile(r"(?:^|\(#)(\d+)\)?\s*$")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=IsoDateInput())


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.email})" if name else user.email


class LibraryFilterForm(forms.Form):
    freshness = forms.ChoiceField(label="Show", choices=FRESHNESS_FILTERS, required=False)
    q = forms.CharField(label="Search title or description", max_length=100, required=False)


class EvidenceForm(forms.Form):
    """A new library item: a file or a link (the service refuses both or neither)."""

    title = forms.CharField(
        max_length=200, required=False, help_text="Defaults to the file name or the link."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(required=False)
    url = forms.URLField(label="or a link", max_length=2000, required=False, assume_scheme="https")
    owner = PersonChoiceField(
        queryset=None, required=False, help_text="Who is reminded before it expires."
    )
    valid_from = _date_field("Valid from")
    valid_until = _date_field("Valid until")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("url")) and not self.errors:
            raise forms.ValidationError("Give either a file or a link.")
        return cleaned


class EvidenceEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    url = forms.URLField(label="Link", max_length=2000, assume_scheme="https")
    owner = PersonChoiceField(queryset=None, required=False)
    valid_from = _date_field("Valid from")
    valid_until = _date_field("Valid until")

    def __init__(self, *args, evidence: Evidence, people, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": evidence.title,
                "description": evidence.description,
                "url": evidence.url,
                "owner": evidence.owner_id,
                "valid_from": evidence.valid_from,
                "valid_until": evidence.valid_until,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        if evidence.kind != EvidenceKind.LINK:
            del self.fields["url"]  # a file's content changes by uploading a version


class VersionForm(forms.Form):
    file = forms.FileField(label="File")


class AttachForm(forms.Form):
    """From the fill page: a new file to add to the library, or a library item to pick."""

    file = forms.FileField(required=False)
    evidence = forms.CharField(max_length=250, required=False)

    def clean_evidence(self) -> int | None:
        value = self.cleaned_data["evidence"].strip()
        if not value:
            return None
        match = PICKED_ID.search(value)
        if match is None:
            raise forms.ValidationError("Pick an item from the library list.")
        return int(match.group(1))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("file") and cleaned.get("evidence") is None:
            raise forms.ValidationError("Choose a file or pick an item from the library.")
        return cleaned
