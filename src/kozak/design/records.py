"""Designs in a workspace: their models, stored results and summaries.

A design's result is JSON at `designs/<id>/result.json` in the artifact store; its row holds a
summary (start and final mean prediction, mean gain, edits, rounds) for lists. The job that
runs a design is in `kozak.runner.design_job`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.design.results import DesignResult
from kozak.design.settings import DesignSettings
from kozak.errors import InvalidConfig, NotFound
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.store.entities import Design, Experiment
from kozak.workspace import Workspace

MAX_MODELS = 8  # an ensemble larger than this costs more than it tells


def design_experiments(workspace: Workspace, project_id: str, refs: Sequence[str]) -> list[Experiment]:
    """The experiments named by id or name (an ensemble when several).

    Raises:
        InvalidConfig: None named, too many, or one named twice.
        NotFound: An experiment that is not in the project.
    """
    if not refs:
        raise InvalidConfig("name at least one experiment to design with", field="experiments")
    if len(refs) > MAX_MODELS:
        raise InvalidConfig(f"at most {MAX_MODELS} experiments in one design", field="experiments")
    experiments = [workspace.metadata.get_experiment(project_id, ref) for ref in refs]
    ids = [e.id for e in experiments]
    if len(set(ids)) != len(ids):
        raise InvalidConfig("an experiment is named twice", field="experiments")
    return experiments


def open_scorers(
    workspace: Workspace,
    experiments: Sequence[Experiment],
    checkpoint: str,
    settings: DesignSettings,
    device: str | None = None,
) -> list[SequenceScorer]:
    """One scorer per experiment's `checkpoint`, in its run's precision on `device`.

    Raises:
        NotFound: An experiment without that checkpoint (not trained yet).
        DataError: The sequence input or context does not fit a model.
    """
    scorers = []
    for experiment in experiments:
        model = ServingModel.load(experiment_checkpoint(workspace, experiment, checkpoint), device)
        scorers.append(SequenceScorer(model, settings.feature, settings.context))
    return scorers


def result_path(design: Design) -> str:
    """Where the artifact store keeps a design's result."""
    return f"{design.artifact_path}/result.json"


def save_result(workspace: Workspace, design: Design, result: DesignResult) -> Design:
    """Store the result and put its summary on the design row."""
    workspace.artifacts.put_bytes(result_path(design), result.model_dump_json().encode())
    return workspace.metadata.update_design(design.id, summary=summarize(result))


def load_result(workspace: Workspace, design: Design) -> DesignResult:
    """A design's stored result.

    Raises:
        NotFound: If it has not finished a run yet.
    """
    path = result_path(design)
    if not workspace.artifacts.exists(path):
        raise NotFound(f"design {design.name!r} has no results yet", design=design.name)
    return DesignResult.model_validate(json.loads(workspace.artifacts.get_bytes(path)))


def summarize(result: DesignResult) -> dict[str, Any]:
    """Headline figures: designs, rounds, start and final mean prediction, gain, edits."""
    starts = np.array([d.start_prediction for d in result.designs])
    finals = np.array([d.prediction for d in result.designs])
    edits = np.array([len(d.edits) for d in result.designs])
    return {
        "designs": len(result.designs),
        "rounds": result.rounds,
        "stopped": result.stopped,
        "label": result.label,
        "start_mean": float(starts.mean()),
        "final_mean": float(finals.mean()),
        "mean_gain": float((finals - starts).mean()),
        "improved": int((finals > starts).sum()),
        "mean_edits": float(edits.mean()),
        "seconds": result.seconds,
    }


def delete_design(workspace: Workspace, design: Design) -> None:
    """Remove a design's row and its stored result."""
    workspace.metadata.delete_design(design.id)
    if workspace.artifacts.exists(result_path(design)):
        workspace.artifacts.delete(result_path(design))
