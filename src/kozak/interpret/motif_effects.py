"""Motif effects across a dataset: the paper's upstream-ATG finding, for any motif.

`motif_effects` writes a motif (default `ATG`) over every position of a sample of background
sequences (where it is not already there) and scores every variant with `SequenceScorer`; the
effect is variant − background, in the output's units, averaged by position (in the user's
coordinates) and by frame relative to a start codon right after the sequence (frame 0: the
motif's first letter a multiple of 3 before it, i.e. in frame; the 5'UTR convention). Deleting
is the reverse: each occurrence's letters replaced by random ones that do not spell the motif
(`draws` times), which keeps the length and so every other letter's frame.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kozak.deploy.scoring import SequenceScorer
from kozak.errors import DataError
from kozak.interpret.model import Background, OutputChoice, coordinates, user_coordinates
from kozak.interpret.settings import SampleSettings, sample_size

MAX_SEQUENCES = 2_000
MAX_MOTIF = 30


class MotifEffectSettings(SampleSettings):
    """What to insert, into which sequences, and which output to read (`seed` also draws the
    deletions' letters)."""

    motif: str = Field(
        "ATG",
        min_length=1,
        max_length=MAX_MOTIF,
        description="The motif, in the alphabet's letters (IUPAC codes are not expanded).",
    )
    sequences: int = sample_size(100, MAX_SEQUENCES)
    draws: int = Field(
        4, ge=1, le=20, description="Random replacements averaged per deleted occurrence."
    )


class PositionEffect(BaseModel):
    """The mean effect of the motif at one position (its first letter's)."""

    model_config = ConfigDict(frozen=True)

    position: int = Field(description="In the user's coordinates (see MotifEffects.coordinates).")
    frame: int | None = Field(description="Distance to the start codon mod 3; 0 is in frame.")
    mean: float
    sem: float | None = Field(description="Standard error of the mean (None for one variant).")
    count: int = Field(description="Variants averaged.")


class FrameEffect(BaseModel):
    """The mean effect of the motif in one frame."""

    model_config = ConfigDict(frozen=True)

    frame: int
    mean: float
    sem: float | None
    count: int


class EffectTable(BaseModel):
    """Effects of one edit (insertion or deletion), by position and by frame."""

    model_config = ConfigDict(frozen=True)

    mean: float = Field(description="Mean over every variant.")
    count: int = Field(description="Variants scored.")
    positions: list[PositionEffect]
    frames: list[FrameEffect] = Field(description="Empty for protein sequences.")


class MotifEffects(BaseModel):
    """A motif's predicted effect across background sequences."""

    model_config = ConfigDict(frozen=True)

    motif: str
    feature: str
    output: str = Field(description="The output the effects are in.")
    sequences: int = Field(description="Background sequences.")
    coordinates: str = Field(
        description="'start codon': positions count back from the start codon after the "
        "sequence (−1 is the last letter); 'sequence': from the first letter, from 1."
    )
    baseline: float = Field(description="Mean prediction of the background sequences.")
    insertion: EffectTable
    deletion: EffectTable | None = Field(description="None when no background holds the motif.")


def motif_codes(scorer: SequenceScorer, motif: str) -> np.ndarray:
    """The motif as canonical letter codes (any case; U reads as T in DNA and RNA).

    Raises:
        DataError: naming the position (from 1) of a letter outside the canonical letters.
    """
    alphabet = scorer.alphabet
    raw = np.frombuffer(motif.encode("utf-8", "replace"), dtype=np.uint8)
    codes = alphabet.lookup_table()[raw] if motif.isascii() else np.full(len(motif), 255)
    odd = np.flatnonzero(codes >= alphabet.channels)
    if len(odd):
        position = int(odd[0])
        raise DataError(
            f"motif {motif!r}: position {position + 1} ({motif[position]!r}) is not one of "
            f"{alphabet.letters}",
            field="motif",
        )
    return codes.astype(np.uint8)


def motif_effects(
    scorer: SequenceScorer, data: Background, output: OutputChoice, settings: MotifEffectSettings
) -> MotifEffects:
    """The motif's mean effect by position and frame, inserted and deleted.

    Raises:
        DataError: The motif holds letters outside the alphabet or is longer than every
            background sequence.
    """
    motif = motif_codes(scorer, settings.motif)
    width = len(motif)
    if width > int(data.lengths.max()):
        raise DataError(
            f"motif {settings.motif!r} ({width} letters) is longer than every background sequence",
            field="motif",
        )
    rng = np.random.default_rng(settings.seed)
    base = output.values(scorer.score_codes(data.codes, data.lengths))
    present = _occurrences(data.codes, data.lengths, motif)  # (N, P) bool
    parent, start = np.nonzero(_fits(data.lengths, width, present.shape[1]) & ~present)
    inserted = data.codes[parent].copy()
    inserted[np.arange(len(parent))[:, None], start[:, None] + np.arange(width)] = motif
    insertion = _table(scorer, data, output, base, inserted, parent, start)
    deletion = None
    parent, start = np.nonzero(present)
    if len(parent):
        parent, start = np.repeat(parent, settings.draws), np.repeat(start, settings.draws)
        deleted = data.codes[parent].copy()
        columns = start[:, None] + np.arange(width)
        rows = np.arange(len(parent))[:, None]
        deleted[rows, columns] = _not_motif(rng, motif, len(parent), scorer.alphabet.channels)
        deletion = _table(scorer, data, output, base, deleted, parent, start)
    return MotifEffects(
        motif="".join(scorer.alphabet.letters[c] for c in motif),
        feature=scorer.feature,
        output=output.label,
        sequences=len(data),
        coordinates="start codon" if coordinates(scorer) == "from_end" else "sequence",
        baseline=float(base.mean()),
        insertion=insertion,
        deletion=deletion,
    )


def _occurrences(codes: np.ndarray, lengths: np.ndarray, motif: np.ndarray) -> np.ndarray:
    """(N, L - width + 1) where each sequence spells the motif from that position."""
    width = len(motif)
    starts = codes.shape[1] - width + 1
    if starts <= 0:
        return np.zeros((len(codes), 0), dtype=bool)
    found = np.ones((len(codes), starts), dtype=bool)
    for offset, letter in enumerate(motif):
        found &= codes[:, offset : offset + starts] == letter
    return found & _fits(lengths, width, starts)


def _fits(lengths: np.ndarray, width: int, starts: int) -> np.ndarray:
    return np.arange(starts)[None, :] <= (lengths[:, None] - width)


def _not_motif(rng: np.random.Generator, motif: np.ndarray, count: int, letters: int) -> np.ndarray:
    """(count, width) random canonical letters, no row spelling the motif."""
    drawn = rng.integers(0, letters, (count, len(motif)), dtype=np.uint8)
    same = (drawn == motif).all(axis=1)
    while same.any():
        drawn[same] = rng.integers(0, letters, (int(same.sum()), len(motif)), dtype=np.uint8)
        same = (drawn == motif).all(axis=1)
    return drawn


def _table(
    scorer: SequenceScorer,
    data: Background,
    output: OutputChoice,
    base: np.ndarray,
    variants: np.ndarray,
    parent: np.ndarray,
    start: np.ndarray,
) -> EffectTable:
    lengths = data.lengths[parent]
    effect = output.values(scorer.score_codes(variants, lengths)) - base[parent]
    position = user_coordinates(scorer, start, lengths)
    nucleic = scorer.alphabet.name in ("dna", "rna")
    frame = (lengths - start) % 3 if nucleic else np.full(len(start), -1)
    keys = np.stack([position, frame], axis=1)
    unique, group = np.unique(keys, axis=0, return_inverse=True)
    positions = [
        PositionEffect(
            position=int(key[0]),
            frame=int(key[1]) if nucleic else None,
            **_summary(effect[group.reshape(-1) == i]),
        )
        for i, key in enumerate(unique)
    ]
    frames = [FrameEffect(frame=f, **_summary(effect[frame == f])) for f in range(3) if nucleic
              and (frame == f).any()]  # fmt: skip
    return EffectTable(mean=float(effect.mean()), count=len(effect), positions=positions, frames=frames)


def _summary(values: np.ndarray) -> dict[str, float | int | None]:
    count = len(values)
    sem = float(values.std(ddof=1) / np.sqrt(count)) if count > 1 else None
    return {"mean": float(values.mean()), "sem": sem, "count": count}


__all__ = [
    "EffectTable",
    "FrameEffect",
    "MotifEffectSettings",
    "MotifEffects",
    "PositionEffect",
    "motif_codes",
    "motif_effects",
]
