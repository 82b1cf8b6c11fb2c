"""Every date field renders its value as ISO, which is all <input type="date"> accepts."""

import datetime

import pytest
from django.utils import translation

from accounts.token_views import ApiTokenEditForm, ApiTokenForm
from accounts.widgets import IsoDateInput
from caiq.forms import CopyForwardForm, QuestionnaireForm, SubmissionForm
from evidence.forms import EvidenceEditForm, EvidenceForm
from sharing.forms import ShareLinkForm

DAY = datetime.date(2027, 12, 24)
FORMS = [
    ApiTokenForm,
    ApiTokenEditForm,
    QuestionnaireForm,
    CopyForwardForm,
    SubmissionForm,
    EvidenceForm,
    EvidenceEditForm,
    ShareLinkForm,
]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_every_date_field_uses_the_iso_date_picker(form_class):
    fields = {
        name: field
        for name, field in form_class.base_fields.items()
        if field.__class__.__name__ == "DateField"
    }

    assert fields
    assert all(isinstance(field.widget, IsoDateInput) for field in fields.values())


def test_an_initial_date_renders_as_iso_in_a_day_first_locale():
    with translation.override("en-gb"):
        html = IsoDateInput().render("valid_until", DAY)

    assert 'type="date"' in html
    assert 'value="2027-12-24"' in html
