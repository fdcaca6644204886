"""Per-sequence explanations on the wire: a request under an experiment (`ExperimentExplain`:
the sequences, the settings flat beside them, and the checkpoint); the answer is the library's
`kozak.interpret.Explanation` as it is."""

from __future__ import annotations

from pydantic import Field

from kozak.experiments.checkpoints import CHECKPOINT_PATTERN
from kozak.interpret import ExplainRequest


class ExperimentExplain(ExplainRequest):
    """Sequences to explain with an experiment's checkpoint, and how."""

    checkpoint: str = Field(
        "best", pattern=CHECKPOINT_PATTERN, description="best, last or epoch-N (any epoch of the run)."
    )
