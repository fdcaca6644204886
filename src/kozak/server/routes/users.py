"""Users: admins list and create them; everyone changes their own password."""

from __future__ import annotations

from fastapi import APIRouter

from kozak import accounts
from kozak.server.deps import AdminUser, CurrentUser, WorkspaceDep
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


@router.put("/{user_ref}/password", status_code=204)
def set_password(
    user_ref: str, body: PasswordChange, workspace: WorkspaceDep, user: CurrentUser
) -> None:
    """Change your password (with the current one), or, as an admin, anyone's."""
    accounts.change_password(workspace, user, user_ref, body.password, body.current_password)
