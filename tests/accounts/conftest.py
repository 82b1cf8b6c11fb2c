import re

import pytest
from django.urls import reverse

INVITATION_LINK = re.compile(r"https?://testserver(/invitations/[\w-]+/)")


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks, mailoutbox):
    """Invite ``email`` as ``by`` (an admin) through the members page; returns the link's path."""

    def send(*, by, org, email, role="contributor"):
        client.force_login(by)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("members", args=[org.slug]), {"email": email, "role": role}
            )
        assert response.status_code == 302, response.content
        client.logout()
        return INVITATION_LINK.search(mailoutbox[-1].body).group(1)

    return send
