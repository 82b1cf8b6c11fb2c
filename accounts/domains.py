"""E-mail domains typed by people (allowed domains of single sign-on, of a share link's e-mail
check): one parser, so both accept and refuse the same things."""

import re

from django.core.exceptions import ValidationError

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def parse_domains(text: str) -> list[str]:
    """Domains separated by spaces, commas, semicolons or lines; lower case, a leading "@"
    dropped, duplicates once, each checked ("<x> is not an e-mail domain." otherwise)."""
    domains = []
    for part in re.split(r"[\s,;]+", text or ""):
        domain = part.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ValidationError(f"{domain} is not an e-mail domain.", code="domain")
        if domain not in domains:
            domains.append(domain)
    return domains
