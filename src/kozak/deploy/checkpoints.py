"""The checkpoint a user means by `best`, `last` or an epoch number, for deployment, export
and prediction.

`experiment_checkpoint` fetches it from the artifact store when needed and, when it is missing,
says why: the experiment was never trained, or it has no such epoch.
"""

from __future__ import annotations

import re
from pathlib import Path

from kozak.errors import InvalidConfig, NotFound
from kozak.experiments.service import CHECKPOINT_PATTERN, local_checkpoint
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

_CHECKPOINT = re.compile(CHECKPOINT_PATTERN)


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
