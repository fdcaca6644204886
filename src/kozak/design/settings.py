"""What a design asks for: `DesignSettings` (strategy, rounds, objective, constraints, seed).

Plain frozen pydantic models with every field described: the server publishes their JSON Schema
and the UI renders its forms from it; a YAML design file holds the same keys.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Goal = Literal["maximize", "minimize", "target"]
Name = Annotated[str, Field(max_length=200)]
Motif = Annotated[str, Field(min_length=1, max_length=100)]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Objective(_Settings):
    """Which prediction a design pushes, and where."""

    target: Name | None = Field(
        None, description="The target to optimise; default the model's first target."
    )
    class_name: Name | None = Field(
        None,
        description="For a classification target: the class whose probability is optimised "
        "(default its last class, the positive one of two).",
    )
    index: int = Field(
        0, ge=0, description="For a regression target with several outputs: which one (0-based)."
    )
    goal: Goal = Field(
        "maximize",
        description="maximize or minimize the prediction, or bring it to `value` (target).",
    )
    value: float | None = Field(None, description="The value a `target` goal aims at.")
    uncertainty_penalty: float = Field(
        0.0,
        ge=0,
        description="With several experiments: subtract this many standard deviations of their "
        "predictions from the score, so designs the models disagree on rank lower.",
    )

    @model_validator(mode="after")
    def _value_for_target(self) -> Objective:
        if self.goal == "target" and self.value is None:
            raise ValueError("goal 'target' needs a 'value'")
        return self


class Constraints(_Settings):
    """What a design may not do; a candidate that breaks one is never chosen."""

    forbidden_motifs: list[Motif] = Field(
        default_factory=list,
        max_length=100,
        description="Motifs a design may not gain (e.g. ATG: no new upstream start codon); IUPAC "
        "letters such as N match any base. Occurrences the start already has may stay.",
    )
    fixed_positions: list[int] = Field(
        default_factory=list,
        max_length=100_000,
        description="1-based positions that never change; negative ones count from the 3′ end "
        "(-1 is the last letter).",
    )
    gc_min: float | None = Field(None, ge=0, le=1, description="Least GC fraction of a design.")
    gc_max: float | None = Field(None, ge=0, le=1, description="Most GC fraction of a design.")
    max_edits: int | None = Field(
        None, ge=0, description="Most letters a design may differ from its start in."
    )
    min_distance: int | None = Field(
        None,
        ge=1,
        description="Least Hamming distance between two designs of the same length, so a batch "
        "stays diverse (designs of different lengths always count as distinct).",
    )

    @model_validator(mode="after")
    def _gc_range(self) -> Constraints:
        if self.gc_min is not None and self.gc_max is not None and self.gc_min > self.gc_max:
            raise ValueError(f"gc_min {self.gc_min} is above gc_max {self.gc_max}")
        return self


class DesignSettings(_Settings):
    """How a design runs: the search strategy and its budget, the objective, the constraints."""

    strategy: Name = Field(
        "greedy",
        description="greedy: the paper's ascent (every single substitution scored, the best kept, "
        "until none improves); beam: keep the best `beam_width` sequences per start; annealing: "
        "random substitutions accepted by the Metropolis rule as the temperature falls; gradient: the "
        "model's input gradient proposes the `proposals` most promising substitutions per sequence, "
        "which are scored exactly (Ledidi-style; fewer forwards than greedy).",
        json_schema_extra={"suggested_values": ["greedy", "beam", "annealing", "gradient"]},
    )
    rounds: int = Field(40, ge=1, le=1000, description="Rounds of search (the paper: 40).")
    objective: Objective = Field(default_factory=Objective, description="What to optimise.")
    constraints: Constraints = Field(default_factory=Constraints, description="What to respect.")
    beam_width: int = Field(4, ge=1, le=64, description="beam: sequences kept per start.")
    proposals: int = Field(
        32,
        ge=1,
        le=4096,
        description="annealing: random substitutions tried per sequence a round; gradient: "
        "substitutions scored exactly per sequence a round.",
    )
    temperature: float = Field(
        0.1,
        gt=0,
        description="annealing: starting temperature in objective units; it falls linearly to 0.",
    )
    seed: int = Field(0, ge=0, description="Seed of the random choices (annealing, random starts).")
    feature: Name | None = Field(
        None, description="The sequence input to design; default the model's only one."
    )
    context: dict[str, Any] = Field(
        default_factory=dict, description="Fixed values of the model's other inputs, if any."
    )
