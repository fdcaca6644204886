"""Users, credentials (passwords, API tokens, browser sessions) and project roles."""

from kozak.accounts.credentials import (
    change_password,
    create_session,
    create_token,
    end_session,
    list_tokens,
    revoke_token,
    session_user,
    token_user,
)
from kozak.accounts.roles import (
    ROLES,
    add_member,
    adopt_orphan_projects,
    can_view,
    create_project,
    delete_project,
    list_members,
    remove_member,
    require_role,
    user_projects,
)
from kozak.accounts.users import (
    authenticate,
    create_user,
    ensure_admin,
    get_user,
    list_users,
    set_password,
)

__all__ = [
    "ROLES",
    "add_member",
    "adopt_orphan_projects",
    "authenticate",
    "can_view",
    "change_password",
    "create_project",
    "create_session",
    "create_token",
    "create_user",
    "delete_project",
    "end_session",
    "ensure_admin",
    "get_user",
    "list_members",
    "list_tokens",
    "list_users",
    "remove_member",
    "require_role",
    "revoke_token",
    "session_user",
    "set_password",
    "token_user",
    "user_projects",
]
