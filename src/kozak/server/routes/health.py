"""`GET /api/health`: liveness, version and which database kind the server uses."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.engine import make_url

from kozak import __version__
from kozak.server.deps import SettingsDep
from kozak.server.schemas import Schema

router = APIRouter(tags=["health"])


class Health(Schema):
    status: str
    version: str
    database: str
    runner: str
    auth: bool


@router.get("/health")
def health(settings: SettingsDep) -> Health:
    """Answers 200 while the server is up."""
    database = make_url(settings.database_url).get_backend_name()
    return Health(
        status="ok", version=__version__, database=database, runner=settings.runner, auth=settings.auth
    )
