"""Browser log-in: a session cookie (HTTP-only) plus a CSRF token the app echoes on changes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kozak import accounts
from kozak.server.access import CSRF_COOKIE, SESSION_COOKIE
from kozak.server.deps import (
    CurrentUser,
    LoginGuardDep,
    WorkspaceDep,
)
from kozak.server.schemas.accounts import Login, SessionPublic, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login")
def login(
    body: Login, request: Request, response: Response, workspace: WorkspaceDep, guard: LoginGuardDep
) -> SessionPublic:
    """Check the password (failures throttled per address and name) and start a browser session."""
    address = request.client.host if request.client else "unknown"
    user = guard.authenticate(workspace, address, body.name, body.password)
    session, cookie = accounts.create_session(workspace, user)
    secure = workspace.settings.secure_cookies or request.url.scheme == "https"
    max_age = int(workspace.settings.session_hours * 3600)
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=max_age, httponly=True, secure=secure, samesite="lax"
    )
    # Readable by the app on purpose: double submit, checked against the session's own token.
    response.set_cookie(CSRF_COOKIE, session.csrf_token, max_age=max_age, secure=secure, samesite="lax")
    return SessionPublic(
        user=UserPublic.of(user), csrf_token=session.csrf_token, expires_at=session.expires_at
    )


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, workspace: WorkspaceDep, _: CurrentUser) -> None:
    """End the browser session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.end_session(workspace, cookie)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/me")
def me(user: CurrentUser) -> UserPublic:
    """Who the request is authenticated as."""
    return UserPublic.of(user)
