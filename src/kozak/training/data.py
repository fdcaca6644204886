"""Batches for training and evaluation, made on the device with no per-example Python work.

`FeatureTensors` holds one feature's selected rows on the device (sequences as uint8 codes plus
lengths, numbers as normalised float32); a batch gathers rows by index and one-hot encodes
sequences there, in the compute precision. `denormalize` maps a normalised prediction back to
the feature's units.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch
from torch import Tensor

from kozak.data.encode import FeatureData
from kozak.data.feature_spec import FeatureSpec, FeatureType
from kozak.data.prepare import VersionContent
from kozak.errors import InvalidConfig
from kozak.graph.feature_shapes import FeatureInfo, feature_info
from kozak.sequences import PAD, EncodedSequences, get_alphabet, one_hot

Batch = dict[str, Tensor]
ArrayT = TypeVar("ArrayT", Tensor, np.ndarray)


def _scale(spec: FeatureSpec) -> tuple[float, float]:
    """(shift, scale) with normalised = (x - shift) / scale."""
    stats = spec.stats
    if spec.normalization == "none" or stats is None:
        return 0.0, 1.0
    if spec.normalization == "zscore":
        return stats.mean, stats.std or 1.0  # a constant feature normalises to 0
    return stats.min, (stats.max - stats.min) or 1.0


def normalize(values: Tensor, spec: FeatureSpec) -> Tensor:
    """Apply the feature's normalisation (z-score or min-max with its stored statistics)."""
    shift, scale = _scale(spec)
    return (values - shift) / scale


def denormalize(values: ArrayT, spec: FeatureSpec) -> ArrayT:
    """Map normalised values (e.g. predictions) back to the feature's original units."""
    shift, scale = _scale(spec)
    return values * scale + shift


def reverse_complement_codes(codes: Tensor, lengths: Tensor, complement: Tensor) -> Tensor:
    """Reverse complement a batch of codes on their device (codes stay left-aligned, PAD-padded).

    Args:
        codes: (N, L) uint8 codes.
        lengths: (N,) sequence lengths.
        complement: (256,) uint8 code -> complementary code.

    Returns:
        (N, L) uint8 codes.
    """
    columns = torch.arange(codes.shape[1], device=codes.device)
    source = lengths.long()[:, None] - 1 - columns[None, :]  # (N, L): position read
    inside = source >= 0
    gathered = torch.gather(codes, 1, source.clamp_min(0))
    flipped = complement[gathered.long()]
    return torch.where(inside, flipped, torch.full_like(codes, PAD))


class FeatureTensors:
    """One feature's selected rows, resident on the device, and how to turn rows into a tensor.

    Args:
        data: The feature's spec and stored values.
        rows: Indices of the rows to keep (e.g. the training subset).
        device: Where the rows live and batches are made.
        one_hot_dtype: dtype of one-hot inputs (sequences, categories): the compute precision.
    """

    def __init__(
        self,
        data: FeatureData,
        rows: np.ndarray,
        device: torch.device,
        one_hot_dtype: torch.dtype = torch.float32,
    ) -> None:
        self.spec = data.spec
        self.device = device
        self.one_hot_dtype = one_hot_dtype
        self.codes: Tensor | None = None
        self.lengths: Tensor | None = None
        self.values: Tensor | None = None
        self._complement: Tensor | None = None
        values = data.values
        spec = data.spec
        if spec.type is FeatureType.SEQUENCE:
            assert isinstance(values, EncodedSequences) and spec.sequence is not None
            self.alphabet = get_alphabet(spec.sequence.alphabet)
            self.length = spec.sequence.length or values.max_length
            self.codes = torch.from_numpy(np.ascontiguousarray(values.codes[rows])).to(device)
            self.lengths = torch.from_numpy(np.asarray(values.lengths[rows], np.int64)).to(device)
            if self.alphabet.complement:
                self._complement = torch.from_numpy(self.alphabet.complement_codes()).to(device)
            return
        if not isinstance(values, np.ndarray):
            raise InvalidConfig(
                f"feature {spec.name!r} is {spec.type.value}, which models cannot read",
                feature=spec.name,
            )
        selected = np.asarray(values[rows])
        if spec.type is FeatureType.CATEGORICAL:
            self.values = torch.from_numpy(selected.astype(np.int64)).to(device)  # (n,) classes
        else:
            # (n, 1) for numbers, (n, *shape) for arrays, (n, k) for multi-label
            as_float = torch.from_numpy(selected.astype(np.float32)).to(device)
            self.values = normalize(as_float.reshape(len(selected), -1), spec).reshape(
                len(selected), *spec.tensor_shape()
            )

    def __len__(self) -> int:
        held = self.lengths if self.lengths is not None else self.values
        assert held is not None
        return int(held.shape[0])

    @property
    def can_reverse_complement(self) -> bool:
        """Whether this is a sequence feature whose alphabet has a complement."""
        return self._complement is not None

    def batch(self, index: Tensor, flip: Tensor | None = None, *, as_input: bool = True) -> Tensor:
        """The tensor for the rows at `index` (a device tensor of positions).

        Args:
            index: (B,) positions into the selected rows.
            flip: (B,) bool: rows to reverse complement (sequences only).
            as_input: Categorical features become one-hot for inputs, class indices for targets.

        Returns:
            (B, channels, window) in `one_hot_dtype` for sequences, (B, *shape) otherwise.
        """
        if self.codes is not None and self.lengths is not None:
            codes, lengths = self.codes[index], self.lengths[index]
            if flip is not None and self._complement is not None:
                flipped = reverse_complement_codes(codes, lengths, self._complement)
                codes = torch.where(flip[:, None], flipped, codes)
            assert self.spec.sequence is not None
            return one_hot(
                codes,
                lengths,
                alphabet=self.alphabet,
                length=self.length,
                alignment=self.spec.sequence.alignment,
                padding=self.spec.sequence.padding,
                dtype=self.one_hot_dtype,
            )
        assert self.values is not None
        selected = self.values[index]
        if self.spec.type is FeatureType.CATEGORICAL and as_input:
            classes = len(self.spec.categories or ())
            return torch.nn.functional.one_hot(selected, classes).to(self.one_hot_dtype)
        return selected


@dataclass(frozen=True)
class RowSet:
    """Inputs and targets of one subset, on the device."""

    inputs: dict[str, FeatureTensors]
    targets: dict[str, FeatureTensors]
    size: int

    def batch(self, index: Tensor, flip: Tensor | None = None) -> tuple[Batch, Batch]:
        """(inputs, targets) for the rows at `index`; `flip` reverse-complements sequences."""
        inputs = {name: t.batch(index, flip) for name, t in self.inputs.items()}
        targets = {name: t.batch(index, as_input=False) for name, t in self.targets.items()}
        return inputs, targets

    @property
    def can_reverse_complement(self) -> bool:
        """Whether any input is a sequence with a complement."""
        return any(t.can_reverse_complement for t in self.inputs.values())


def subset_rows(content: VersionContent, subset: str) -> np.ndarray:
    """Row indices of a subset.

    Raises:
        InvalidConfig: If the version has no such subset (the message lists them) or it is empty.
    """
    if subset not in content.masks:
        raise InvalidConfig(
            f"the dataset version has no subset {subset!r}; subsets: "
            + (", ".join(sorted(content.masks)) or "(none)"),
            subset=subset,
        )
    rows = np.flatnonzero(content.masks[subset])
    if not len(rows):
        raise InvalidConfig(f"subset {subset!r} has no rows", subset=subset)
    return rows


def row_set(
    content: VersionContent,
    inputs: Sequence[str],
    targets: Sequence[str],
    rows: np.ndarray,
    device: torch.device,
    one_hot_dtype: torch.dtype = torch.float32,
) -> RowSet:
    """Move the named features' `rows` to `device`; one-hot inputs are built in `one_hot_dtype`.

    Raises:
        InvalidConfig: If the version lacks a feature (the message lists them).
    """
    by_name = {d.spec.name: d for d in content.features}
    missing = [name for name in [*inputs, *targets] if name not in by_name]
    if missing:
        raise InvalidConfig(
            f"the dataset version has no feature {', '.join(map(repr, missing))}; features: "
            + ", ".join(sorted(by_name)),
            features=missing,
        )
    return RowSet(
        {name: FeatureTensors(by_name[name], rows, device, one_hot_dtype) for name in inputs},
        {name: FeatureTensors(by_name[name], rows, device) for name in targets},
        len(rows),
    )


def content_feature_infos(content: VersionContent) -> dict[str, FeatureInfo]:
    """How a model sees each feature of a version's content (as `graph.feature_infos` does)."""
    infos = {}
    for data in content.features:
        longest = data.values.max_length if isinstance(data.values, EncodedSequences) else None
        infos[data.spec.name] = feature_info(data.spec, longest)
    return infos


def epoch_order(size: int, seed: int, epoch: int, device: torch.device) -> Tensor:
    """The shuffled row order of one epoch: a function of (seed, epoch) only, so resuming a run
    mid-way reproduces it without storing generator state."""
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(size, generator=generator).to(device)


def flip_mask(size: int, seed: int, epoch: int, device: torch.device) -> Tensor:
    """(size,) bool: which positions of an epoch's order are reverse-complemented."""
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch + 7_919_000_000)
    return (torch.rand(size, generator=generator) < 0.5).to(device)


def batch_slices(size: int, batch_size: int, start: int = 0) -> Iterator[tuple[int, slice]]:
    """(batch index, slice) for every batch of an epoch from batch `start` (the last may be short)."""
    for index, begin in enumerate(range(start * batch_size, size, batch_size), start=start):
        yield index, slice(begin, min(begin + batch_size, size))


def target_specs(content: VersionContent, targets: Sequence[str]) -> Mapping[str, FeatureSpec]:
    """Specs of the target features, by name."""
    by_name = {d.spec.name: d.spec for d in content.features}
    return {name: by_name[name] for name in targets}
