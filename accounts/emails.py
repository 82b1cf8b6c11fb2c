"""Outgoing e-mail of the accounts app, rendered from templates under ``accounts/email/``."""

from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import Invitation


def send_invitation_email(*, invitation: Invitation, accept_url: str) -> None:
    context = {"invitation": invitation, "accept_url": accept_url}
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    body = render_to_string("accounts/email/invitation_body.txt", context)
    # A header must be one line, whatever the organisation's name contains.
    send_mail(" ".join(subject.split()), body, None, [invitation.email])
