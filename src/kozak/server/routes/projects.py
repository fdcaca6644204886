"""Projects the caller is a member of, and their members (managed by owners)."""

from __future__ import annotations

from fastapi import APIRouter

from kozak import accounts
from kozak.errors import InvalidConfig
from kozak.server.deps import (
    CurrentUser,
    EditorMembership,
    ProjectOwner,
    ProjectViewer,
    ViewerMembership,
    WorkspaceDep,
)
from kozak.server.paging import NameSearch, PageParams
from kozak.server.schemas import Page
from kozak.server.schemas.accounts import (
    MemberPublic,
    MemberSet,
    ProjectCreate,
    ProjectPublic,
    ReferenceLinesSet,
)

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("")
def list_projects(
    workspace: WorkspaceDep, user: CurrentUser, page: PageParams, q: NameSearch = None
) -> Page[ProjectPublic]:
    """A page of the projects you are a member of, with your role; `q` matches the name or the
    description. Sorts: `created` (default), `name`."""
    found = workspace.metadata.page_user_projects(user.id, page, q)
    return Page.of_page(found, lambda pair: ProjectPublic.of(*pair))


@router.post("", status_code=201)
def create_project(body: ProjectCreate, workspace: WorkspaceDep, user: CurrentUser) -> ProjectPublic:
    """A new project; you are its owner."""
    project = accounts.create_project(workspace, user, body.name, body.description)
    return ProjectPublic.of(project, "owner")


@router.get("/{project_id}")
async def get_project(member: ViewerMembership) -> ProjectPublic:  # async: no thread-pool trip
    """One project (by id or name)."""
    return ProjectPublic.of(member.project, member.role)


@router.put("/{project_id}/reference-lines")
def set_reference_lines(
    body: ReferenceLinesSet, member: EditorMembership, workspace: WorkspaceDep
) -> ProjectPublic:
    """Replace the project's reference lines (a paper's value to replicate, a target): each a
    name, a metric key and a value, drawn on the evaluation plots of that metric (editors)."""
    names = [line.name.strip() for line in body.lines]
    twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if twice is not None:
        raise InvalidConfig(
            f"lines.{names.index(twice, names.index(twice) + 1) + 1}.name: {twice!r} names "
            "another line already; give each line its own name",
            field="lines.name",
        )
    updated = workspace.metadata.set_reference_lines(member.project.id, body.lines)
    return ProjectPublic.of(updated, member.role)


@router.delete("/{project_id}", status_code=204)
def delete_project(project: ProjectOwner, workspace: WorkspaceDep) -> None:
    """Delete a project and everything in it (owners only)."""
    accounts.delete_project(workspace, project)


@router.get("/{project_id}/members")
def list_members(project: ProjectViewer, workspace: WorkspaceDep) -> Page[MemberPublic]:
    """Who is in the project, with their roles."""
    return Page.of([MemberPublic.of(m, u) for m, u in accounts.list_members(workspace, project)])


@router.put("/{project_id}/members")
def set_member(body: MemberSet, project: ProjectOwner, workspace: WorkspaceDep) -> MemberPublic:
    """Invite a user by name or change their role (owners only)."""
    member = accounts.add_member(workspace, project, body.user, body.role)
    return MemberPublic.of(member, accounts.get_user(workspace, member.user_id))


@router.delete("/{project_id}/members/{user_ref}", status_code=204)
def remove_member(user_ref: str, project: ProjectOwner, workspace: WorkspaceDep) -> None:
    """Take a user out of the project (owners only)."""
    accounts.remove_member(workspace, project, user_ref)
