"""Projects with members and roles: owner (manage members) > editor (change) > viewer (read).

Access is by membership only: a project a user is not a member of is reported as not found,
never as forbidden, so ids cannot be probed.
"""

from __future__ import annotations

from kozak.errors import Conflict, Forbidden, InvalidConfig, NotFound
from kozak.store.entities import Member, Project, User
from kozak.workspace import Workspace

ROLES = ("viewer", "editor", "owner")  # each role can do everything the ones before it can


def _rank(role: str) -> int:
    if role not in ROLES:
        raise InvalidConfig(f"role {role!r} is not one of {', '.join(ROLES)}", field="role")
    return ROLES.index(role)


def require_role(workspace: Workspace, user: User, project_ref: str, role: str) -> Project:
    """The project, if `user` is a member with at least `role`.

    Raises:
        NotFound: the project does not exist or the user is not a member.
        Forbidden: the user is a member with a lower role.
    """
    return require_membership(workspace, user, project_ref, role)[0]


def require_membership(
    workspace: Workspace, user: User, project_ref: str, role: str
) -> tuple[Project, str]:
    """The project and the role `user` holds in it, if at least `role` (as `require_role`)."""
    project, held = workspace.metadata.get_membership(project_ref, user.id)
    if _rank(held) < _rank(role):
        raise Forbidden(f"this needs the {role} role in project {project.name!r}; you are {held}")
    return project, held


def can_view(workspace: Workspace, user: User, project_id: str) -> bool:
    """Whether `user` may still see the project (re-checked by long-lived streams)."""
    try:
        require_role(workspace, user, project_id, "viewer")
    except NotFound:
        return False
    return True


def create_project(workspace: Workspace, user: User, name: str, description: str = "") -> Project:
    """A new project owned by `user`."""
    if not name.strip():
        raise InvalidConfig("a project needs a name", field="name")
    project = workspace.metadata.create_project(
        Project(name=name.strip(), description=description, created_by=user.name)
    )
    workspace.metadata.set_member(Member(project_id=project.id, user_id=user.id, role="owner"))
    return project


def user_projects(workspace: Workspace, user: User) -> list[tuple[Project, str]]:
    """The projects `user` is a member of, with their role."""
    return workspace.metadata.list_user_projects(user.id)


def list_members(workspace: Workspace, project: Project) -> list[tuple[Member, User]]:
    """A project's members with their accounts."""
    return [
        (m, workspace.metadata.get_user(m.user_id)) for m in workspace.metadata.list_members(project.id)
    ]


def _owners(workspace: Workspace, project: Project) -> set[str]:
    return {m.user_id for m in workspace.metadata.list_members(project.id) if m.role == "owner"}


def add_member(workspace: Workspace, project: Project, user_name: str, role: str) -> Member:
    """Add a user by name, or change their role; the last owner cannot step down."""
    _rank(role)
    user = workspace.metadata.get_user(user_name)
    if role != "owner" and _owners(workspace, project) == {user.id}:
        raise Conflict("the project's last owner cannot change role; make someone else owner first")
    return workspace.metadata.set_member(Member(project_id=project.id, user_id=user.id, role=role))


def remove_member(workspace: Workspace, project: Project, user_ref: str) -> None:
    """Take a user out of the project; the last owner cannot be removed."""
    user = workspace.metadata.get_user(user_ref)
    if _owners(workspace, project) == {user.id}:
        raise Conflict("the project's last owner cannot be removed")
    workspace.metadata.remove_member(project.id, user.id)


def delete_project(workspace: Workspace, project: Project) -> None:
    """Delete a project, its rows and its files; refused while one of its jobs is active."""
    metadata = workspace.metadata
    if metadata.list_jobs(project.id, statuses=("queued", "running")):
        raise Conflict(f"project {project.name!r} has queued or running jobs; stop them first")
    paths = [e.artifact_path for e in metadata.list_experiments(project.id)]
    for dataset in metadata.list_datasets(project.id):
        paths += [v.artifact_path for v in metadata.list_dataset_versions(dataset.id)]
    paths += [f"drafts/{d.id}" for d in metadata.list_drafts(project.id)]
    metadata.delete_project(project.id)  # rows first: a failure here leaves every file in place
    for path in paths:
        if path:
            workspace.artifacts.delete(path)


def adopt_orphan_projects(workspace: Workspace, user: User) -> list[Project]:
    """Make `user` owner of every project with no members (made by the CLI or the library)."""
    adopted = []
    for project in workspace.metadata.list_projects():
        if not workspace.metadata.list_members(project.id):
            workspace.metadata.set_member(Member(project_id=project.id, user_id=user.id, role="owner"))
            adopted.append(project)
    return adopted
