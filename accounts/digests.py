"""What is stored for a secret that only its holder should have (API tokens, invitation links,
share links, one-time codes): its SHA-256, so a copy of the database opens nothing. The secrets
are long random strings (or short-lived and rate-limited codes), so no slow hash is needed."""

import hashlib


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
