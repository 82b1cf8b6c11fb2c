import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organization, TokenScope
from accounts.tokens import api_token_create


class Command(BaseCommand):
    help = "Create an organisation API token for scripts and integrations; prints it once."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="organisation slug")
        parser.add_argument("--scope", required=True, choices=TokenScope.values)
        parser.add_argument("--name", default="Command-line token")
        parser.add_argument("--expires-days", type=int, help="expire after this many days")

    def handle(self, *args, organization, scope, name, expires_days, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organisation with slug {organization!r}.")
        expires_at = None
        if expires_days is not None:
            expires_at = timezone.now() + datetime.timedelta(days=expires_days)
        try:
            token, secret = api_token_create(
                name=name, scope=scope, organization=org, created_by=None, expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Created {scope} token {token.name!r} for {org.name}"
            + (f", expiring {expires_at:%Y-%m-%d}" if expires_at else "")
            + ". It is shown only now:"
        )
        self.stdout.write(secret)
