"""The Yeast example project a new workspace starts with, so the UI has something to open.

A simulated random 5'UTR library (the paper's subsets, centred encoding), an experiment of the
tutorial's model with the paper's settings, ready to run, and the paper's test r² as the
project's reference line; made once, owned by the admin.
"""

from __future__ import annotations

from kozak import accounts
from kozak.errors import NotFound
from kozak.examples.yeast import (
    PAPER_LINE,
    PROJECT,
    paper_settings,
    random_library_version,
    synthetic_library,
)
from kozak.experiments import create_experiment
from kozak.graph.presets import preset
from kozak.store.entities import Project, User
from kozak.workspace import Workspace

SEED_ROWS = 20_000  # enough to train something meaningful in minutes on a laptop CPU


def seed_yeast_project(workspace: Workspace, owner: User, rows: int = SEED_ROWS) -> Project | None:
    """Create the Yeast project unless the workspace has one; returns it when made."""
    try:
        workspace.metadata.get_project(PROJECT)
        return None
    except NotFound:
        pass
    project = accounts.create_project(
        workspace, owner, PROJECT, "Cuperus et al. 2017: yeast 5'UTRs to growth rate (simulated library)"
    )
    try:
        library, _ = synthetic_library(workspace, rows, seed=0)
        version = random_library_version(workspace, library)
        settings = paper_settings(epochs=10).model_copy(
            update={"training_subset": "training", "validation_subset": "validation"}
        )
        model = "cuperus2017-tutorial"
        create_experiment(workspace, PROJECT, model, version, preset(model), settings)
        project = workspace.metadata.set_reference_lines(project.id, [PAPER_LINE])
    except BaseException:
        accounts.delete_project(workspace, project)  # a half-made example would never be redone
        raise
    return project
