from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Trust-center share links: an approved or submitted questionnaire shown read-only to
    someone outside the organisation under an unguessable, expiring, revocable link."""

    name = "sharing"
    verbose_name = "Share links"
