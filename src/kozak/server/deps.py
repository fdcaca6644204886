"""Typed dependencies for routes: the workspace, runner, current user and project by role.

Authentication, in order: an `Authorization: Bearer <token>` API token, else the session
cookie (then every unsafe method must carry the session's CSRF token in `X-CSRF-Token`), else,
with `auth` off (loopback only), the admin — for requests whose Host and Origin are loopback
names (no DNS rebinding, no foreign page) and, on unsafe methods, that carry `X-CSRF-Token` or
`X-Requested-With` (headers another site's page cannot send without a preflight we never allow).
A project in a path is resolved through the caller's membership: `ProjectViewer`,
`ProjectEditor` and `ProjectOwner` check the role.

The caller is looked up once per request (kept in `request.state`), and a project dependency
looks up the caller and the membership in one trip to the thread pool: each trip costs a
request about as much CPU as one of these queries. The busiest reads take `ViewerAccess`
instead, which makes no trip: it carries the request's `Credentials`, and the route checks them
(`ProjectAccess.project`) in the trip or bulk process that does its work.
"""

from __future__ import annotations

import hmac
import ipaddress
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from kozak import accounts
from kozak.accounts.throttle import LoginGuard
from kozak.errors import Forbidden, NotAuthenticated
from kozak.runner import JobRunner
from kozak.server.bulk import BulkReads
from kozak.server.long_work import LongWork
from kozak.settings import Settings
from kozak.store.entities import Project, User
from kozak.workspace import Workspace

SESSION_COOKIE = "kozak_session"
CSRF_COOKIE = "kozak_csrf"
CSRF_HEADER = "X-CSRF-Token"
LOCAL_HEADER = "X-Requested-With"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_LOG_IN = "log in, or send an API token as `Authorization: Bearer <token>`"

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


def bearer_secret(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


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


@dataclass(frozen=True)
class Credentials:
    """What a request says of its caller, apart from the request itself (so it pickles)."""

    method: str
    bearer: str | None
    session: str | None
    csrf: bytes  # the X-CSRF-Token header, as bytes: compare_digest refuses non-ASCII text
    host: str
    origin: str | None
    local_header: bool  # X-CSRF-Token or X-Requested-With is present

    @classmethod
    def of(cls, request: Request) -> Credentials:
        headers = request.headers
        return cls(
            method=request.method,
            bearer=bearer_secret(request),
            session=request.cookies.get(SESSION_COOKIE) or None,
            csrf=headers.get(CSRF_HEADER, "").encode("utf-8", "surrogateescape"),
            host=headers.get("host", ""),
            origin=headers.get("origin"),
            local_header=CSRF_HEADER in headers or LOCAL_HEADER in headers,
        )

    @property
    def anonymous(self) -> bool:
        return self.bearer is None and not self.session


def caller(credentials: Credentials, workspace: Workspace) -> User:
    """The user these credentials stand for; `NotAuthenticated` or `Forbidden` if none."""
    if credentials.bearer is not None:
        return accounts.token_user(workspace, credentials.bearer)
    if credentials.session:
        user, session = accounts.session_user(workspace, credentials.session)
        expected = session.csrf_token.encode()
        if credentials.method not in _SAFE_METHODS and not hmac.compare_digest(
            credentials.csrf, expected
        ):
            raise Forbidden(f"missing or wrong {CSRF_HEADER} header; reload the page")
        return user
    if not workspace.settings.auth:
        _check_local(credentials)
        return accounts.get_user(workspace, accounts.users.ADMIN)
    raise NotAuthenticated(_LOG_IN)


def _loopback_name(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_local(credentials: Credentials) -> None:
    """Refuse what is not a program or page on this machine, when no one logs in."""
    host = urllib.parse.urlsplit(f"//{credentials.host}").hostname
    origin = credentials.origin
    if not _loopback_name(host) or (
        origin is not None and not _loopback_name(urllib.parse.urlsplit(origin).hostname)
    ):
        raise Forbidden(
            "without log-in this server answers only this machine: use http://127.0.0.1 or "
            "http://localhost, from a page of this server"
        )
    if credentials.method not in _SAFE_METHODS and not credentials.local_header:
        raise Forbidden(f"without log-in, changes need an {CSRF_HEADER} or {LOCAL_HEADER} header")


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


@dataclass(frozen=True)
class ProjectAccess:
    """A project in the path, the role a route needs in it, and the caller's credentials, not
    yet checked: the route calls `project()` where its own work runs."""

    project_id: str
    role: str
    credentials: Credentials

    def project(self, workspace: Workspace) -> Project:
        """The project, if the caller holds the role in it (else the error a project
        dependency raises); blocking."""
        user = caller(self.credentials, workspace)
        return accounts.require_membership(workspace, user, self.project_id, self.role)[0]


def _access(role: str) -> Callable[[str, Request], Awaitable[ProjectAccess]]:
    async def dependency(project_id: str, request: Request) -> ProjectAccess:
        credentials = Credentials.of(request)
        # No credentials at all: refused now, as a project dependency would, so that a bad
        # parameter does not answer 422 before the route's check answers 401.
        if credentials.anonymous and request.app.state.workspace.settings.auth:
            raise NotAuthenticated(_LOG_IN)
        return ProjectAccess(project_id, role, credentials)

    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency


ProjectViewer = Annotated[Project, Depends(_project_with("viewer"))]
ViewerAccess = Annotated[ProjectAccess, Depends(_access("viewer"))]
ProjectEditor = Annotated[Project, Depends(_project_with("editor"))]
ProjectOwner = Annotated[Project, Depends(_project_with("owner"))]
ViewerMembership = Annotated[Membership, Depends(_membership("viewer"))]
EditorMembership = Annotated[Membership, Depends(_membership("editor"))]
