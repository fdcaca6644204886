"""What an experiment's evaluation and the comparison view read, assembled from the stores.

`evaluation_of` a stored evaluation narrowed to one subset; `compare_in_project` the comparison of
experiments of one project, with the differences between their graphs added (`graph_diff`);
`job_in_project` a job of the project. The list and an experiment's header read
`kozak.experiments.listing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kozak.errors import NotFound
from kozak.experiments.compare import compare_experiments, flatten
from kozak.experiments.lifecycle import stored_evaluation
from kozak.store.entities import Experiment, Job
from kozak.workspace import Workspace


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
