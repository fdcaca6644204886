"""Users: admins list, create, disable and enable them; everyone changes their own password."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kozak import accounts
from kozak.server.access import SESSION_COOKIE, bearer_secret
from kozak.server.deps import (
    AdminUser,
    CurrentUser,
    WorkspaceDep,
)
from kozak.server.schemas import Page
from kozak.server.schemas.accounts import PasswordChange, UserCreate, UserPublic

router = APIRouter(prefix="/users", tags=["users"])


@router.get("")
def list_users(workspace: WorkspaceDep, _: CurrentUser) -> Page[UserPublic]:
    """Every user (names only), so owners can invite them."""
    return Page.of([UserPublic.of(u) for u in accounts.list_users(workspace)])


@router.post("", status_code=201)
def create_user(body: UserCreate, workspace: WorkspaceDep, _: AdminUser) -> UserPublic:
    """Create a user (admins only)."""
    return UserPublic.of(
        accounts.create_user(workspace, body.name, body.password, is_admin=body.is_admin)
    )


@router.post("/{user_ref}/disable")
def disable_user(user_ref: str, workspace: WorkspaceDep, _: AdminUser) -> UserPublic:
    """Disable a user: they cannot log in, and every session and token of theirs ends (admins)."""
    return UserPublic.of(accounts.set_disabled(workspace, user_ref, True))


@router.post("/{user_ref}/enable")
def enable_user(user_ref: str, workspace: WorkspaceDep, _: AdminUser) -> UserPublic:
    """Let a disabled user log in again (admins)."""
    return UserPublic.of(accounts.set_disabled(workspace, user_ref, False))


@router.put("/{user_ref}/password", status_code=204)
def set_password(
    user_ref: str, body: PasswordChange, workspace: WorkspaceDep, user: CurrentUser, request: Request
) -> None:
    """Change your password (with the current one), or, as an admin, anyone's; every other
    session and token of theirs ends."""
    accounts.change_password(
        workspace,
        user,
        user_ref,
        body.password,
        body.current_password,
        cookie=request.cookies.get(SESSION_COOKIE),
        secret=bearer_secret(request),
    )
