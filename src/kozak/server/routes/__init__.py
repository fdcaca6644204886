"""One router per resource; `ROUTERS` is the order they are mounted under `/api`."""

from fastapi import APIRouter

from kozak.server.routes import (
    auth,
    blocks,
    data_api,
    datasets,
    deployments,
    designs,
    events,
    experiments,
    health,
    jobs,
    motifs,
    projects,
    recent,
    serving,
    sweeps,
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
    data_api.router,
    blocks.router,
    experiments.router,
    motifs.router,
    recent.router,
    jobs.router,
    sweeps.router,
    events.router,
    deployments.router,
    designs.router,
]

# Mounted at the root, not under /api: Peltarion clients call /deployment/<id>/forward.
SERVING_ROUTER: APIRouter = serving.router
