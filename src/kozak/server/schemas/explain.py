"""Per-sequence explanations on the wire: a request under an experiment (`ExperimentExplain`:
the sequences, or rows of a subset of its dataset, with the settings flat beside them and the
checkpoint); the answer is the library's `kozak.interpret.Explanation` as it is."""

from __future__ import annotations

from pydantic import Field, model_validator

from kozak.experiments.checkpoints import CHECKPOINT_PATTERN
from kozak.interpret import MAX_SEQUENCES, ExplainSettings
from kozak.interpret.settings import DatasetRows, SequenceText


class ExperimentExplain(ExplainSettings):
    """Sequences to explain with an experiment's checkpoint, and how."""

    sequences: list[SequenceText] | None = Field(
        None,
        min_length=1,
        max_length=MAX_SEQUENCES,
        description=f"The sequences, in the model's letters (at most {MAX_SEQUENCES}).",
    )
    dataset_rows: DatasetRows | None = Field(
        None, description="Instead of `sequences`: rows of a subset of the experiment's dataset."
    )
    checkpoint: str = Field(
        "best",
        max_length=50,
        pattern=CHECKPOINT_PATTERN,
        description="best, last or epoch-N (any epoch of the run).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ExperimentExplain:
        if (self.sequences is None) == (self.dataset_rows is None):
            raise ValueError("give either 'sequences' or 'dataset_rows'")
        return self

    def source(self) -> list[str] | DatasetRows:
        """What to explain: the sequences, or the dataset rows."""
        if self.sequences is not None:
            return self.sequences
        assert self.dataset_rows is not None
        return self.dataset_rows
