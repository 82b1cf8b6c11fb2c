"""Form widgets every app shares (accounts is the bottom layer, so all may import it)."""

from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker. ``<input type="date">`` only takes ISO dates (2026-12-24); the
    locale's format (24/12/2026) leaves it empty, and saving the form then clears the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
