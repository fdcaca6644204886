"""What the experiment list, its side panel and an experiment's header read: one query a page.

`overviews(workspace, project_id, page, where)` gives a page of experiments, each with its queued
or running job, its progress (epochs done of planned) and its best epoch's monitored metric,
read from the experiment's row and one joined query (no per-experiment look-ups; the store keeps
the summaries, `kozak/store/summaries.py`); `overview` one of them; `recent` the latest changed
across the caller's projects; `project_summary` the counts by status and the best.

It imports no PyTorch, so a bulk process (`kozak.server.bulk`) computes pages without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kozak.store.entities import ExperimentHead, Job, Project
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
