"""`create_serving_app(backend)`: the deployment endpoints alone, for `kozak serve`.

No database, no accounts, no UI: the forward, variant-effect and schema endpoints of one model
(the same router the platform mounts) plus `/health`, for running behind a proxy in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kozak import __version__
from kozak.deploy.host import ServingBackend
from kozak.server.compression import compress
from kozak.server.errors import install_error_handlers
from kozak.server.routes.serving import router


def create_serving_app(backend: ServingBackend) -> FastAPI:
    """An app answering `/deployment/<id>/forward` (and the rest of `serving.py`) from `backend`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            backend.close()

    app = FastAPI(
        title="Kozak model server",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.serving = backend
    install_error_handlers(app)
    compress(app)
    app.include_router(router)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: the model is loaded and the server answers."""
        return {"status": "ok"}

    return app
