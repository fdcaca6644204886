"""A project holding one real object of every kind a route addresses, for tests that walk routes.

`seed_project(workspace, owner, name, tiny_dna)` makes the project and, in it, a trained
experiment (with its dataset and version), a queued job, a deployment, a draft with a file, a
Data API upload and spares that destructive routes may consume. It answers `{kind: id or name}`:
the access matrix (tests/api/test_access.py) fills paths and bodies from it, the fuzzer
(tests/fuzzing.py) fixes path parameters to it, so both reach the lookup behind each route.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from factories import tiny_experiment
from kozak import accounts
from kozak.data import data_api, stored_drafts, uploads
from kozak.deploy import create_deployment
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import GraphSpec
from kozak.store.entities import Draft, Job, Project, User
from kozak.training import RunSettings
from kozak.workspace import Workspace

FILE = "tiny_dna.csv"


def _draft_with_file(
    workspace: Workspace, project: Project, name: str, tiny_dna: Path, owner: User
) -> Draft:
    draft = stored_drafts.create_draft(workspace, project, name, created_by=owner.name)
    return uploads.add_file(workspace, draft, FILE, [tiny_dna.read_bytes()])


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _upload(workspace: Workspace, project: Project, tiny_dna: Path, owner: User) -> Draft:
    """A Data API wrapper holding one successful CSV upload."""
    draft = data_api.create_wrapper(workspace, project, "uploaded", created_by=owner.name)
    done = asyncio.run(data_api.upload(workspace, draft, "text/csv", _chunks(tiny_dna.read_bytes())))
    assert done.status == "SUCCESS", done
    return draft


def seed_project(workspace: Workspace, owner: User, name: str, tiny_dna: Path) -> dict[str, str]:
    """Create project `name` owned by `owner` with one real object of every kind.

    Returns:
        kind -> the object's id (names for files, features, subsets and presets). Kinds ending
        in `_spare` are objects of that kind no other route needs, for routes that consume one.
    """
    project = accounts.create_project(workspace, owner, name)
    trained = run_experiment(workspace, tiny_experiment(workspace, name, tiny_dna, name="trained"))
    version = workspace.metadata.get_dataset_version_by_id(trained.dataset_version_id)
    graph, settings = GraphSpec.model_validate(trained.graph), RunSettings.from_data(trained.settings)
    # Routes that queue work on a trained experiment each get their own: the first job queued
    # on one makes the next a conflict.
    more_trained = {
        kind: run_experiment(
            workspace,
            create_experiment(workspace, name, kind.replace("_", "-"), version, graph, settings),
        ).id
        for kind in ("experiment_to_continue", "experiment_to_evaluate")
    }
    untrained = {
        kind: create_experiment(workspace, name, kind.replace("_", "-"), version, graph, settings).id
        for kind in ("experiment_spare", "experiment_queued", "experiment_to_run")
    }
    job = workspace.metadata.enqueue_job(
        Job(project_id=project.id, experiment_id=untrained["experiment_queued"], kind="train")
    )
    deployment, _ = create_deployment(workspace, trained, name="served", created_by=owner.name)
    spare_deployment, _ = create_deployment(
        workspace, trained, name="disabled", enabled=False, created_by=owner.name
    )
    drafts = {
        kind: _draft_with_file(workspace, project, kind.replace("_", "-"), tiny_dna, owner)
        for kind in (
            "draft",
            "draft_spare",
            "draft_to_save",
            "draft_to_trim",
            "draft_to_empty",
            "unused",
        )
    }
    unused = stored_drafts.save_draft(workspace, drafts.pop("unused"))
    return {
        "project": project.id,
        "dataset": version.dataset_id,
        "dataset_spare": unused.dataset_id,
        "version": version.id,
        "experiment": trained.id,
        **more_trained,
        **untrained,
        "job": job.id,
        "deployment": deployment.id,
        "deployment_spare": spare_deployment.id,
        **{kind: draft.id for kind, draft in drafts.items()},
        "upload": _upload(workspace, project, tiny_dna, owner).id,
        "file": FILE,
        "feature": "count",
        "subset": "training",
        "preset": "cuperus2017-tutorial",
    }
