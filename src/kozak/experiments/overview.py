"""What the experiment list, detail and comparison views read, assembled from the stores.

`overviews(workspace, project_id, page, where)` gives a page of experiments, each with its queued
or running job, its progress (epochs done of planned) and its best epoch's monitored metric,
read from the experiment's row and one joined query (no per-experiment look-ups; the store keeps
the summaries, `kozak/store/summaries.py`); `recent` the latest changed across the caller's
projects; `evaluation_of` a
stored evaluation narrowed to one subset; `compare_in_project` the comparison of experiments
of one project, with the differences between their graphs added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kozak.errors import NotFound
from kozak.experiments.compare import compare_experiments, flatten
from kozak.experiments.lifecycle import stored_evaluation
from kozak.store.entities import Experiment, ExperimentHead, Job, Project
from kozak.store.metadata import ExperimentFilter
from kozak.store.paging import PageOf, PageRequest
from kozak.workspace import Workspace


@dataclass(frozen=True)
class BestMetric:
    """The monitored metric at the best epoch."""

    name: str
    value: float | None
    epoch: int


@dataclass(frozen=True)
class Overview:
    """An experiment with what its list row and header show (a list row holds the head only)."""

    experiment: ExperimentHead
    job: Job | None
    epochs: int
    progress: float
    best: BestMetric | None
    parent_name: str | None = None


def _best(experiment: ExperimentHead) -> BestMetric | None:
    if experiment.best_epoch is None or experiment.best_metric is None:
        return None
    return BestMetric(experiment.best_metric, experiment.best_value, experiment.best_epoch)


def overview(workspace: Workspace, project_id: str, id_or_name: str) -> Overview:
    """One experiment's overview, with its graph and settings; one query (job and parent joined).

    Raises:
        NotFound: no such experiment in the project.
    """
    row = workspace.metadata.get_experiment_listing(project_id, id_or_name)
    return of_row(row.experiment, row.job, row.parent_name)


def of_row(experiment: ExperimentHead, job: Job | None, parent_name: str | None = None) -> Overview:
    """The overview of an experiment whose active job and parent's name are known."""
    planned = experiment.epochs_planned or 1
    return Overview(
        experiment=experiment,
        job=job,
        epochs=planned,
        progress=min(1.0, experiment.epochs_done / planned),
        best=_best(experiment),
        parent_name=parent_name,
    )


def overviews(
    workspace: Workspace,
    project_id: str,
    page: PageRequest | None = None,
    where: ExperimentFilter | None = None,
) -> PageOf[Overview]:
    """A page of a project's experiments (default: the first 100, oldest first), with their jobs."""
    found = workspace.metadata.page_experiments(
        project_id, page or PageRequest(), where or ExperimentFilter()
    )
    return found.map(lambda row: of_row(row.experiment, row.job, row.parent_name))


@dataclass(frozen=True)
class ProjectSummary:
    """What the experiment list's side panel shows: counts by status, the lowest loss."""

    statuses: dict[str, int]
    best: Overview | None


def project_summary(workspace: Workspace, project_id: str, metric: str = "val_loss") -> ProjectSummary:
    """Counts by status and the experiment with the best `metric` (two queries)."""
    best = overviews(
        workspace, project_id, PageRequest(limit=1, sort="best"), ExperimentFilter(best_metric=metric)
    )
    return ProjectSummary(
        statuses=workspace.metadata.experiment_status_counts(project_id),
        best=best.items[0] if best.items else None,
    )


def recent(workspace: Workspace, user_id: str, limit: int) -> list[tuple[Overview, Project]]:
    """The `limit` most recently changed experiments of the user's projects, newest first.

    Their jobs are not looked up (`Overview.job` is None): the panel shows status and progress.
    """
    return [(of_row(e, None), p) for e, p in workspace.metadata.recent_experiments(user_id, limit)]


def evaluation_of(
    workspace: Workspace, experiment: Experiment, checkpoint: str = "best", subset: str | None = None
) -> dict[str, Any]:
    """The stored evaluation of a checkpoint, optionally of one subset only.

    Returns:
        `{"checkpoint", "epoch", "subsets": {subset: {target: {metrics, scatter, residuals}}}}`.

    Raises:
        NotFound: If the checkpoint was never evaluated, or not on that subset.
    """
    try:
        evaluation = stored_evaluation(workspace, experiment, checkpoint)
    except NotFound:
        raise NotFound(
            f"experiment {experiment.name!r} has no evaluation of its {checkpoint!r} checkpoint "
            "yet: it is made when a run completes, or ask for one with POST …/evaluate",
            experiment=experiment.id,
            checkpoint=checkpoint,
        ) from None
    if subset is None:
        return evaluation
    if subset not in evaluation["subsets"]:
        raise NotFound(
            f"the {checkpoint!r} evaluation of {experiment.name!r} has no subset {subset!r}; "
            f"subsets: {', '.join(evaluation['subsets']) or '(none)'}",
            experiment=experiment.id,
            subset=subset,
        )
    return {**evaluation, "subsets": {subset: evaluation["subsets"][subset]}}


def graph_diff(experiments: Sequence[Experiment]) -> dict[str, Any]:
    """How the experiments' graphs differ, node by node and edge by edge.

    Returns:
        `{"nodes": [{"node", "present": [bool per experiment], "type": [...], "params":
        {key: [value per experiment]}}], "edges": [{"src", "dst", "present": [...]}]}`, listing
        only nodes and edges that are not the same in every graph (params keys dotted).
    """
    per = [{n["id"]: n for n in e.graph.get("nodes", [])} for e in experiments]
    ids = list(dict.fromkeys(node_id for nodes in per for node_id in nodes))
    nodes = []
    for node_id in ids:
        found = [p.get(node_id) for p in per]
        types = [n["type"] if n is not None else None for n in found]
        flat = [flatten(n.get("params", {})) if n is not None else {} for n in found]
        keys = sorted({k for f in flat for k in f})
        params = {k: [f.get(k) for f in flat] for k in keys if len({repr(f.get(k)) for f in flat}) > 1}
        if any(n is None for n in found) or len(set(types)) > 1 or params:
            present = [n is not None for n in found]
            nodes.append({"node": node_id, "present": present, "type": types, "params": params})
    edge_sets = [{(d["src"], d["dst"]) for d in e.graph.get("edges", [])} for e in experiments]
    every = set.union(*edge_sets) if edge_sets else set()
    edges = [
        {"src": src, "dst": dst, "present": [(src, dst) in s for s in edge_sets]}
        for src, dst in sorted(every)
        if not all((src, dst) in s for s in edge_sets)
    ]
    return {"nodes": nodes, "edges": edges}


def compare_in_project(workspace: Workspace, project_id: str, refs: Sequence[str]) -> dict[str, Any]:
    """Compare experiments of one project (by id or name): `compare_experiments` plus `graph_diff`.

    Raises:
        NotFound: If an experiment is not in the project.
        InvalidConfig: If fewer than two are given.
    """
    experiments = [workspace.metadata.get_experiment(project_id, ref) for ref in refs]
    return {**compare_experiments(workspace, experiments), "graph_diff": graph_diff(experiments)}


def job_in_project(workspace: Workspace, project_id: str, job_id: str) -> Job:
    """A job of the project.

    Raises:
        NotFound: If there is no such job in the project.
    """
    try:
        job = workspace.metadata.get_job(job_id)
    except NotFound:
        job = None
    if job is None or job.project_id != project_id:
        raise NotFound(f"no job {job_id!r} in this project", job=job_id)
    return job
