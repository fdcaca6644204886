"""Two projects holding one real object of every kind a route addresses, for tests that walk routes.

`seed_workspace(workspace, tiny_dna)` makes the users (owner, editor, viewer of project A;
`outsider`, owner of project B; a few bystanders), an API token each, and in A and B a trained
experiment (with its dataset and version), a queued job, deployments, drafts with a file, a Data
API upload and spares that destructive routes consume (`CONSUMERS`). The access matrix
(tests/api/test_access.py) fills paths and bodies from it and the fuzzer (tests/fuzzing.py) fixes
path parameters to it, so both reach the lookup and the handler behind each route.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from factories import tiny_experiment
from kozak import accounts
from kozak.data import data_api, stored_drafts, uploads
from kozak.deploy import create_deployment
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import GraphSpec, chain
from kozak.runner.design_job import create_design, execute_design
from kozak.store.entities import Deployment, Draft, Experiment, Job, Project, User
from kozak.sweeps import SweepSpec, create_sweep, finish_trial, plan_trial
from kozak.sweeps.lifecycle import mark_stopped
from kozak.training import RunSettings
from kozak.workspace import Workspace

FILE = "tiny_dna.csv"

# What each path parameter addresses, by the collection it follows. A route with a parameter
# missing here fails the access matrix by name: add the kind, and a real object in `seed_project`.
PATH_KINDS = {
    "projects/{project_id}": "project",
    "drafts/{draft_id}": "draft",
    "data-api/{draft_id}": "upload",
    "files/{filename}": "file",
    "features/{feature}": "feature",
    "subsets/{subset}": "subset",
    "datasets/{dataset}": "dataset",
    "versions/{version}": "version",
    "experiments/{experiment_id}": "experiment",
    "jobs/{job_id}": "job",
    "deployments/{deployment_id}": "deployment",
    "deployment/{deployment_id}": "deployment",
    "members/{user_ref}": "member",
    "users/{user_ref}": "user",
    "tokens/{token_id}": "token",
    "presets/{name}": "preset",
    "sweeps/{sweep_id}": "sweep",
    "designs/{design_id}": "design",
}

# Routes that consume or change the state of what they address get an object of their own, so
# the routes after them still find theirs: route -> {kind: the kind to use instead}.
CONSUMERS = {
    "DELETE /api/projects/{project_id}": {"project": "project_spare"},
    "DELETE /api/projects/{project_id}/drafts/{draft_id}": {"draft": "draft_spare"},
    "DELETE /api/projects/{project_id}/drafts/{draft_id}/files/{filename}": {"draft": "draft_to_empty"},
    "DELETE /api/projects/{project_id}/drafts/{draft_id}/features/{feature}": {"draft": "draft_to_trim"},
    "DELETE /api/projects/{project_id}/drafts/{draft_id}/subsets/{subset}": {"draft": "draft_to_trim"},
    "PUT /api/projects/{project_id}/drafts/{draft_id}/spec": {"draft": "draft_to_trim"},
    "POST /api/projects/{project_id}/drafts/{draft_id}/save": {"draft": "draft_to_save"},
    "DELETE /api/projects/{project_id}/datasets/{dataset}": {"dataset": "dataset_spare"},
    "DELETE /api/projects/{project_id}/experiments/{experiment_id}": {"experiment": "experiment_spare"},
    # `stop` stops what `run` queued; the first job queued on an experiment makes the next a conflict
    "POST /api/projects/{project_id}/experiments/{experiment_id}/run": {
        "experiment": "experiment_to_run"
    },
    "POST /api/projects/{project_id}/experiments/{experiment_id}/stop": {
        "experiment": "experiment_to_run"
    },
    "POST /api/projects/{project_id}/experiments/{experiment_id}/continue": {
        "experiment": "experiment_to_continue"
    },
    "POST /api/projects/{project_id}/experiments/{experiment_id}/evaluate": {
        "experiment": "experiment_to_evaluate"
    },
    "DELETE /api/projects/{project_id}/deployments/{deployment_id}": {"deployment": "deployment_spare"},
    "POST /api/projects/{project_id}/sweeps/{sweep_id}/stop": {"sweep": "sweep_to_stop"},
    "DELETE /api/projects/{project_id}/sweeps/{sweep_id}": {"sweep": "sweep_spare"},
    "POST /api/projects/{project_id}/designs/{design_id}/stop": {"design": "design_to_stop"},
    "DELETE /api/projects/{project_id}/designs/{design_id}": {"design": "design_spare"},
    # a new token (or `enabled: false`) would lock the callers of `deployment` out
    # per-model interpretation reads a first convolution, which `experiment` (one dense layer) lacks
    **{
        f"POST /api/projects/{{project_id}}/experiments/{{experiment_id}}/{route}": {
            "experiment": "experiment_conv"
        }
        for route in ("filters", "filters.meme", "filters/compare", "motif-effects")
    },
    "PATCH /api/projects/{project_id}/deployments/{deployment_id}": {
        "deployment": "deployment_to_change"
    },
    "POST /api/projects/{project_id}/deployments/{deployment_id}/token": {
        "deployment": "deployment_to_change"
    },
}

USERS = ("owner", "editor", "viewer", "outsider", "leaver", "bystander", "subject")


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


def seed_project(
    workspace: Workspace, owner: User, name: str, tiny_dna: Path, *, spares: bool = True
) -> dict[str, str]:
    """Create project `name` owned by `owner` with one real object of every kind.

    Args:
        workspace: The workspace.
        owner: The project's owner.
        name: The project's name.
        tiny_dna: The CSV every dataset is made of.
        spares: Also the objects the routes in `CONSUMERS` use (not needed to be looked up).

    Returns:
        kind -> the object's id (names for files, features, subsets and presets; the token of
        `deployment` as `deployment_token`). Kinds with a suffix (`_spare`, `_to_run`, ...) are
        objects of the kind before it for the routes in `CONSUMERS`.
    """
    project = accounts.create_project(workspace, owner, name)
    trained = run_experiment(workspace, tiny_experiment(workspace, name, tiny_dna, name="trained"))
    version = workspace.metadata.get_dataset_version_by_id(trained.dataset_version_id)
    graph, settings = GraphSpec.model_validate(trained.graph), RunSettings.from_data(trained.settings)

    def experiment(kind: str) -> Experiment:
        return create_experiment(workspace, name, kind.replace("_", "-"), version, graph, settings)

    def deployment(kind: str, enabled: bool) -> tuple[Deployment, str]:
        named = kind.replace("_", "-")
        return create_deployment(workspace, trained, name=named, enabled=enabled, created_by=owner.name)

    queued = experiment("experiment_queued")
    job = workspace.metadata.enqueue_job(
        Job(project_id=project.id, experiment_id=queued.id, kind="train")
    )
    served, token = deployment("deployment", enabled=True)
    draft = _draft_with_file(workspace, project, "draft", tiny_dna, owner)

    def sweep(kind: str, *, trained_trial: bool = False, stopped: bool = False) -> str:
        space = {"dimensions": [{"name": "act", "values": ["linear"], "targets": ["out.activation"]}]}
        spec = {"name": kind.replace("_", "-"), "project": project.id,
                "base": {"experiment": trained.id}, "space": space, "budget": {"trials": 2}}  # fmt: skip
        made = create_sweep(workspace, SweepSpec.model_validate(spec), created_by=owner.name)
        trial = plan_trial(workspace, made) if trained_trial else None
        if trial is not None and trial.experiment_id is not None:  # one trial trained and scored
            run_experiment(workspace, workspace.metadata.get_experiment(project.id, trial.experiment_id))
            finish_trial(workspace, made, trial)
        if stopped:
            mark_stopped(workspace, made)
        return made.id

    def design(kind: str, *, run: bool) -> str:
        made, _ = create_design(
            workspace, project, experiments=[trained.id], settings={"rounds": 1},
            starts={"source": "text", "text": ">u1\nACGTACGTAC\n"}, name=kind.replace("_", "-"),
            created_by=owner, queue=not run,
        )  # fmt: skip
        if run:
            execute_design(workspace, made, device="cpu")
        return made.id

    ids = {
        "project": project.id,
        "dataset": version.dataset_id,
        "version": version.id,
        "experiment": trained.id,
        "experiment_queued": queued.id,
        "job": job.id,
        "deployment": served.id,
        "deployment_token": token,
        "draft": draft.id,
        "upload": _upload(workspace, project, tiny_dna, owner).id,
        "file": FILE,
        "feature": "count",
        "subset": "training",
        "preset": "cuperus2017-tutorial",
        "sweep": sweep("sweep", trained_trial=True),
        "design": design("design", run=True),
    }
    if not spares:
        return ids
    # Routes that queue work on a trained experiment each get their own: the first job queued
    # on one makes the next a conflict.
    for kind in ("experiment_to_continue", "experiment_to_evaluate"):
        ids[kind] = run_experiment(workspace, experiment(kind)).id
    for kind in ("experiment_spare", "experiment_to_run"):
        ids[kind] = experiment(kind).id
    conv = chain(
        ("seq", "input", {"feature": "seq"}),
        ("conv", "conv1d", {"filters": 4, "kernel_size": 3}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("expression", "target", {"feature": "expression"}),
    )
    ids["experiment_conv"] = run_experiment(
        workspace, create_experiment(workspace, name, "experiment-conv", version, conv, settings)
    ).id
    for kind in ("deployment_spare", "deployment_to_change"):
        ids[kind] = deployment(kind, enabled=False)[0].id
    for kind in ("draft_spare", "draft_to_save", "draft_to_trim", "draft_to_empty"):
        ids[kind] = _draft_with_file(workspace, project, kind.replace("_", "-"), tiny_dna, owner).id
    unused = _draft_with_file(workspace, project, "unused", tiny_dna, owner)
    ids["dataset_spare"] = stored_drafts.save_draft(workspace, unused).dataset_id
    ids["sweep_to_stop"] = sweep("sweep_to_stop")
    ids["sweep_spare"] = sweep("sweep_spare", stopped=True)
    ids["design_to_stop"] = design("design_to_stop", run=False)
    ids["design_spare"] = design("design_spare", run=True)
    return ids


@dataclass(frozen=True)
class Seeded:
    """What `seed_workspace` made: API tokens by user name (`admin` too), A's objects by kind
    (`ids`, with the spare project, a member to remove, a user and a token of the owner's) and
    B's (`foreign`)."""

    tokens: dict[str, str]
    ids: dict[str, str]
    foreign: dict[str, str]


def seed_workspace(workspace: Workspace, tiny_dna: Path, *, foreign: bool = True) -> Seeded:
    """Users, tokens, project A (owner, editor, viewer, leaver) and, with `foreign`, project B
    (outsider's, without spares: B's objects are only ever looked up)."""
    users = {name: accounts.create_user(workspace, name, f"{name}-password") for name in USERS}
    users["admin"] = accounts.get_user(workspace, accounts.users.ADMIN)
    tokens = {name: accounts.create_token(workspace, user, "tests")[1] for name, user in users.items()}
    ids = seed_project(workspace, users["owner"], "A", tiny_dna)
    others = {}
    if foreign:
        others = seed_project(workspace, users["outsider"], "B", tiny_dna, spares=False)
        others["token"] = accounts.create_token(workspace, users["outsider"], "spare")[0].id
    spare = accounts.create_project(workspace, users["owner"], "A-spare")
    for project in (workspace.metadata.get_project(ids["project"]), spare):
        for name, role in (("editor", "editor"), ("viewer", "viewer"), ("leaver", "viewer")):
            accounts.add_member(workspace, project, name, role)
    ids |= {
        "project_spare": spare.id,
        "member": "leaver",
        "user": "subject",
        "token": accounts.create_token(workspace, users["owner"], "spare")[0].id,
    }
    return Seeded(tokens, ids, others)
