"""The job runners by name, and `open_runner`, which makes the one the settings choose.

Each runner module is imported only when chosen, so a workspace that runs locally never imports Ray.
"""

from __future__ import annotations

from collections.abc import Callable

from kozak.errors import InvalidConfig
from kozak.runner.base import JobRunner
from kozak.workspace import Workspace


def _local(workspace: Workspace) -> JobRunner:
    from kozak.runner.local import LocalProcessRunner

    return LocalProcessRunner(workspace)


def _ray(workspace: Workspace) -> JobRunner:
    from kozak.runner.ray import RayRunner  # imports nothing of Ray until it starts

    return RayRunner(workspace)


RUNNERS: dict[str, Callable[[Workspace], JobRunner]] = {"local": _local, "ray": _ray}


def open_runner(workspace: Workspace) -> JobRunner:
    """The runner `workspace.settings.runner` names (not started yet).

    Raises:
        InvalidConfig: If the setting names no known runner.
    """
    name = workspace.settings.runner
    if name not in RUNNERS:
        raise InvalidConfig(f"unknown runner {name!r}; choose one of: {', '.join(sorted(RUNNERS))}")
    return RUNNERS[name](workspace)
