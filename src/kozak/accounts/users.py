"""User accounts: argon2-hashed passwords, the first-start admin, authentication by password.

Names are short identifiers (letters, digits, `._-`); passwords are at least 8 characters.
"""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kozak.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidConfig,
    NotAuthenticated,
    NotFound,
)
from kozak.store.entities import User
from kozak.workspace import Workspace

ADMIN = "admin"
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so the
# response time does not tell whether a user name exists.
_DUMMY_HASH = _hasher.hash("not-a-password")


def hash_password(password: str) -> str:
    """An argon2id hash of a password that meets the length rule."""
    if len(password) < MIN_PASSWORD:
        raise InvalidConfig(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    return _hasher.hash(password)


def create_user(workspace: Workspace, name: str, password: str, *, is_admin: bool = False) -> User:
    """A new user; the name must be free and well-formed."""
    if not _NAME.match(name):
        raise InvalidConfig(
            f"user name {name!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit",
            field="name",
        )
    try:
        workspace.metadata.get_user(name)
    except NotFound:
        return workspace.metadata.create_user(
            User(name=name, password_hash=hash_password(password), is_admin=is_admin)
        )
    raise AlreadyExists(f"a user named {name!r} already exists", user=name)


def get_user(workspace: Workspace, id_or_name: str) -> User:
    """A user by id or name."""
    return workspace.metadata.get_user(id_or_name)


def list_users(workspace: Workspace) -> list[User]:
    """Every user, by name."""
    return workspace.metadata.list_users()


def set_password(workspace: Workspace, id_or_name: str, password: str) -> User:
    """Replace a user's password."""
    user = workspace.metadata.get_user(id_or_name)
    return workspace.metadata.update_user(user.id, password_hash=hash_password(password))


def authenticate(workspace: Workspace, name: str, password: str) -> User:
    """The user whose name and password these are; one vague error for any mismatch."""
    try:
        user = workspace.metadata.get_user(name)
    except NotFound:
        _verify(_DUMMY_HASH, password)
        raise NotAuthenticated("wrong user name or password") from None
    if not _verify(user.password_hash, password):
        raise NotAuthenticated("wrong user name or password")
    if user.disabled:  # said only to someone who knows the password
        raise Forbidden("this account is disabled; ask an administrator to enable it")
    if _hasher.check_needs_rehash(user.password_hash):
        user = workspace.metadata.update_user(user.id, password_hash=_hasher.hash(password))
    return user


def set_disabled(workspace: Workspace, id_or_name: str, disabled: bool) -> User:
    """Disable a user (ending every session and token of theirs at once) or enable them again.

    Raises:
        NotFound: no such user.
        Conflict: disabling the last enabled administrator, which would lock everyone out.
    """
    user = workspace.metadata.get_user(id_or_name)
    if disabled and user.is_admin:
        admins = [u for u in workspace.metadata.list_users() if u.is_admin and not u.disabled]
        if [u.id for u in admins] == [user.id]:
            raise Conflict(f"{user.name!r} is the last enabled administrator; enable another first")
    updated = workspace.metadata.update_user(user.id, disabled=disabled)
    if disabled:
        workspace.metadata.end_user_access(user.id)
    return updated


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def ensure_admin(workspace: Workspace) -> tuple[User, str | None]:
    """The admin account, created on first start.

    Returns:
        The admin and, when it was just created, its password (from `settings.admin_password`,
        else a random one), so the caller can tell the person starting the server.
    """
    try:
        return workspace.metadata.get_user(ADMIN), None
    except NotFound:
        password = workspace.settings.admin_password or secrets.token_urlsafe(12)
        return create_user(workspace, ADMIN, password, is_admin=True), password
