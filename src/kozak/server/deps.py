"""Typed dependencies for routes: the workspace, runner, current user and project by role.

The caller is found as `kozak.server.access` says (an API token, a session cookie, or the admin
when no one logs in). A project in a path is resolved through the caller's membership:
`ProjectViewer`, `ProjectEditor` and `ProjectOwner` check the role.

The caller is looked up once per request (kept in `request.state`), and a project dependency
looks up the caller and the membership in one trip to the thread pool: each trip costs a
request about as much CPU as one of these queries. The busiest reads take `ViewerAccess`
instead, which makes no trip: it carries the request's `Credentials`, and the route checks them
(`ProjectAccess.project`) in the trip or bulk process that does its work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from kozak import accounts
from kozak.accounts.throttle import LoginGuard
from kozak.errors import Forbidden, NotAuthenticated
from kozak.runner import JobRunner
from kozak.server.access import LOG_IN, Credentials, ProjectAccess, caller
from kozak.server.bulk import BulkReads
from kozak.server.long_work import LongWork
from kozak.settings import Settings
from kozak.store.entities import Project, User
from kozak.workspace import Workspace

# Dependencies that only read app state are `async`: FastAPI runs a sync one in the thread pool,
# a hop that waits for the GIL behind every busy request thread (seconds under load).


async def get_workspace(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


async def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


async def get_login_guard(request: Request) -> LoginGuard:
    guard: LoginGuard = request.app.state.login_guard
    return guard


async def get_bulk_reads(request: Request) -> BulkReads:
    bulk: BulkReads = request.app.state.bulk
    return bulk


async def get_long_work(request: Request) -> LongWork:
    long_work: LongWork = request.app.state.long_work
    return long_work


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
LongWorkDep = Annotated[LongWork, Depends(get_long_work)]
BulkReadsDep = Annotated[BulkReads, Depends(get_bulk_reads)]
LoginGuardDep = Annotated[LoginGuard, Depends(get_login_guard)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


async def get_settings(workspace: WorkspaceDep) -> Settings:
    return workspace.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def _authenticate(request: Request, workspace: Workspace) -> User:
    """The caller (the request's token, session or, without auth, the admin); blocking."""
    user: User | None = getattr(request.state, "user", None)
    if user is None:
        user = request.state.user = caller(Credentials.of(request), workspace)
    return user


async def get_current_user(request: Request, workspace: WorkspaceDep) -> User:
    user: User | None = getattr(request.state, "user", None)
    if user is None:
        user = await run_in_threadpool(_authenticate, request, workspace)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin(user: CurrentUser) -> User:  # async: no thread-pool trip
    if not user.is_admin:
        raise Forbidden("only an administrator can do this")
    return user


AdminUser = Annotated[User, Depends(get_admin)]


@dataclass(frozen=True)
class Membership:
    """A project in the path, and the role the caller holds in it."""

    project: Project
    role: str


def _membership(role: str) -> Callable[[str, Request, WorkspaceDep], Awaitable[Membership]]:
    def authorize(project_id: str, request: Request, workspace: Workspace) -> Membership:
        with workspace.metadata.one_connection():
            user = _authenticate(request, workspace)
            return Membership(*accounts.require_membership(workspace, user, project_id, role))

    async def dependency(project_id: str, request: Request, workspace: WorkspaceDep) -> Membership:
        return await run_in_threadpool(authorize, project_id, request, workspace)

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the access-matrix test
    return dependency


def _project_with(role: str) -> Callable[[Membership], Awaitable[Project]]:
    # A default, not an `Annotated` parameter: postponed annotations cannot see `role`.
    async def dependency(member: Membership = Depends(_membership(role))) -> Project:
        return member.project

    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency


def _access(role: str) -> Callable[[str, Request], Awaitable[ProjectAccess]]:
    async def dependency(project_id: str, request: Request) -> ProjectAccess:
        credentials = Credentials.of(request)
        # No credentials at all: refused now, as a project dependency would, so that a bad
        # parameter does not answer 422 before the route's check answers 401.
        if credentials.anonymous and request.app.state.workspace.settings.auth:
            raise NotAuthenticated(LOG_IN)
        return ProjectAccess(project_id, role, credentials)

    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency


ProjectViewer = Annotated[Project, Depends(_project_with("viewer"))]
ViewerAccess = Annotated[ProjectAccess, Depends(_access("viewer"))]
ProjectEditor = Annotated[Project, Depends(_project_with("editor"))]
ProjectOwner = Annotated[Project, Depends(_project_with("owner"))]
ViewerMembership = Annotated[Membership, Depends(_membership("viewer"))]
EditorMembership = Annotated[Membership, Depends(_membership("editor"))]
