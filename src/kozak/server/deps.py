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
request about as much CPU as one of these queries.
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
        user = request.state.user = _caller(request, workspace)
    return user


async def get_current_user(request: Request, workspace: WorkspaceDep) -> User:
    user: User | None = getattr(request.state, "user", None)
    if user is None:
        user = await run_in_threadpool(_authenticate, request, workspace)
    return user


def _caller(request: Request, workspace: Workspace) -> User:
    secret = bearer_secret(request)
    if secret is not None:
        return accounts.token_user(workspace, secret)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        user, session = accounts.session_user(workspace, cookie)
        # Compared as bytes: compare_digest refuses non-ASCII text, which a client may send.
        sent = request.headers.get(CSRF_HEADER, "").encode("utf-8", "surrogateescape")
        expected = session.csrf_token.encode()
        if request.method not in _SAFE_METHODS and not hmac.compare_digest(sent, expected):
            raise Forbidden(f"missing or wrong {CSRF_HEADER} header; reload the page")
        return user
    if not workspace.settings.auth:
        _check_local(request)
        return accounts.get_user(workspace, accounts.users.ADMIN)
    raise NotAuthenticated("log in, or send an API token as `Authorization: Bearer <token>`")


def _loopback_name(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_local(request: Request) -> None:
    """Refuse what is not a program or page on this machine, when no one logs in."""
    host = urllib.parse.urlsplit(f"//{request.headers.get('host', '')}").hostname
    origin = request.headers.get("origin")
    if not _loopback_name(host) or (
        origin is not None and not _loopback_name(urllib.parse.urlsplit(origin).hostname)
    ):
        raise Forbidden(
            "without log-in this server answers only this machine: use http://127.0.0.1 or "
            "http://localhost, from a page of this server"
        )
    if request.method not in _SAFE_METHODS and not (
        CSRF_HEADER in request.headers or LOCAL_HEADER in request.headers
    ):
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


ProjectViewer = Annotated[Project, Depends(_project_with("viewer"))]
ProjectEditor = Annotated[Project, Depends(_project_with("editor"))]
ProjectOwner = Annotated[Project, Depends(_project_with("owner"))]
ViewerMembership = Annotated[Membership, Depends(_membership("viewer"))]
EditorMembership = Annotated[Membership, Depends(_membership("editor"))]
