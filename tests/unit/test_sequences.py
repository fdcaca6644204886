"""Sequence codes, one-hot encoding with alignment, reverse complement, one-hot recognition."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import torch

from kozak.errors import DataError, InvalidConfig
from kozak.sequences import (
    DNA,
    PAD,
    PROTEIN,
    RNA,
    encode_strings,
    one_hot,
    one_hot_to_codes,
    reverse_complement,
)


def test_codes_are_uint8_with_padding_and_lengths() -> None:
    encoded = encode_strings(["ACGTN", "acg", "TTR"], DNA)
    assert encoded.codes.dtype == np.uint8
    assert encoded.codes.tolist() == [[0, 1, 2, 3, 4], [0, 1, 2, PAD, PAD], [3, 3, 5, PAD, PAD]]
    assert encoded.lengths.tolist() == [5, 3, 3]
    assert encoded.decode() == ["ACGTN", "ACG", "TTR"]


def test_rna_u_and_dna_t_share_a_code() -> None:
    assert encode_strings(["ACGU"], DNA).codes.tolist() == encode_strings(["ACGT"], RNA).codes.tolist()


def test_sliced_arrow_arrays_are_read_at_their_offset() -> None:
    array = pa.array(["AAAA", "CCCC", "GG"]).slice(1)
    assert encode_strings(array, DNA).decode() == ["CCCC", "GG"]


def test_unknown_character_names_row_position_and_character() -> None:
    with pytest.raises(DataError) as err:
        encode_strings(["ACGT", "ACXG"], DNA, column="seq", file="a.csv")
    assert err.value.details == {
        "file": "a.csv",
        "column": "seq",
        "row": 2,  # counted from 1
        "position": 3,
        "character": "X",
    }


@pytest.mark.parametrize("values,problem", [(["ACG", None], "missing"), (["ACG", ""], "empty")])
def test_missing_and_empty_sequences_are_refused(values: list[str | None], problem: str) -> None:
    with pytest.raises(DataError, match=problem) as err:
        encode_strings(pa.array(values, pa.string()), DNA, column="seq")
    assert err.value.details["row"] == 2  # counted from 1


@pytest.mark.parametrize("alignment,expected_start", [("left", 0), ("right", 4), ("center", 2)])
def test_one_hot_alignment(alignment: str, expected_start: int) -> None:
    encoded = encode_strings(["ACG"], DNA)
    tensor = one_hot(
        torch.from_numpy(encoded.codes),
        torch.from_numpy(encoded.lengths),
        alphabet=DNA,
        length=7,
        alignment=alignment,
    )  # type: ignore[arg-type]
    assert tensor.shape == (1, 4, 7)
    columns = tensor[0].argmax(dim=0)[expected_start : expected_start + 3].tolist()
    assert columns == [0, 1, 2]
    assert tensor[0].sum().item() == 3.0


def test_center_matches_the_authors_rule_for_50_mers_in_70() -> None:
    encoded = encode_strings(["A" * 50], DNA)
    tensor = one_hot(
        torch.from_numpy(encoded.codes),
        torch.from_numpy(encoded.lengths),
        alphabet=DNA,
        length=70,
        alignment="center",
    )
    filled = tensor[0].sum(dim=0).nonzero().flatten()
    assert filled.min().item() == 10 and filled.max().item() == 59


def test_ambiguity_codes_average_their_bases_and_long_sequences_are_cut() -> None:
    encoded = encode_strings(["NRACGT"], DNA)
    tensor = one_hot(
        torch.from_numpy(encoded.codes),
        torch.from_numpy(encoded.lengths),
        alphabet=DNA,
        length=4,
        alignment="left",
    )
    assert tensor[0, :, 0].tolist() == [0.25, 0.25, 0.25, 0.25]
    assert tensor[0, :, 1].tolist() == [0.5, 0.0, 0.5, 0.0]
    right = one_hot(
        torch.from_numpy(encoded.codes),
        torch.from_numpy(encoded.lengths),
        alphabet=DNA,
        length=4,
        alignment="right",
    )
    assert right[0].argmax(dim=0).tolist() == [0, 1, 2, 3]  # the 3' end is kept


def test_protein_alphabet_has_twenty_channels() -> None:
    encoded = encode_strings(["MKTAYX"], PROTEIN)
    tensor = one_hot(
        torch.from_numpy(encoded.codes),
        torch.from_numpy(encoded.lengths),
        alphabet=PROTEIN,
        length=6,
    )
    assert tensor.shape == (1, 20, 6)
    assert torch.allclose(tensor[0, :, 5].sum(), torch.tensor(1.0))


def test_reverse_complement() -> None:
    encoded = encode_strings(["AACG", "TGN"], DNA)
    assert reverse_complement(encoded).decode() == ["CGTT", "NCA"]
    assert reverse_complement(reverse_complement(encoded)).decode() == ["AACG", "TGN"]


@pytest.mark.parametrize("shape", [(2, 4, 10, 1), (2, 10, 4), (2, 1, 4, 10)])
def test_one_hot_arrays_are_recognised_in_any_layout(shape: tuple[int, ...]) -> None:
    channels_first = np.zeros((2, 4, 10), dtype=np.float32)
    channels_first[0, [0, 1, 2], [3, 4, 5]] = 1  # ACG at positions 3..5
    channels_first[1, 3, [2, 4]] = 1  # T, gap, T
    array = channels_first.transpose(0, 2, 1) if shape == (2, 10, 4) else channels_first.reshape(shape)
    found = one_hot_to_codes(array)
    assert found is not None
    assert found.sequences.decode() == ["ACG", "TNT"]


def test_non_one_hot_arrays_are_not_sequences() -> None:
    assert one_hot_to_codes(np.full((2, 4, 10), 0.5)) is None
    assert one_hot_to_codes(np.ones((2, 4, 10))) is None
    assert one_hot_to_codes(np.zeros((2, 3, 10))) is None


def test_unknown_letters_read_as_n_where_n_means_any_base() -> None:
    codes = encode_strings(["ACXG", "ACGT"], DNA, column="seq", unknown_as_n=True)
    assert codes.decode() == ["ACNG", "ACGT"]
    with pytest.raises(InvalidConfig, match="no N"):
        encode_strings(["AC1"], PROTEIN, unknown_as_n=True)
