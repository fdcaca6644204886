"""One router per resource; `ROUTERS` is the order they are mounted under `/api`."""

from fastapi import APIRouter

from kozak.server.routes import (
    auth,
    blocks,
    datasets,
    events,
    experiments,
    health,
    jobs,
    projects,
    tokens,
    users,
)

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    users.router,
    tokens.router,
    projects.router,
    datasets.router,
    blocks.router,
    experiments.router,
    jobs.router,
    events.router,
]
