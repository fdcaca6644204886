"""`SequenceScorer`: many sequences of one input → predictions per target, batched on the device.

The one scoring function of model-guided design (`kozak.design`) and of in-silico mutagenesis
(`kozak.interpret`): both sit above `deploy/`, so both import it from here. Sequences arrive as
strings in the user's letters or as uint8 codes (`kozak.sequences`); they are encoded by the
deployment's own `ServingModel` (the training alphabet, window, alignment and padding), run in
chunks of `batch_size` in the model's precision (its run settings', resolved on its device), and
come back in the targets' units: (N,) or (N, K) numbers for regression, (N, classes)
probabilities for classification. The model's other inputs, if any, take one fixed `context` row.
`substitution_sites` lists every one-letter change of some sequences (`single_substitutions` also
spells each out as codes), the candidates both users score; `score_substitutions` scores sites
without their codes, each variant's one-hot made on the device from its parent's (a copy and a
one-column scatter), through the same batched forward as `score_codes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from kozak.data.feature_spec import NUMERIC_TYPES
from kozak.deploy.model import ServingModel
from kozak.deploy.variants import sequence_feature
from kozak.errors import DataError
from kozak.sequences import PAD, Alphabet, EncodedSequences, alignment_offsets, get_alphabet

_Windows = Callable[[int, int], Tensor]  # (start, stop) → the one-hot of rows start:stop

# Rows per forward. On a CPU, chunks of a few hundred stay in cache (one measurement on a shared
# 2-core machine, cuperus2017 in bf16, 10,698 candidates: 2.0 s in chunks of 512, 3.0 s of 2048,
# 7.5 s of 16384); a GPU needs thousands to be busy.
SCORE_BATCH = {"cpu": 512, "cuda": 4096}


@dataclass(frozen=True)
class Sites:
    """Single-letter changes of some sequences, as where and what.

    Attributes:
        parent: (M,) index of the sequence each change applies to.
        position: (M,) 0-based position changed.
        letter: (M,) code of the new letter.
    """

    parent: np.ndarray
    position: np.ndarray
    letter: np.ndarray

    def __len__(self) -> int:
        return int(self.parent.shape[0])

    def part(self, start: int, stop: int, first_parent: int = 0) -> Sites:
        """Sites `start:stop`, their parents renumbered from `first_parent` (which becomes 0)."""
        return Sites(
            self.parent[start:stop] - first_parent,
            self.position[start:stop],
            self.letter[start:stop],
        )


@dataclass(frozen=True)
class Substitutions(Sites):
    """Sites spelled out as the candidates' codes.

    Attributes:
        codes: (M, max_length) uint8 codes of the candidates.
        lengths: (M,) their lengths (those of their parents).
    """

    codes: np.ndarray
    lengths: np.ndarray


def substitution_sites(
    codes: np.ndarray, lengths: np.ndarray, letters: int, allowed: np.ndarray | None = None
) -> Sites:
    """All one-letter substitutions at positions inside each sequence (never past its end).

    Args:
        codes: (N, L) uint8 codes padded with PAD; canonical letters are 0..letters-1.
        lengths: (N,) lengths.
        letters: How many canonical letters the alphabet has (4 for DNA).
        allowed: Optional (N, L) bool: positions that may change.

    Returns:
        Sites ordered by sequence, then position, then letter; the unchanged letter is left
        out, so each position of a DNA sequence gives 3 (an ambiguity code, 4).
    """
    width = codes.shape[1]
    inside = np.arange(width)[None, :] < lengths[:, None]
    if allowed is not None:
        inside &= allowed
    parent, position = np.nonzero(inside)  # row-major: by sequence, then position
    parent = np.repeat(parent, letters)
    position = np.repeat(position, letters)
    letter = np.tile(np.arange(letters, dtype=np.uint8), len(parent) // letters if letters else 0)
    keep = codes[parent, position] != letter
    return Sites(parent[keep], position[keep], letter[keep])


def single_substitutions(
    codes: np.ndarray, lengths: np.ndarray, letters: int, allowed: np.ndarray | None = None
) -> Substitutions:
    """`substitution_sites` with each candidate's codes (its parent's, one letter changed)."""
    sites = substitution_sites(codes, lengths, letters, allowed)
    mutated = codes[sites.parent].copy()
    mutated[np.arange(len(sites)), sites.position] = sites.letter
    return Substitutions(
        sites.parent, sites.position, sites.letter, codes=mutated, lengths=lengths[sites.parent]
    )


class SequenceScorer:
    """Predictions for many variants of one sequence input of a trained model.

    Args:
        model: The serving model (its encoding, precision and device are used as they are).
        feature: The sequence input to vary; default the model's only one.
        context: Values of the model's other inputs, one fixed row (e.g. `{"cell": "K562"}`).
        batch_size: Rows per forward; default by device type (`SCORE_BATCH`).

    Raises:
        DataError: If the model has no such sequence input, or `context` lacks another input or
            holds a wrong value for it.
    """

    def __init__(
        self,
        model: ServingModel,
        feature: str | None = None,
        context: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.model = model
        self.feature = sequence_feature(model, feature)
        spec = model.inputs[self.feature].spec
        assert spec.sequence is not None
        self.alphabet: Alphabet = get_alphabet(spec.sequence.alphabet)
        self.batch_size = batch_size or SCORE_BATCH.get(model.device.type, 1024)
        self.context = dict(context or {})
        self._fixed = self._context_tensors()

    @property
    def length(self) -> int:
        """The most positions a sequence may occupy in the model's window."""
        return self.model.inputs[self.feature].sequence_length

    def numeric(self, target: str) -> bool:
        """Whether `target` is a regression target (else a classification one)."""
        return self.model.targets[target].type in NUMERIC_TYPES

    def categories(self, target: str) -> list[str]:
        """A classification target's classes, in the order of its probability columns."""
        return list(self.model.targets[target].categories or ())

    def _context_tensors(self) -> dict[str, Tensor]:
        others = [name for name in self.model.inputs if name != self.feature]
        if not others:
            return {}
        missing = [name for name in others if name not in self.context]
        if missing:
            raise DataError(
                f"the model's other inputs need fixed values in 'context': {', '.join(missing)}",
                field="context",
            )
        row = {**self.context, self.feature: self.alphabet.letters[0]}
        batch = self.model.encode([row])
        return {name: batch[name] for name in others}

    def batch(self, hot: Tensor) -> dict[str, Tensor]:
        """The model's input batch: the sequence input's one-hot `hot` (N, channels, window)
        and the other inputs' fixed context row, expanded to N rows."""
        batch = {self.feature: hot}
        for name, tensor in self._fixed.items():
            batch[name] = tensor.expand(len(hot), *tensor.shape[1:])
        return batch

    def encode(self, sequences: Sequence[str]) -> EncodedSequences:
        """Validate sequences (the user's letters, any case) and return their codes.

        Raises:
            RowError: naming the row, the position and the letter outside the alphabet.
        """
        if not sequences:
            raise DataError("no sequences to score")
        return self.model.sequence_codes(self.feature, list(sequences))

    def check_fit(
        self,
        lengths: np.ndarray,
        field: str = "sequences",
        name: Callable[[int], str] | None = None,
    ) -> None:
        """Refuse sequences longer than the model's window, where the window would cut them.

        Args:
            lengths: (N,) the sequences' lengths.
            field: The request field the error names.
            name: How the message names row i; default `sequence <i + 1>`.

        Raises:
            DataError: Naming the first such sequence, its length and the window's.
        """
        too_long = np.flatnonzero(np.asarray(lengths) > self.length)
        if len(too_long):
            row = int(too_long[0])
            what = name(row) if name is not None else f"sequence {row + 1}"
            raise DataError(
                f"{what} has {int(lengths[row])} letters; the model reads at most {self.length}",
                row=row,
                field=field,
            )

    def score(self, sequences: Sequence[str]) -> dict[str, np.ndarray]:
        """Predictions per target for sequence strings (see `score_codes`)."""
        encoded = self.encode(sequences)
        return self.score_codes(encoded.codes, encoded.lengths)

    def score_codes(self, codes: np.ndarray, lengths: np.ndarray) -> dict[str, np.ndarray]:
        """Predictions per target for sequences given as codes.

        Args:
            codes: (N, L) uint8 codes padded with PAD.
            lengths: (N,) lengths.

        Returns:
            Target name → (N,) or (N, K) values in the target's units, or (N, classes)
            probabilities.
        """
        all_codes = torch.from_numpy(np.ascontiguousarray(codes, dtype=np.uint8))
        all_lengths = torch.from_numpy(np.asarray(lengths, dtype=np.int64))
        device_codes = all_codes.to(self.model.device)
        device_lengths = all_lengths.to(self.model.device)

        def windows(start: int, stop: int) -> Tensor:
            return self.model.one_hot_codes(
                self.feature, device_codes[start:stop], device_lengths[start:stop]
            )

        return self._predict(windows, len(lengths))

    def score_substitutions(
        self, codes: np.ndarray, lengths: np.ndarray, sites: Sites
    ) -> dict[str, np.ndarray]:
        """Predictions for single-letter variants of sequences, as `score_codes` of their codes.

        No variant is spelled out: each batch copies its parents' one-hot windows (made once) and
        writes the new letter's column, in the compute dtype on the device.

        Args:
            codes: (N, L) uint8 codes of the parents, padded with PAD; none longer than the
                model's window (a cut parent's positions have no column to change).
            lengths: (N,) their lengths.
            sites: The changes; `sites.parent` indexes the rows of `codes`.

        Returns:
            As `score_codes`, one row per site, in the sites' order.

        Raises:
            DataError: A parent longer than the model's window.
        """
        self.check_fit(lengths)
        device = self.model.device
        device_lengths = torch.from_numpy(np.asarray(lengths, dtype=np.int64)).to(device)
        codes_tensor = torch.from_numpy(np.ascontiguousarray(codes, dtype=np.uint8)).to(device)
        parents = self.model.one_hot_codes(self.feature, codes_tensor, device_lengths)  # (N, C, W)
        parent = torch.from_numpy(np.asarray(sites.parent, dtype=np.int64)).to(device)
        letter = torch.from_numpy(np.asarray(sites.letter, dtype=np.int64)).to(device)
        column = window_starts(self.model, self.feature, device_lengths)[parent]
        column += torch.from_numpy(np.asarray(sites.position, dtype=np.int64)).to(device)

        def windows(start: int, stop: int) -> Tensor:
            hot = parents.index_select(0, parent[start:stop])  # (n, C, W), a copy
            rows = torch.arange(stop - start, device=device)
            hot[rows, :, column[start:stop]] = 0
            hot[rows, letter[start:stop], column[start:stop]] = 1
            return hot

        return self._predict(windows, len(sites))

    def _predict(self, windows: _Windows, n: int) -> dict[str, np.ndarray]:
        """Predictions per target of `n` rows whose one-hot `windows(start, stop)` makes, run and
        decoded `batch_size` rows at a time."""
        parts: dict[str, list[np.ndarray]] = {name: [] for name in self.model.targets}
        for start in range(0, n, self.batch_size):
            hot = windows(start, min(start + self.batch_size, n))
            decoded = self.model.decode_arrays(self.model.forward(self.batch(hot)), first_row=start)
            for name, values in decoded.items():
                parts[name].append(values)
        return {name: np.concatenate(values) for name, values in parts.items()}

    def gradients(
        self, codes: np.ndarray, lengths: np.ndarray, target: str, column: int = 0
    ) -> np.ndarray:
        """The gradient of one model output with respect to each letter of each sequence.

        The output is the model's own (a normalised regression value, a class probability), whose
        direction matches the target's units (normalisations are increasing). First-order effect
        of changing letter `a` to `b` at position `p`: `grad[n, b, p] - grad[n, a, p]`.

        Args:
            codes: (N, L) uint8 codes padded with PAD.
            lengths: (N,) lengths.
            target: The target whose output is differentiated.
            column: Which of its outputs (a class index, or one of several regression outputs).

        Returns:
            (N, channels, L) float32: per sequence position (0 past a sequence's end).
        """
        n, width = codes.shape
        result = np.zeros((n, self.alphabet.channels, width), dtype=np.float32)
        all_codes = torch.from_numpy(np.ascontiguousarray(codes, dtype=np.uint8)).to(self.model.device)
        all_lengths = torch.from_numpy(np.asarray(lengths, dtype=np.int64)).to(self.model.device)
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            chunk_lengths = all_lengths[start:stop]
            hot = self.model.one_hot_codes(self.feature, all_codes[start:stop], chunk_lengths)
            hot = hot.float().requires_grad_(True)
            with torch.enable_grad(), self.model.precision.autocast():
                output = self.model.model(self.batch(hot))[target].reshape(stop - start, -1)[:, column]
            (grad,) = torch.autograd.grad(output.float().sum(), hot)  # (n, C, W)
            result[start:stop] = self.positions(grad, chunk_lengths, width).cpu().numpy()
        return result

    def positions(self, window: Tensor, lengths: Tensor, width: int) -> Tensor:
        """Per-letter values of window columns back at sequence positions, padding dropped.

        Args:
            window: (N, channels, window) values for each column of the model's input window.
            lengths: (N,) the sequences' lengths.
            width: Positions to return (at least the longest length).

        Returns:
            (N, channels, width) float32: column of position p of each sequence, 0 past its end.
        """
        offsets = window_starts(self.model, self.feature, lengths.to(window.device))  # (N,)
        positions = torch.arange(width, device=window.device)
        columns = (offsets[:, None] + positions[None, :]).clamp(0, window.shape[-1] - 1)  # (N, L)
        picked = torch.gather(window, 2, columns[:, None, :].expand(-1, window.shape[1], -1))
        inside = (positions[None, :] < lengths.to(window.device)[:, None])[:, None, :]
        return (picked * inside).detach().float()


def window_starts(model: ServingModel, feature: str, lengths: Tensor) -> Tensor:
    """(N,) the window column where each sequence's first letter sits (training alignment)."""
    spec = model.inputs[feature].spec
    assert spec.sequence is not None
    length = model.inputs[feature].sequence_length
    return alignment_offsets(lengths, length, spec.sequence.alignment) + spec.sequence.padding


def pad_codes(encoded: EncodedSequences, width: int) -> np.ndarray:
    """`encoded`'s codes widened to `width` columns with PAD (for stacking sequence sets)."""
    codes = np.full((len(encoded), width), PAD, dtype=np.uint8)
    codes[:, : encoded.max_length] = encoded.codes
    return codes
