"""What a design run produced (`DesignResult`) and its exports: CSV and FASTA, ready to order.

`DesignResult` is stored as JSON with the design and returned by the API as it is: the final
designs with their edits against the start, each design's trajectory of changes, and every
design's prediction after every round (the per-round box plots and trajectories of the UI).
"""

from __future__ import annotations

import csv
import io
import math

from pydantic import BaseModel, ConfigDict, Field

from kozak.errors import InvalidConfig


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrajectoryStep(_Result):
    """One change of a design."""

    round: int = Field(description="The round that made it (1-based).")
    edits: list[str] = Field(description="Edits from the sequence before, as A12G (1-based).")
    prediction: float = Field(description="The objective's prediction after it.")
    score: float = Field(description="The objective's score after it (higher is better).")
    uncertainty: float = Field(description="Standard deviation over the models (0 for one).")


class Design(_Result):
    """One designed sequence beside its start."""

    index: int = Field(description="Position of its start in the start list (0-based).")
    name: str
    start: str = Field(description="The start sequence.")
    sequence: str = Field(description="The designed sequence.")
    edits: list[str] = Field(description="Edits from the start, as A12G (1-based positions).")
    start_prediction: float
    prediction: float = Field(description="Ensemble mean prediction of the design.")
    uncertainty: float = Field(description="Standard deviation of the models' predictions.")
    per_model: list[float] = Field(description="Each model's prediction, in experiment order.")
    score: float
    last_change: int = Field(description="The last round that changed it (0: never).")
    converged: bool = Field(description="Whether the search stopped finding improvements.")
    trajectory: list[TrajectoryStep]


class DesignResult(_Result):
    """A design run's outcome."""

    label: str = Field(description="What the predictions are (the target, or a class probability).")
    goal: str
    strategy: str
    rounds: int = Field(description="Rounds run (fewer than asked when all converged or stopped).")
    stopped: bool = Field(False, description="Whether a stop request ended the run early.")
    models: list[str] = Field(description="The experiments or deployments that scored, in order.")
    round_predictions: list[list[float]] = Field(
        description="Per round (0: the starts), every design's prediction after it."
    )
    designs: list[Design]
    seconds: float = Field(0.0, description="Wall time of the search.")
    candidates_scored: int = Field(0, description="Candidates scored, summed over all models.")


def _number(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:.6g}"


def designs_csv(result: DesignResult) -> str:
    """One row per design: name, start, sequence, edits, predictions, uncertainty, rounds."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "name",
            "start",
            "sequence",
            "edits",
            "n_edits",
            "start_prediction",
            "prediction",
            "uncertainty",
            "score",
            "last_change",
            "converged",
        ]
    )
    for d in result.designs:
        writer.writerow(
            [
                d.name,
                d.start,
                d.sequence,
                " ".join(d.edits),
                len(d.edits),
                _number(d.start_prediction),
                _number(d.prediction),
                _number(d.uncertainty),
                _number(d.score),
                d.last_change,
                str(d.converged).lower(),
            ]
        )
    return out.getvalue()


def designs_fasta(
    result: DesignResult, prefix: str = "", suffix: str = "", *, starts: bool = False
) -> str:
    """The designs (and, with `starts`, their starts) as FASTA, each between fixed flanks.

    Args:
        result: The design's result.
        prefix: Letters put before every sequence (e.g. a primer site), as ordered.
        suffix: Letters put after every sequence.
        starts: Also write each start (named `<name>|start`), for ordering both.

    Raises:
        InvalidConfig: If a flank holds something other than letters.
    """
    for flank, what in ((prefix, "prefix"), (suffix, "suffix")):
        if flank and not flank.isalpha():
            raise InvalidConfig(f"the FASTA {what} may hold only letters, got {flank!r}", field=what)
    lines = []
    for d in result.designs:
        header = f">{d.name}|design edits={len(d.edits)} prediction={_number(d.prediction)}"
        lines += [header, f"{prefix}{d.sequence}{suffix}"]
        if starts:
            lines += [
                f">{d.name}|start prediction={_number(d.start_prediction)}",
                f"{prefix}{d.start}{suffix}",
            ]
    return "\n".join(lines) + "\n"
