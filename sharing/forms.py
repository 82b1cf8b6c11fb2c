import datetime

from django import forms
from django.utils import timezone

from accounts.widgets import IsoDateInput

DEFAULT_DAYS = 30


class ShareLinkForm(forms.Form):
    recipient = forms.CharField(
        max_length=200, label="Shared with", help_text="Who the link is for, e.g. a customer."
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=IsoDateInput(),
        help_text="The link stops working at the end of this day.",
    )
    require_email = forms.BooleanField(
        required=False,
        label="Ask for an e-mail address",
        help_text="Visitors confirm an address with a one-time code before they see anything.",
    )
    allowed_domains = forms.CharField(
        required=False,
        max_length=500,
        label="Only these e-mail domains",
        help_text="Optional, e.g. “customer.com partner.org”; turns on the e-mail check.",
    )
    nda_text = forms.CharField(
        required=False,
        label="NDA to accept",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: visitors must accept this text before they see anything.",
    )

    @staticmethod
    def initial_values() -> dict:
        return {"expires_on": timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS)}

    def expires_at(self) -> datetime.datetime:
        """The end of the chosen day in the site's time zone."""
        day = self.cleaned_data["expires_on"] + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
