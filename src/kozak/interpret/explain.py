"""`explain`: one entry point for per-sequence explanations, by method name.

The API, the CLI and deployments call it with what a request names (method, target, class,
output, the method's options); it picks the output, runs in-silico mutagenesis or a gradient
attribution, and returns the `Explanation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from kozak.deploy.scoring import SequenceScorer
from kozak.errors import InvalidConfig
from kozak.interpret.attributions import GRADIENT_METHODS, Baseline, Progress, attribute
from kozak.interpret.ism import ism
from kozak.interpret.model import choose_output
from kozak.interpret.results import METHODS, Effect, Explanation


def explain(
    scorer: SequenceScorer,
    sequences: Sequence[str],
    method: str = "ism",
    *,
    target: str | None = None,
    class_name: str | None = None,
    output: int = 0,
    effect: Effect | Literal["auto"] = "auto",
    baseline: Baseline = "shuffle",
    references: int | None = None,
    steps: int = 50,
    gradient_correction: bool = False,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> Explanation:
    """Explain one output of the scorer's model for each sequence by `method`.

    `effect` applies to ISM; `baseline`, `references`, `steps`, `gradient_correction` and `seed`
    to the gradient methods (see `kozak.interpret.attributions.attribute`).

    Raises:
        InvalidConfig: An unknown method, target, class or output, or an option out of range.
        DataError: A sequence the model cannot read (its row named).
    """
    chosen = choose_output(scorer, target, class_name, output)
    if method == "ism":
        return ism(scorer, sequences, chosen, effect, on_progress=on_progress)
    if method in GRADIENT_METHODS:
        return attribute(
            scorer,
            sequences,
            chosen,
            method,
            baseline=baseline,
            references=references,
            steps=steps,
            gradient_correction=gradient_correction,
            seed=seed,
            on_progress=on_progress,
        )
    raise InvalidConfig(f"unknown method {method!r}; valid: {', '.join(METHODS)}", field="method")
