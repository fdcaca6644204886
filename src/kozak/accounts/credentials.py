"""API tokens and browser sessions: random secrets handed out once, stored only as SHA-256.

A token looks like `kzk_<43 url-safe characters>`; a session cookie is a random string whose
session also carries a CSRF token the browser must echo in `X-CSRF-Token` on every change.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from kozak.accounts.users import authenticate, get_user, set_password
from kozak.errors import Forbidden, InvalidConfig, NotAuthenticated
from kozak.store.entities import ApiToken, BrowserSession, User, utcnow
from kozak.workspace import Workspace

TOKEN_PREFIX = "kzk_"


def _digest(secret: str) -> str:
    # Secrets are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(workspace: Workspace, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for `user`; returns it and the secret, which is never stored."""
    if not name.strip():
        raise InvalidConfig("a token needs a name saying what it is for", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip(), token_hash=_digest(secret), prefix=secret[:12])
    return workspace.metadata.create_token(token), secret


def list_tokens(workspace: Workspace, user: User) -> list[ApiToken]:
    """The user's tokens, revoked ones included, newest first."""
    return workspace.metadata.list_tokens(user.id)


def revoke_token(workspace: Workspace, user: User, token_id: str) -> ApiToken:
    """Revoke one of the user's tokens; it stops working at once."""
    return workspace.metadata.revoke_token(user.id, token_id)


def token_user(workspace: Workspace, secret: str) -> User:
    """The user a live API token belongs to."""
    found = workspace.metadata.find_token(_digest(secret))
    if found is None or found[0].revoked_at is not None:
        raise NotAuthenticated("the API token is unknown or revoked")
    return _enabled(found[1])


def create_session(workspace: Workspace, user: User) -> tuple[BrowserSession, str]:
    """A browser session for `user`; returns it and the cookie value."""
    cookie = secrets.token_urlsafe(32)
    session = BrowserSession(
        id=_digest(cookie),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(hours=workspace.settings.session_hours),
    )
    return workspace.metadata.create_session(session), cookie


def session_user(workspace: Workspace, cookie: str) -> tuple[User, BrowserSession]:
    """The user and session a session cookie stands for."""
    found = workspace.metadata.get_session(_digest(cookie))
    if found is None:
        raise NotAuthenticated("the session has expired; log in again")
    session, user = found
    return _enabled(user), session


def _enabled(user: User) -> User:
    if user.disabled:
        raise NotAuthenticated("the account is disabled")
    return user


def reset_password(
    workspace: Workspace,
    id_or_name: str,
    password: str,
    *,
    cookie: str | None = None,
    secret: str | None = None,
) -> User:
    """Replace a user's password and end every session and token of theirs but the one the
    change came with (`cookie` or `secret`, when the user changes their own), so whoever knew
    the old password loses the access it gave."""
    user = set_password(workspace, id_or_name, password)
    workspace.metadata.end_user_access(
        user.id,
        keep_session_id=_digest(cookie) if cookie else None,
        keep_token_hash=_digest(secret) if secret else None,
    )
    return user


def change_password(
    workspace: Workspace,
    actor: User,
    id_or_name: str,
    password: str,
    current_password: str = "",
    *,
    cookie: str | None = None,
    secret: str | None = None,
) -> User:
    """`actor` sets a user's password: their own with the current one, anyone's as an admin;
    see `reset_password` (the actor's `cookie`/`secret` is kept only for their own password).

    Raises:
        NotAuthenticated: If a non-admin's current password is wrong.
        Forbidden: If a non-admin names another user.
    """
    target = get_user(workspace, id_or_name)
    own = target.id == actor.id
    if not actor.is_admin:
        if not own:
            raise Forbidden("only an administrator can change another user's password")
        authenticate(workspace, actor.name, current_password)
    kept = {"cookie": cookie, "secret": secret} if own else {}
    return reset_password(workspace, target.id, password, **kept)


def end_session(workspace: Workspace, cookie: str) -> None:
    """Log a browser out."""
    workspace.metadata.delete_session(_digest(cookie))
