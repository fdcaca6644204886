"""Where an experiment's checkpoints are: `best`, `last`, `init` and `epoch-N`, stored and local.

A run writes into its local work folder and copies each checkpoint to the artifact store
(`experiments/<id>/checkpoints/<kind>.pt`); `experiment_checkpoint` gives a local file of the one a
user names, fetched from the store when needed, or a `NotFound` that says what exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from kozak.errors import InvalidConfig, NotFound
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

CHECKPOINT_PATTERN = r"^(best|last|epoch-[1-9]\d*)$"
_CHECKPOINT = re.compile(CHECKPOINT_PATTERN)


def checkpoint_path(experiment: Experiment, kind: str) -> str:
    """Where the artifact store keeps one of `experiment`'s checkpoints."""
    return f"{experiment.artifact_path}/checkpoints/{kind}.pt"


def work_dir(workspace: Workspace, experiment: Experiment) -> Path:
    """The local folder a run trains in (its checkpoints are copied to the artifact store)."""
    return workspace.settings.home / "work" / experiment.id


def local_checkpoint(workspace: Workspace, experiment: Experiment, kind: str = "best") -> Path | None:
    """A checkpoint (`best`, `last`, `init`, `epoch-N`) as a local file, fetched when needed;
    None if absent."""
    local = work_dir(workspace, experiment) / f"{kind}.pt"
    stored = checkpoint_path(experiment, kind)
    if not local.exists() and workspace.artifacts.exists(stored):
        local.parent.mkdir(parents=True, exist_ok=True)
        workspace.artifacts.get_file(stored, local)
    return local if local.exists() else None


def checkpoint_name(checkpoint: str | int) -> str:
    """`best`, `last` or `epoch-N` from what a user asked for (a number N means epoch N).

    Raises:
        InvalidConfig: For anything else.
    """
    name = str(checkpoint)
    name = f"epoch-{name}" if name.isdigit() else name
    if not _CHECKPOINT.match(name):
        raise InvalidConfig(
            f"checkpoint {checkpoint!r} is not one of best, last or an epoch number", checkpoint=name
        )
    return name


def experiment_checkpoint(
    workspace: Workspace, experiment: Experiment, checkpoint: str | int = "best"
) -> Path:
    """The local file of an experiment's checkpoint.

    Args:
        workspace: Where the experiment lives.
        experiment: The trained experiment.
        checkpoint: `best`, `last`, an epoch number (as int or digits) or `epoch-N`.

    Raises:
        InvalidConfig: For a checkpoint that is none of these.
        NotFound: If the experiment has not been trained yet, or has no such checkpoint.
    """
    kind = checkpoint_name(checkpoint)
    path = local_checkpoint(workspace, experiment, kind)
    if path is not None:
        return path
    if experiment.epochs_done == 0:
        raise NotFound(
            f"experiment {experiment.name!r} has no checkpoint yet; run it first "
            f"(`kozak run FILE.yaml`, or Run in the UI)",
            experiment=experiment.name,
            checkpoint=kind,
        )
    raise NotFound(
        f"experiment {experiment.name!r} has no {kind!r} checkpoint; it has trained "
        f"{experiment.epochs_done} epochs: choose best, last or an epoch up to "
        f"{experiment.epochs_done} (epoch checkpoints exist for runs made since deployments)",
        experiment=experiment.name,
        checkpoint=kind,
    )
