"""Who a request's caller is: its credentials, checked where a route does its work.

In order: an `Authorization: Bearer <token>` API token, else the session cookie (then every
unsafe method must carry the session's CSRF token in `X-CSRF-Token`), else, with `auth` off
(loopback only), the admin — for requests whose Host and Origin are loopback names (no DNS
rebinding, no foreign page) and, on unsafe methods, that carry `X-CSRF-Token` or
`X-Requested-With` (headers another site's page cannot send without a preflight we never allow).

`Credentials.of(request)` is what a request says of its caller, and `caller` the user they stand
for. `ProjectAccess` carries them with a project and the role a route needs, and `project()`
checks them. Both pickle, and this module imports neither the app nor PyTorch: a bulk process
(`kozak.server.bulk`) checks the caller of the page it computes.
"""

from __future__ import annotations

import hmac
import ipaddress
import urllib.parse
from dataclasses import dataclass

from fastapi import Request

from kozak import accounts
from kozak.errors import Forbidden, NotAuthenticated
from kozak.store.entities import Project, User
from kozak.workspace import Workspace

SESSION_COOKIE = "kozak_session"
CSRF_COOKIE = "kozak_csrf"
CSRF_HEADER = "X-CSRF-Token"
LOCAL_HEADER = "X-Requested-With"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOG_IN = "log in, or send an API token as `Authorization: Bearer <token>`"


def bearer_secret(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


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
    raise NotAuthenticated(LOG_IN)


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
