"""What interpretation asks for: `ExplainSettings` (method, output, options) and `ExplainRequest`
(the same plus the sequences) for per-sequence explanations, as the API, deployments and the CLI
read them; `SampleSettings`, the fields every per-model analysis (filters, motif effects,
TF-MoDISco) shares: which rows it samples and which output it reads.

Plain frozen pydantic models with every field described, like the design settings: the server
publishes their JSON Schema, and a request body is one of them, flat.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kozak.interpret.results import Effect, Method

MAX_SEQUENCES = 200  # per request: an ISM of 200 UTRs of 50 nt is 30,000 forwards, seconds on a CPU
Name = Annotated[str, Field(max_length=200)]
SequenceText = Annotated[str, Field(min_length=1, max_length=100_000)]


class ExplainSettings(BaseModel):
    """How to explain: the method, the output explained and the method's options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Method = Field(
        "ism",
        description="ism: every single substitution scored; saliency: the gradient; "
        "input_x_gradient; ig: integrated gradients; deeplift: DeepLIFT from one shuffled "
        "reference; deepshap: DeepLIFT averaged over several dinucleotide-shuffled references.",
    )
    target: Name | None = Field(None, description="The target explained; default the first.")
    class_name: Name | None = Field(
        None, description="For a classification target: whose probability; default the last class."
    )
    output: int = Field(
        0, ge=0, description="For a regression target with several outputs: which (0-based)."
    )
    effect: Effect | Literal["auto"] = Field(
        "auto",
        description="ism: difference (variant − reference) or log_ratio (ln variant/reference); "
        "auto: log_ratio for outputs that are always positive (probabilities), else difference.",
    )
    baseline: Literal["shuffle", "zeros"] = Field(
        "shuffle",
        description="ig, deeplift, deepshap: references made by shuffling each sequence keeping "
        "its dinucleotides, or the all-zero window.",
    )
    references: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Shuffled references per sequence (averaged); default 1 (ig, deeplift), 10 "
        "(deepshap).",
    )
    steps: int = Field(50, ge=1, le=500, description="ig: integration steps.")
    gradient_correction: bool = Field(
        False,
        description="Remove the mean over letters from the gradients at each position (for "
        "one-hot inputs; Majdandzic et al. 2023).",
    )
    seed: int = Field(0, description="Seed of the shuffled references.")
    feature: Name | None = Field(
        None, description="The sequence input explained; default the model's only one."
    )
    context: dict[str, Any] = Field(
        default_factory=dict, description="Fixed values of the model's other inputs, if any."
    )

    def settings(self) -> ExplainSettings:
        """The settings alone (without the sequences or what a subclass adds)."""
        return ExplainSettings.model_validate(self.model_dump(include=set(ExplainSettings.model_fields)))


class DatasetRows(BaseModel):
    """Rows of a subset of an experiment's own dataset: positions within the subset in the
    evaluation's order (a scatter point's index)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subset: Name = Field(description="The subset, e.g. validation.")
    rows: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, max_length=MAX_SEQUENCES, description="0-based positions within the subset."
    )


class ExplainRequest(ExplainSettings):
    """Sequences to explain, with the settings beside them."""

    sequences: list[SequenceText] = Field(
        min_length=1,
        max_length=MAX_SEQUENCES,
        description=f"The sequences, in the model's letters (at most {MAX_SEQUENCES}).",
    )


class SampleSettings(BaseModel):
    """What every per-model analysis reads: a seeded sample of a subset's rows, one output.

    A subclass declares `sequences`, the rows sampled, with `sample_size` (its default and
    bounds are its own: each analysis costs differently per row).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    subset: Name | None = Field(
        None, description="Rows read; default the run's validation subset (every row if it had none)."
    )
    sequences: int
    target: Name | None = Field(None, description="Output; default the first.")
    category: Name | None = Field(None, description="A classification target's class; default its last.")
    seed: int = Field(0, ge=0, description="Seed of the row sample and of any other draw.")


def sample_size(default: int, maximum: int, minimum: int = 1) -> Any:
    """The `sequences` field of a `SampleSettings` subclass."""
    return Field(default, ge=minimum, le=maximum, description="Rows sampled from the subset (seeded).")
