"""`create_app(settings)`: the FastAPI app with its workspace, job runner and routers.

Nothing is created at import. The lifespan opens the workspace, creates the admin on first
start, starts the job runner (local worker processes by default) and the deployment host (models
loaded on first request, usage written every few seconds), and stops them on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from kozak import __version__, accounts
from kozak.accounts.throttle import LoginGuard
from kozak.deploy.host import DeploymentHost
from kozak.runner import open_runner
from kozak.runner.base import QueueOnly
from kozak.server.bulk import BulkReads
from kozak.server.compression import compress
from kozak.server.errors import ERROR_RESPONSES, install_error_handlers
from kozak.server.limits import BodyLimit
from kozak.server.long_work import LongWork
from kozak.server.routes import ROUTERS, SERVING_ROUTER
from kozak.server.static import mount_ui
from kozak.settings import Settings
from kozak.workspace import Workspace

log = logging.getLogger("kozak.server")

USAGE_FLUSH_S = 2.0  # how often deployment request counts are written to the store


async def _flush_usage_every(host: DeploymentHost, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(host.flush_usage)
        except Exception:  # a database hiccup must not stop the counting
            log.exception("could not write deployment usage")


def _announce_admin(name: str, password: str, settings: Settings) -> None:
    """Tell whoever started the server how to log in, without the password reaching any log."""
    if settings.admin_password:
        log.warning("created the administrator %r with the password from KOZAK_ADMIN_PASSWORD", name)
    elif sys.stderr.isatty():  # a person is watching this start: shown here, once, never logged
        print(
            f"Created the administrator: log in as {name!r} with password {password!r}", file=sys.stderr
        )
    else:
        log.warning(
            "created the administrator %r with a random password no one has seen; "
            "set one with `kozak users set-password %s`",
            name,
            name,
        )


def _operation_id(route: APIRoute) -> str:
    # `tag-name` gives the generated UI client stable method names (e.g. experiments-run).
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None, *, start_runner: bool = True) -> FastAPI:
    """The Kozak server for a workspace.

    Args:
        settings: Workspace, database, runner and limits; from `KOZAK_*` when None.
        start_runner: Run jobs from this process: start the settings' runner. Without, jobs
            wait in the queue for a runner elsewhere (`kozak up`'s own; tests run them).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        workspace = Workspace.open(settings)
        admin, password = accounts.ensure_admin(workspace)
        if password is not None:
            _announce_admin(admin.name, password, settings)
        accounts.adopt_orphan_projects(workspace, admin)
        app.state.long_work = long_work = LongWork(settings.long_work_threads, settings.long_work_queue)
        app.state.bulk = bulk = BulkReads(workspace)
        bulk.start()
        runner = open_runner(workspace) if start_runner else QueueOnly(workspace)
        host = DeploymentHost(workspace)
        app.state.workspace, app.state.runner, app.state.serving = workspace, runner, host
        runner.start()
        flusher = asyncio.create_task(_flush_usage_every(host, USAGE_FLUSH_S))
        try:
            yield
        finally:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            host.flush_usage()
            host.close()
            long_work.close()
            bulk.close()
            runner.stop()
            workspace.metadata.close()

    app = FastAPI(
        title="Kozak",
        version=__version__,
        description="Deep learning for biological sequences: datasets, models, experiments.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, settings=settings)
    if settings.compress:
        compress(app)
    app.state.login_guard = LoginGuard(
        settings.login_attempts, settings.login_window_s, settings.login_concurrency
    )
    for router in ROUTERS:
        app.include_router(router, prefix="/api", responses=ERROR_RESPONSES)
    app.include_router(SERVING_ROUTER, responses=ERROR_RESPONSES)
    mount_ui(app)
    return app
