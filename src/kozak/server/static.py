"""The built web UI, served after the API: hashed assets cached long, other paths get the app.

Without a build, `/` explains how to make one instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from kozak.server.errors import error_body

STATIC_DIR = Path(__file__).parent / "static"
_NO_BUILD = (
    "The Kozak web UI is not built in this installation (its sources live in frontend/).\n\n"
    "The REST API is at /api; its interactive documentation is at /api/docs.\n"
)


def mount_ui(app: FastAPI, directory: Path = STATIC_DIR) -> None:
    """Serve the single-page app from `directory` for every non-API GET."""

    @app.get("/{path:path}", include_in_schema=False)
    async def ui(path: str, request: Request) -> Response:
        if path.startswith("api/") or path == "api":
            return JSONResponse(error_body("not_found", f"no API route /{path}"), status_code=404)
        index = directory / "index.html"
        if not index.exists():
            return PlainTextResponse(_NO_BUILD, status_code=200)
        asset = (directory / path).resolve()
        if path and asset.is_file() and asset.is_relative_to(directory.resolve()):
            immutable = path.startswith("assets/")  # content-hashed names never change
            headers = {"Cache-Control": "public, max-age=31536000, immutable"} if immutable else {}
            return FileResponse(asset, headers=headers)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
