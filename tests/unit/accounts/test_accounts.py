"""Users, passwords, tokens, sessions and roles on a real workspace."""

from __future__ import annotations

import pytest

from kozak import accounts
from kozak.errors import AlreadyExists, Conflict, Forbidden, InvalidConfig, NotAuthenticated, NotFound
from kozak.settings import Settings
from kozak.workspace import Workspace


def test_passwords_are_hashed_with_argon2_and_checked(workspace: Workspace) -> None:
    user = accounts.create_user(workspace, "ada", "correct horse")
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    assert accounts.authenticate(workspace, "ada", "correct horse").id == user.id
    with pytest.raises(NotAuthenticated, match="wrong user name or password"):
        accounts.authenticate(workspace, "ada", "wrong horse")
    with pytest.raises(NotAuthenticated, match="wrong user name or password"):
        accounts.authenticate(workspace, "nobody", "correct horse")


def test_user_rules(workspace: Workspace) -> None:
    with pytest.raises(InvalidConfig, match="at least 8"):
        accounts.create_user(workspace, "ada", "short")
    with pytest.raises(InvalidConfig, match="user name"):
        accounts.create_user(workspace, "../ada", "long enough")
    accounts.create_user(workspace, "ada", "long enough")
    with pytest.raises(AlreadyExists):
        accounts.create_user(workspace, "ada", "long enough")
    accounts.set_password(workspace, "ada", "another one")
    assert accounts.authenticate(workspace, "ada", "another one").name == "ada"


def test_admin_is_created_once_with_the_configured_password(settings: Settings) -> None:
    workspace = Workspace.open(settings.model_copy(update={"admin_password": "from-settings"}))
    admin, password = accounts.ensure_admin(workspace)
    assert admin.is_admin and password == "from-settings"
    again, password_again = accounts.ensure_admin(workspace)
    assert again.id == admin.id and password_again is None


def test_random_admin_password_when_none_is_configured(workspace: Workspace) -> None:
    admin, password = accounts.ensure_admin(workspace)
    assert password is not None and len(password) >= 12
    assert accounts.authenticate(workspace, "admin", password).id == admin.id


def test_tokens_are_shown_once_stored_hashed_and_revocable(workspace: Workspace) -> None:
    ada = accounts.create_user(workspace, "ada", "long enough")
    token, secret = accounts.create_token(workspace, ada, "laptop")
    assert secret.startswith("kzk_") and secret not in token.token_hash
    assert accounts.token_user(workspace, secret).id == ada.id
    assert accounts.list_tokens(workspace, ada)[0].last_used_at is not None
    accounts.revoke_token(workspace, ada, token.id)
    with pytest.raises(NotAuthenticated, match="revoked"):
        accounts.token_user(workspace, secret)
    with pytest.raises(NotAuthenticated):
        accounts.token_user(workspace, "kzk_made-up")


def test_another_users_token_cannot_be_revoked(workspace: Workspace) -> None:
    ada = accounts.create_user(workspace, "ada", "long enough")
    bob = accounts.create_user(workspace, "bob", "long enough")
    token, _ = accounts.create_token(workspace, ada, "laptop")
    with pytest.raises(NotFound):
        accounts.revoke_token(workspace, bob, token.id)


def test_sessions_end_on_logout(workspace: Workspace) -> None:
    ada = accounts.create_user(workspace, "ada", "long enough")
    session, cookie = accounts.create_session(workspace, ada)
    user, found = accounts.session_user(workspace, cookie)
    assert user.id == ada.id and found.csrf_token == session.csrf_token
    accounts.end_session(workspace, cookie)
    with pytest.raises(NotAuthenticated, match="log in again"):
        accounts.session_user(workspace, cookie)


def test_roles_are_ordered_and_non_members_see_nothing(workspace: Workspace) -> None:
    owner = accounts.create_user(workspace, "owner", "long enough")
    viewer = accounts.create_user(workspace, "viewer", "long enough")
    stranger = accounts.create_user(workspace, "stranger", "long enough")
    project = accounts.create_project(workspace, owner, "Lab")
    accounts.add_member(workspace, project, "viewer", "viewer")
    assert accounts.require_role(workspace, viewer, project.id, "viewer").id == project.id
    with pytest.raises(Forbidden, match="editor"):
        accounts.require_role(workspace, viewer, "Lab", "editor")
    with pytest.raises(NotFound):
        accounts.require_role(workspace, stranger, project.id, "viewer")
    with pytest.raises(NotFound):
        accounts.require_role(workspace, stranger, "prj_doesnotexist", "viewer")
    assert [p.name for p, role in accounts.user_projects(workspace, viewer)] == ["Lab"]
    assert accounts.user_projects(workspace, stranger) == []


def test_the_last_owner_stays(workspace: Workspace) -> None:
    owner = accounts.create_user(workspace, "owner", "long enough")
    accounts.create_user(workspace, "other", "long enough")
    project = accounts.create_project(workspace, owner, "Lab")
    with pytest.raises(Conflict, match="last owner"):
        accounts.add_member(workspace, project, "owner", "editor")
    with pytest.raises(Conflict, match="last owner"):
        accounts.remove_member(workspace, project, "owner")
    accounts.add_member(workspace, project, "other", "owner")
    accounts.add_member(workspace, project, "owner", "editor")
    roles = {u.name: m.role for m, u in accounts.list_members(workspace, project)}
    assert roles == {"owner": "editor", "other": "owner"}
    with pytest.raises(InvalidConfig, match="role"):
        accounts.add_member(workspace, project, "owner", "superuser")


def test_deleting_a_project_removes_its_files(workspace: Workspace) -> None:
    owner = accounts.create_user(workspace, "owner", "long enough")
    project = accounts.create_project(workspace, owner, "Lab")
    workspace.artifacts.put_bytes("drafts/x/files/a.csv", b"a\n1\n")
    accounts.delete_project(workspace, project)
    with pytest.raises(NotFound):
        workspace.metadata.get_project(project.id)
