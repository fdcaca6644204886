"""The device-side data path: one-hot batches, reverse complement, normalisation, subsets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kozak.data.prepare import VersionContent
from kozak.errors import InvalidConfig
from kozak.sequences import DNA, EncodedSequences, encode_strings, one_hot, reverse_complement
from kozak.training.data import (
    batch_slices,
    denormalize,
    epoch_order,
    normalize,
    reverse_complement_codes,
    row_set,
    subset_rows,
)

CPU = torch.device("cpu")


def test_reverse_complement_on_device_matches_the_reference() -> None:
    encoded = encode_strings(["ACGTTN", "AAC", "GATTACAGG", "T"], DNA)
    expected = reverse_complement(encoded)
    codes = torch.from_numpy(encoded.codes)
    lengths = torch.from_numpy(encoded.lengths)
    table = torch.from_numpy(DNA.complement_codes())
    got = reverse_complement_codes(codes, lengths, table)
    assert np.array_equal(got.numpy(), expected.codes)
    assert EncodedSequences(got.numpy(), encoded.lengths, "dna").decode() == [
        "NAACGT",
        "GTT",
        "CCTGTAATC",
        "A",
    ]


def test_batches_are_one_hot_windows_and_normalised_targets(synthetic: VersionContent) -> None:
    rows = subset_rows(synthetic, "training")
    data = row_set(synthetic, ["seq"], ["growth_rate"], rows, CPU)
    index = torch.tensor([0, 5, 2])
    inputs, targets = data.batch(index)
    seq = synthetic.feature("seq")
    assert isinstance(seq.values, EncodedSequences) and seq.spec.sequence is not None
    picked = seq.values.take(rows[[0, 5, 2]])
    expected = one_hot(
        torch.from_numpy(picked.codes),
        torch.from_numpy(picked.lengths),
        alphabet=DNA,
        length=50,
        alignment="right",
        padding=10,
    )
    assert inputs["seq"].shape == (3, 4, 70) and torch.equal(inputs["seq"], expected)
    # right-aligned in a 50-wide window with 10 padding on each side: the last 10 columns empty
    assert inputs["seq"][:, :, 60:].sum() == 0 and torch.all(inputs["seq"][:, :, 59].sum(1) == 1)
    spec = synthetic.feature("growth_rate").spec
    assert spec.normalization == "zscore" and spec.stats is not None
    raw = np.asarray(synthetic.feature("growth_rate").values)[rows[[0, 5, 2]]]
    assert targets["growth_rate"].shape == (3, 1) and targets["growth_rate"].dtype == torch.float32
    assert np.allclose(denormalize(targets["growth_rate"], spec).numpy()[:, 0], raw, atol=1e-5)
    train_targets = row_set(synthetic, [], ["growth_rate"], rows, CPU).targets["growth_rate"]
    assert train_targets.values is not None
    assert abs(float(train_targets.values.mean())) < 1e-4  # stats come from the training subset


def test_flip_reverse_complements_only_the_chosen_rows(synthetic: VersionContent) -> None:
    data = row_set(synthetic, ["seq"], [], subset_rows(synthetic, "training"), CPU)
    index = torch.arange(4)
    plain = data.batch(index)[0]["seq"]
    flipped = data.batch(index, torch.tensor([True, False, True, False]))[0]["seq"]
    assert data.can_reverse_complement
    assert torch.equal(plain[1], flipped[1]) and not torch.equal(plain[0], flipped[0])
    # a right-aligned reverse complement: complement channels (A<->T, C<->G), reversed positions
    # within the sequence's span, which ends at column 60 either way
    n = int(plain[0].sum())
    span = slice(60 - n, 60)
    assert torch.equal(flipped[0][:, span], plain[0][[3, 2, 1, 0], span].flip(-1))


def test_normalisation_round_trips() -> None:
    from kozak.data.feature_spec import FeatureSpec, NormalizationStats

    stats = NormalizationStats(mean=2.0, std=4.0, min=-1.0, max=3.0)
    values = torch.tensor([[-1.0], [2.0], [3.0]])
    for kind, expected in (("zscore", [-0.75, 0.0, 0.25]), ("minmax", [0.0, 0.75, 1.0])):
        spec = FeatureSpec(name="y", source="y", type="float", normalization=kind, stats=stats)
        assert normalize(values, spec)[:, 0].tolist() == expected
        assert torch.allclose(torch.as_tensor(denormalize(normalize(values, spec), spec)), values)


def test_missing_subset_and_feature_are_named(synthetic: VersionContent) -> None:
    with pytest.raises(InvalidConfig, match=r"no subset 'train'.*training, validation"):
        subset_rows(synthetic, "train")
    with pytest.raises(InvalidConfig, match="no feature 'expression'"):
        row_set(synthetic, ["seq"], ["expression"], np.arange(3), CPU)


def test_epoch_order_is_a_seeded_permutation() -> None:
    first = epoch_order(100, seed=1, epoch=1, device=CPU)
    assert sorted(first.tolist()) == list(range(100))
    assert torch.equal(first, epoch_order(100, seed=1, epoch=1, device=CPU))
    assert not torch.equal(first, epoch_order(100, seed=1, epoch=2, device=CPU))
    assert [(i, s.start, s.stop) for i, s in batch_slices(10, 4)] == [(0, 0, 4), (1, 4, 8), (2, 8, 10)]
    assert [i for i, _ in batch_slices(10, 4, start=2)] == [2]
