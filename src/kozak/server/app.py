"""`create_app(settings)`: the FastAPI app with its workspace, job runner and routers.

Nothing is created at import. The lifespan opens the workspace, creates the admin on first
start, starts the job runner (local worker processes by default) and stops it on shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from kozak import __version__, accounts
from kozak.runner import open_runner
from kozak.server.errors import install_error_handlers
from kozak.server.routes import ROUTERS
from kozak.server.static import mount_ui
from kozak.settings import Settings
from kozak.workspace import Workspace

log = logging.getLogger("kozak.server")


def _operation_id(route: APIRoute) -> str:
    # `tag-name` gives the generated UI client stable method names (e.g. experiments-run).
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None, *, start_runner: bool = True) -> FastAPI:
    """The Kozak server for a workspace.

    Args:
        settings: Workspace, database, runner and limits; from `KOZAK_*` when None.
        start_runner: Start the job runner's workers (off for tests that run jobs themselves).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        workspace = Workspace.open(settings)
        admin, password = accounts.ensure_admin(workspace)
        if password is not None:
            log.warning("created the administrator: log in as %r with password %r", admin.name, password)
        accounts.adopt_orphan_projects(workspace, admin)
        runner = open_runner(workspace)
        app.state.workspace, app.state.runner = workspace, runner
        if start_runner:
            runner.start()
        try:
            yield
        finally:
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
    for router in ROUTERS:
        app.include_router(router, prefix="/api")
    mount_ui(app)
    return app
