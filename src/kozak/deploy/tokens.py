"""Deployment tokens: made once, stored as SHA-256, read from Bearer or HTTP Basic headers.

Peltarion-era clients sent the token either as `Authorization: Bearer <token>` or as the user
name of HTTP Basic authentication; both are accepted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

PREFIX = "kzd_"


def new_token() -> str:
    """A fresh deployment token (`kzd_…`, 256 random bits)."""
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest the store keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    """The part of a token shown to tell tokens apart (never enough to use it)."""
    return token[: len(PREFIX) + 6]


def token_matches(token: str, token_hash: str) -> bool:
    """Whether `token` is the one `token_hash` was made from (constant-time comparison)."""
    return hmac.compare_digest(hash_token(token), token_hash)


def token_from_authorization(header: str | None) -> str | None:
    """The token in an `Authorization` header (Bearer, or Basic with it as user name), if any."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "bearer":
        return value or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, _password = decoded.partition(":")
        return user or None
    return None
