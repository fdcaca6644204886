"""Gradient attributions of one model output to each letter of each sequence, through Captum.

Methods: `saliency` (the gradient), `input_x_gradient`, `ig` (integrated gradients), `deeplift`
and `deepshap` (DeepLIFT from dinucleotide-shuffled references, averaged over them: DeepLIFT's
SHAP form with per-sequence references). `ig`, `deeplift` and `deepshap` start from shuffles of
each sequence (`shuffle`, the default) or from the all-zero window (`zeros`). The optional
gradient correction (Majdandzic et al. 2023) removes, at each position, the mean of the
gradient over the letters — the component pointing off the one-hot simplex — from every
gradient the method uses.

The model's other inputs are held at the scorer's fixed context; the attribution is to the
sequence input's one-hot window, returned at the sequence's own positions in the user's
coordinates (padding and window columns outside the sequence dropped). Regression outputs are
attributed in the target's units, classification outputs as the class probability. Sequences
go through Captum in chunks sized so that one chunk's expanded rows (steps × references) fill
about one device batch of the scorer.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import torch
from captum.attr import DeepLift, InputXGradient, IntegratedGradients, Saliency
from torch import Tensor, nn

from kozak.deploy.scoring import SequenceScorer
from kozak.errors import InvalidConfig
from kozak.interpret.model import OutputChoice, encode_sequences
from kozak.interpret.results import Explanation, explanation
from kozak.interpret.shuffle import dinucleotide_shuffle
from kozak.training.data import denormalize

Baseline = Literal["shuffle", "zeros"]
GRADIENT_METHODS = ("saliency", "input_x_gradient", "ig", "deeplift", "deepshap")
DEFAULT_REFERENCES = {"ig": 1, "deeplift": 1, "deepshap": 10}
MAX_REFERENCES = 100
MAX_STEPS = 500
# Model rows one request may cost (sequences × references × steps): 200 UTRs with 50 steps and
# 10 references are 100,000; this keeps a request to about a minute of CPU.
MAX_ROWS = 1_000_000
Progress = Callable[[int, int], None]


class _CenteredGradient(torch.autograd.Function):
    """Identity forward; backward removes the per-position mean over letters (dim 1)."""

    @staticmethod
    def forward(ctx: Any, hot: Tensor) -> Tensor:
        return hot.view_as(hot)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad - grad.mean(dim=1, keepdim=True)


class ExplainedOutput(nn.Module):
    """The model as a function of its sequence input's one-hot window alone: (N, C, W) → (N,),
    the explained output, other inputs at the scorer's fixed context.

    Args:
        scorer: The scorer whose model, sequence input and context are used.
        output: The output explained.
        correct: Whether gradients flowing back to the input are corrected (see the module).
        private: Use a copy of the model, so hooks a method registers (DeepLIFT's) never touch
            the one that serves predictions in other threads.
    """

    def __init__(
        self, scorer: SequenceScorer, output: OutputChoice, correct: bool, private: bool
    ) -> None:
        super().__init__()
        self.scorer = scorer
        self.graph = copy.deepcopy(scorer.model.model) if private else scorer.model.model
        self.output = output
        self.correct = correct
        spec = scorer.model.targets[output.target]
        self.spec = spec
        self.classes = len(scorer.categories(output.target)) if not output.numeric else 0

    def forward(self, hot: Tensor) -> Tensor:
        if self.correct:
            hot = _CenteredGradient.apply(hot)
        with self.scorer.model.precision.autocast():
            raw = self.graph(self.scorer.batch(hot))[self.output.target]
        values = raw.float().reshape(len(hot), -1)
        if self.output.numeric:
            return denormalize(values[:, self.output.column], self.spec)
        if values.shape[1] == 1 and self.classes == 2:  # one sigmoid for two classes
            return values[:, 0] if self.output.column == 1 else 1.0 - values[:, 0]
        return values[:, self.output.column]


def attribute(
    scorer: SequenceScorer,
    sequences: Sequence[str],
    output: OutputChoice,
    method: str,
    *,
    baseline: Baseline = "shuffle",
    references: int | None = None,
    steps: int = 50,
    gradient_correction: bool = False,
    seed: int = 0,
    chunk: int | None = None,
    internal_batch_size: int | None = None,
    on_progress: Progress | None = None,
) -> Explanation:
    """Attributions of `output` to every letter of every sequence.

    Args:
        scorer: The model's scorer (its sequence input and fixed context).
        sequences: In the model's letters, any case; none longer than its window.
        output: The output explained (`choose_output`).
        method: One of `GRADIENT_METHODS`.
        baseline: References of ig/deeplift/deepshap: dinucleotide shuffles, or all zeros.
        references: Shuffled references per sequence (default 1 for ig and deeplift, 10 for
            deepshap); attributions are averaged over them.
        steps: Integration steps of integrated gradients.
        gradient_correction: Remove the mean over letters from the gradients (one-hot inputs).
        seed: Seed of the shuffles.
        chunk: Sequences per Captum call; default so that steps × references × chunk rows make
            about one scorer batch.
        internal_batch_size: Integrated gradients' own batching within a call (Captum's
            option); default none (the whole chunk at once).
        on_progress: Hears (sequences done, total) after each chunk.

    Raises:
        InvalidConfig: An unknown method, or references/steps out of range.
        DataError: A sequence the model cannot read (its row named).
    """
    if method not in GRADIENT_METHODS:
        raise InvalidConfig(
            f"unknown attribution method {method!r}; valid: {', '.join(GRADIENT_METHODS)}",
            field="method",
        )
    uses_reference = method in DEFAULT_REFERENCES
    count = 1
    if uses_reference and baseline == "shuffle":
        count = references if references is not None else DEFAULT_REFERENCES[method]
    if not 1 <= count <= MAX_REFERENCES:
        raise InvalidConfig(f"references {count}: from 1 to {MAX_REFERENCES}", field="references")
    if not 1 <= steps <= MAX_STEPS:
        raise InvalidConfig(f"steps {steps}: from 1 to {MAX_STEPS}", field="steps")
    rows_per_sequence = count * (steps if method == "ig" else 1)
    if rows_per_sequence * len(sequences) > MAX_ROWS:
        raise InvalidConfig(
            f"{len(sequences)} sequences × {rows_per_sequence} model rows each (references × "
            f"steps) is more than {MAX_ROWS:,}; explain fewer sequences, or use fewer steps or "
            "references",
            field="references" if method != "ig" else "steps",
        )
    encoded = encode_sequences(scorer, list(sequences))
    model = scorer.model
    module = ExplainedOutput(
        scorer, output, gradient_correction, private=method in ("deeplift", "deepshap")
    )
    total = len(encoded)
    per_chunk = chunk or max(1, scorer.batch_size // rows_per_sequence)
    rng = np.random.default_rng(seed)
    shuffled = (
        dinucleotide_shuffle(encoded.codes, encoded.lengths, count, rng)
        if uses_reference and baseline == "shuffle"
        else None
    )
    width = encoded.max_length
    values = np.zeros((total, scorer.alphabet.channels, width), dtype=np.float64)
    device = model.device
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Captum's notes on hooks and non-linearities
        for start in range(0, total, per_chunk):
            stop = min(start + per_chunk, total)
            lengths = torch.from_numpy(encoded.lengths[start:stop].astype(np.int64)).to(device)
            codes = torch.from_numpy(encoded.codes[start:stop]).to(device)
            hot = model.one_hot_codes(scorer.feature, codes, lengths).float()
            if method == "saliency":
                window = Saliency(module).attribute(hot, abs=False)
            elif method == "input_x_gradient":
                window = InputXGradient(module).attribute(hot)
            else:
                inputs = hot.repeat_interleave(count, dim=0)
                if shuffled is None:
                    bases = torch.zeros_like(inputs)
                else:
                    flat = shuffled[start:stop].reshape(-1, width)
                    base_codes = torch.from_numpy(flat).to(device)
                    bases = model.one_hot_codes(
                        scorer.feature, base_codes, lengths.repeat_interleave(count)
                    ).float()
                if method == "ig":
                    window = IntegratedGradients(module).attribute(
                        inputs, bases, n_steps=steps, internal_batch_size=internal_batch_size
                    )
                else:
                    window = DeepLift(module).attribute(inputs, bases)
                window = window.reshape(stop - start, count, *window.shape[1:]).mean(dim=1)
            values[start:stop] = scorer.positions(window, lengths, width).cpu().numpy()
            if on_progress is not None:
                on_progress(stop, total)
    predictions = output.values(scorer.score_codes(encoded.codes, encoded.lengths))
    return explanation(method, scorer, output, encoded, predictions, values)
