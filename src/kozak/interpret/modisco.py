"""A TF-MoDISco summary: the motifs a model's attributions over many sequences keep returning to.

`modisco_summary` takes the gradient of the chosen output for every letter of a sample of
sequences (`SequenceScorer.gradients`, the shared gradient of design and attribution), centres
it over the letters at each position (the correction for one-hot inputs, Majdandzic et al. 2023)
to get hypothetical contributions, and hands them to modisco-lite (Shrikumar et al.'s
TF-MoDISco). Each pattern comes back as a letter-probability matrix, its mean contributions and
its seqlet count. modisco-lite is the optional extra `kozak[modisco]`; without it,
`ModiscoUnavailable` says how to install it.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kozak.deploy.scoring import SequenceScorer
from kozak.errors import DataError, KozakError
from kozak.interpret.filters import motif_matrices
from kozak.interpret.model import Background, OutputChoice
from kozak.interpret.settings import SampleSettings, sample_size

MAX_SEQUENCES = 20_000


class ModiscoUnavailable(KozakError):
    """modisco-lite is not installed here."""

    code = "missing_dependency"
    http_status = 501


class ModiscoSettings(SampleSettings):
    """Which sequences, which output, and TF-MoDISco's window sizes."""

    sequences: int = sample_size(2000, MAX_SEQUENCES, minimum=10)
    window: int = Field(
        7, ge=3, le=41, description="Core width of a seqlet (short: UTR motifs are short)."
    )
    flank: int = Field(3, ge=0, le=20, description="Letters added on each side of a seqlet.")
    max_seqlets: int = Field(2000, ge=100, le=20_000, description="Seqlets clustered per sign, at most.")


class ModiscoPattern(BaseModel):
    """One TF-MoDISco pattern."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="pos_<i> (raises the output) or neg_<i> (lowers it).")
    seqlets: int = Field(description="Seqlets clustered into it.")
    probabilities: list[list[float]] = Field(description="Letters (rows) × positions.")
    contributions: list[list[float]] = Field(description="Mean contribution per letter, position.")
    information: list[float] = Field(description="Information content per position, in bits.")


class ModiscoSummary(BaseModel):
    """TF-MoDISco's patterns for one output."""

    model_config = ConfigDict(frozen=True)

    output: str
    letters: str
    sequences: int
    patterns: list[ModiscoPattern]


def modisco_available() -> bool:
    """Whether modisco-lite can be imported here."""
    return importlib.util.find_spec("modiscolite") is not None


def hypothetical_contributions(
    scorer: SequenceScorer, data: Background, output: OutputChoice
) -> tuple[np.ndarray, np.ndarray]:
    """(N, L, letters) one-hot and gradient-corrected hypothetical contributions."""
    gradient = scorer.gradients(data.codes, data.lengths, output.target, output.column)  # (N, C, L)
    inside = np.arange(data.codes.shape[1])[None, :] < data.lengths[:, None]
    corrected = (gradient - gradient.mean(axis=1, keepdims=True)) * inside[:, None, :]
    letters = scorer.alphabet.channels
    one_hot = np.zeros_like(gradient)
    rows, columns = np.nonzero(inside & (data.codes < letters))
    one_hot[rows, data.codes[rows, columns], columns] = 1.0
    return one_hot.transpose(0, 2, 1).copy(), corrected.transpose(0, 2, 1).astype(np.float32)


def modisco_summary(
    scorer: SequenceScorer, data: Background, output: OutputChoice, settings: ModiscoSettings
) -> ModiscoSummary:
    """TF-MoDISco patterns of the output's attributions over `data`.

    Raises:
        ModiscoUnavailable: modisco-lite is not installed.
        DataError: The sequences are shorter than a seqlet.
    """
    if not modisco_available():
        raise ModiscoUnavailable(
            "TF-MoDISco needs modisco-lite, an optional extra: pip install 'kozak[modisco]'"
        )
    from modiscolite.tfmodisco import TFMoDISco

    span = settings.window + 2 * settings.flank
    if int(data.lengths.max()) < span:
        raise DataError(
            f"seqlets span {span} letters (window + 2 × flank); the sequences are at most "
            f"{int(data.lengths.max())}",
            field="window",
        )
    one_hot, hypothetical = hypothetical_contributions(scorer, data, output)
    with np.errstate(divide="ignore", invalid="ignore"):  # its empty-column normalisations
        positive, negative = TFMoDISco(
            one_hot=one_hot.astype(np.float32),
            hypothetical_contribs=hypothetical,
            sliding_window_size=settings.window,
            flank_size=settings.flank,
            max_seqlets_per_metacluster=settings.max_seqlets,
            trim_to_window_size=settings.window + settings.flank,
            initial_flank_to_add=settings.flank,
            min_ic_windowsize=min(6, settings.window),
        )
    patterns = [
        _pattern(f"{sign}_{i}", pattern)
        for sign, found in (("pos", positive), ("neg", negative))
        for i, pattern in enumerate(found or [])
    ]
    return ModiscoSummary(
        output=output.label, letters=scorer.alphabet.letters, sequences=len(data), patterns=patterns
    )


def _pattern(name: str, pattern: Any) -> ModiscoPattern:
    counts = np.asarray(pattern.sequence, dtype=np.float64).T * len(pattern.seqlets)  # (C, W)
    probabilities, information = motif_matrices(counts, 0.0)
    return ModiscoPattern(
        name=name,
        seqlets=len(pattern.seqlets),
        probabilities=probabilities.tolist(),
        contributions=np.asarray(pattern.contrib_scores, dtype=np.float64).T.tolist(),
        information=information.tolist(),
    )


__all__ = [
    "ModiscoPattern",
    "ModiscoSettings",
    "ModiscoSummary",
    "ModiscoUnavailable",
    "hypothetical_contributions",
    "modisco_available",
    "modisco_summary",
]
