"""Alphabets, validation, uint8 codes, one-hot encoding with alignment, reverse complement.

Sequences are stored as uint8 codes in a (N, max_length) matrix padded with `PAD`, plus their
lengths. DNA/RNA: A=0 C=1 G=2 T/U=3, N=4, other IUPAC codes 5..14 (marked, encoded as the
average of the bases they stand for). One-hot tensors are made on the device, in batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, TypeVar

import numpy as np
import pyarrow as pa
import torch

from kozak.errors import DataError, InvalidConfig

PAD = 255
INVALID = 254
Alignment = Literal["left", "center", "right"]
Lengths = TypeVar("Lengths", np.ndarray, torch.Tensor)


@dataclass(frozen=True)
class Alphabet:
    """An alphabet: canonical letters (one channel each) plus marked ambiguity letters.

    `ambiguity` maps an extra letter to the canonical letters it may stand for; its one-hot row
    is the average of theirs. `aliases` map letters to another letter's code (U → T).
    """

    name: str
    letters: str
    ambiguity: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    complement: dict[str, str] = field(default_factory=dict)

    @property
    def channels(self) -> int:
        """One-hot channels: one per canonical letter."""
        return len(self.letters)

    @property
    def symbols(self) -> str:
        """Canonical letters then ambiguity letters, in code order."""
        return self.letters + "".join(self.ambiguity)

    @property
    def has_any_letter(self) -> bool:
        """Whether N stands for any letter (DNA, RNA; in protein N is asparagine)."""
        return self.ambiguity.get("N") == self.letters

    def lookup_table(self) -> np.ndarray:
        """uint8[256]: byte → code, `INVALID` for bytes outside the alphabet (case-insensitive).

        Built once per alphabet and shared: callers index it, never write to it.
        """
        return self._lookup

    def one_hot_table(self) -> np.ndarray:
        """float32[256, channels]: code → one-hot row (ambiguity codes averaged, PAD all zero).

        Built once per alphabet and shared: callers index it, never write to it.
        """
        return self._one_hot

    # Cached because every encoded batch (a single served request too) reads them.
    @cached_property
    def _lookup(self) -> np.ndarray:
        table = np.full(256, INVALID, dtype=np.uint8)
        for code, letter in enumerate(self.symbols):
            table[ord(letter.upper())] = table[ord(letter.lower())] = code
        for alias, target in self.aliases.items():
            table[ord(alias.upper())] = table[ord(alias.lower())] = self.symbols.index(target)
        return table

    @cached_property
    def _one_hot(self) -> np.ndarray:
        table = np.zeros((256, self.channels), dtype=np.float32)
        table[: self.channels] = np.eye(self.channels, dtype=np.float32)
        for offset, bases in enumerate(self.ambiguity.values()):
            for base in bases:
                table[self.channels + offset, self.letters.index(base)] = 1.0 / len(bases)
        return table

    def complement_codes(self) -> np.ndarray:
        """uint8[256]: code → code of the complementary letter (`PAD` stays `PAD`)."""
        if not self.complement:
            raise InvalidConfig(f"the {self.name} alphabet has no complement", alphabet=self.name)
        table = np.arange(256, dtype=np.uint8)
        for letter, other in self.complement.items():
            table[self.symbols.index(letter)] = self.symbols.index(other)
        return table


_IUPAC = {
    "N": "ACGT",
    "R": "AG",
    "Y": "CT",
    "S": "CG",
    "W": "AT",
    "K": "GT",
    "M": "AC",
    "B": "CGT",
    "D": "AGT",
    "H": "ACT",
    "V": "ACG",
}
_DNA_COMPLEMENT = {
    "A": "T",
    "C": "G",
    "G": "C",
    "T": "A",
    "N": "N",
    "R": "Y",
    "Y": "R",
    "S": "S",
    "W": "W",
    "K": "M",
    "M": "K",
    "B": "V",
    "D": "H",
    "H": "D",
    "V": "B",
}

DNA = Alphabet("dna", "ACGT", _IUPAC, {"U": "T"}, _DNA_COMPLEMENT)
RNA = Alphabet(
    "rna",
    "ACGU",
    {k: v.replace("T", "U") for k, v in _IUPAC.items()},
    {"T": "U"},
    {k.replace("T", "U"): v.replace("T", "U") for k, v in _DNA_COMPLEMENT.items()},
)
PROTEIN = Alphabet(
    "protein",
    "ACDEFGHIKLMNPQRSTVWY",
    {"X": "ACDEFGHIKLMNPQRSTVWY", "B": "DN", "Z": "EQ", "J": "IL", "U": "C", "O": "K"},
)
ALPHABETS: dict[str, Alphabet] = {a.name: a for a in (DNA, RNA, PROTEIN)}


def get_alphabet(name: str) -> Alphabet:
    """The alphabet called `name` (dna, rna, protein)."""
    try:
        return ALPHABETS[name]
    except KeyError:
        raise InvalidConfig(
            f"unknown alphabet {name!r}; valid: {', '.join(ALPHABETS)}", alphabet=name
        ) from None


@dataclass(frozen=True)
class EncodedSequences:
    """Sequences as codes: `codes` (N, max_length) uint8 padded with PAD, `lengths` (N,) int32."""

    codes: np.ndarray
    lengths: np.ndarray
    alphabet: str

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    @property
    def max_length(self) -> int:
        """Length of the longest sequence."""
        return int(self.codes.shape[1])

    def take(self, rows: np.ndarray) -> EncodedSequences:
        """The sequences at `rows` (indices or boolean mask)."""
        return EncodedSequences(self.codes[rows], self.lengths[rows], self.alphabet)

    def decode(self) -> list[str]:
        """Back to strings (canonical upper-case letters)."""
        symbols = np.frombuffer(get_alphabet(self.alphabet).symbols.encode(), dtype=np.uint8)
        lut = np.zeros(256, dtype=np.uint8)
        lut[: len(symbols)] = symbols
        text = lut[self.codes]
        return [
            row[:n].tobytes().decode("ascii") for row, n in zip(text, self.lengths.tolist(), strict=True)
        ]


def string_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets (N+1,) int64 relative to data, data bytes uint8) of an Arrow string array."""
    offset_type: type[np.signedinteger[Any]]
    if pa.types.is_string(values.type):
        offset_type = np.int32
    elif pa.types.is_large_string(values.type):
        offset_type = np.int64
    else:
        raise InvalidConfig(f"expected a string array, got {values.type}")
    _, offsets_buf, data_buf = values.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[
        values.offset : values.offset + len(values) + 1
    ].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    return offsets, data


def encode_strings(
    values: pa.Array | list[str],
    alphabet: Alphabet,
    *,
    column: str = "",
    file: str = "",
    unknown_as_n: bool = False,
) -> EncodedSequences:
    """Validate and encode strings to codes, with no per-row Python work.

    Args:
        values: The sequences as text.
        alphabet: Their alphabet.
        column: The column's name, for errors.
        file: The file it was read from, for errors.
        unknown_as_n: Read letters outside the alphabet as N (any base) instead of refusing
            them; only for alphabets with N (DNA, RNA).

    Raises:
        DataError: naming the row (counted from 1), the position and the character for the
            first letter outside the alphabet, or the row of the first missing or empty sequence.
    """
    array = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.null_count:
        row = int(np.flatnonzero(array.is_null().to_numpy(zero_copy_only=False))[0]) + 1
        raise DataError(
            f"missing sequence in column {column!r} at row {row}",
            file=file,
            column=column,
            row=row,
        )
    offsets, data = string_buffers(array)
    lengths = np.diff(offsets)
    if len(lengths) and lengths.min() == 0:
        row = int(np.argmin(lengths)) + 1
        raise DataError(
            f"empty sequence in column {column!r} at row {row}", file=file, column=column, row=row
        )
    flat = alphabet.lookup_table()[data[offsets[0] : offsets[-1]]]
    bad = np.flatnonzero(flat == INVALID)
    if bad.size and unknown_as_n:
        if not alphabet.has_any_letter:
            raise InvalidConfig(f"a {alphabet.name} sequence has no N to read unknown letters as")
        flat[bad] = alphabet.symbols.index("N")  # `flat` is a fresh array, not the shared table
    elif bad.size:
        at = int(bad[0]) + int(offsets[0])
        row = int(np.searchsorted(offsets, at, side="right") - 1)
        position = at - int(offsets[row])
        char = chr(int(data[at]))
        raise DataError(
            f"unexpected character {char!r} at position {position + 1} of the sequence in "
            f"column {column!r}, row {row + 1}; a {alphabet.name} sequence may only hold "
            f"{alphabet.symbols} (and their lower-case forms)",
            file=file,
            column=column,
            row=row + 1,
            position=position + 1,
            character=char,
        )
    n = len(lengths)
    max_len = int(lengths.max()) if n else 0
    if n and lengths.min() == max_len:
        codes = flat.reshape(n, max_len)
    else:
        columns = np.arange(max_len, dtype=np.int64)
        index = (offsets[:-1, None] - offsets[0]) + columns
        inside = columns < lengths[:, None]
        codes = np.where(inside, flat[np.minimum(index, max(len(flat) - 1, 0))], PAD)
    return EncodedSequences(
        np.ascontiguousarray(codes, dtype=np.uint8), lengths.astype(np.int32), alphabet.name
    )


def alignment_offsets(lengths: Lengths, length: int, alignment: Alignment) -> Lengths:
    """Where each sequence starts in a window of `length` positions (negative = cut on the left).

    Works on NumPy arrays and torch tensors alike. Centering follows the authors' training code,
    `round((W - len) / 2)` with halves rounded up.
    """
    if alignment == "left":
        return lengths * 0
    if alignment == "right":
        return length - lengths
    if alignment == "center":
        return (length - lengths + 1) // 2
    raise InvalidConfig(f"unknown alignment {alignment!r}; valid: left, center, right")


def one_hot(
    codes: torch.Tensor,
    lengths: torch.Tensor,
    *,
    alphabet: Alphabet,
    length: int,
    alignment: Alignment = "left",
    padding: int = 0,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """One-hot encode a batch of codes on whatever device they are on.

    Args:
        codes: (N, max_length) uint8 codes padded with PAD.
        lengths: (N,) sequence lengths.
        alphabet: gives the channel count and the rows for ambiguity codes.
        length: positions a sequence may occupy; longer sequences are cut to fit their alignment.
        alignment: where each sequence sits within those positions; the rest is zero padding.
        padding: all-zero positions added on each side (the paper: 10, making 50 nt into 70).
        dtype: of the result, e.g. the compute precision (bfloat16 holds 0 and 1 exactly).

    Returns:
        (N, channels, length + 2 * padding) in `dtype`.
    """
    table = torch.from_numpy(alphabet.one_hot_table()).to(codes.device, dtype)
    lengths = lengths.to(device=codes.device, dtype=torch.long)
    start = alignment_offsets(lengths, length, alignment) + padding  # (N,)
    positions = torch.arange(length + 2 * padding, device=codes.device)  # (W,)
    source = positions[None, :] - start[:, None]  # (N, W): index into each sequence
    in_area = (positions >= padding) & (positions < padding + length)  # cut what overflows
    inside = (source >= 0) & (source < lengths[:, None]) & in_area[None, :]
    source = source.clamp(0, max(codes.shape[1] - 1, 0))
    window = torch.gather(codes.long(), 1, source) if codes.shape[1] else source * 0 + PAD
    window = torch.where(inside, window, torch.full_like(window, PAD))
    return table[window].permute(0, 2, 1).contiguous()  # (N, C, length)


def reverse_complement(encoded: EncodedSequences) -> EncodedSequences:
    """Reverse complement every sequence (codes stay left-aligned and padded)."""
    complement = get_alphabet(encoded.alphabet).complement_codes()
    lengths = encoded.lengths.astype(np.int64)
    columns = np.arange(encoded.max_length)
    source = lengths[:, None] - 1 - columns  # position read for each output position
    inside = source >= 0
    gathered = np.take_along_axis(encoded.codes, np.clip(source, 0, None), axis=1)
    codes = np.where(inside, complement[gathered], PAD).astype(np.uint8)
    return EncodedSequences(codes, encoded.lengths.copy(), encoded.alphabet)


@dataclass(frozen=True)
class OneHotImport:
    """A recognised one-hot array: its sequences, layout, window and where each one starts."""

    sequences: EncodedSequences
    layout: str
    window: int
    starts: np.ndarray

    def encoding(self) -> tuple[Alignment, int, int]:
        """(alignment, length, padding) that reproduce the imported window exactly.

        Sequences that all end in one column are right-aligned, all starting in one column
        left-aligned; the untouched columns on the short side become padding on both sides.
        """
        ends = self.starts + self.sequences.lengths
        longest = self.sequences.max_length
        for alignment, edge in (("right", self.window - ends), ("left", self.starts)):
            if len(np.unique(edge)) == 1:
                padding = int(edge[0])
                if self.window - 2 * padding >= longest:
                    return alignment, self.window - 2 * padding, padding  # type: ignore[return-value]
        return "center", self.window, 0


def one_hot_to_codes(array: np.ndarray) -> OneHotImport | None:
    """Recognise a one-hot DNA array and turn it into codes; None when it is not one.

    Accepts (N, 4, L), (N, L, 4) and either with singleton axes, e.g. the tutorial's
    (N, 4, 70, 1). All-zero positions at the ends are padding; inside a sequence they become N.

    Returns:
        The sequences, the layout found ("channels_first" or "channels_last"), the window
        width and each sequence's first column.
    """
    squeezed = array.reshape(array.shape[0], *[d for d in array.shape[1:] if d != 1])
    if squeezed.ndim != 3 or 4 not in squeezed.shape[1:]:
        return None
    layout = "channels_first" if squeezed.shape[1] == 4 else "channels_last"
    onehot = squeezed if layout == "channels_first" else squeezed.transpose(0, 2, 1)
    if squeezed.size and not np.isin(squeezed, (0, 1)).all():
        return None
    per_position = onehot.sum(axis=1)  # (N, L)
    if (per_position > 1).any():
        return None
    present = per_position == 1
    if not present.any(axis=1).all():
        return None
    length = present.shape[1]
    first = present.argmax(axis=1)
    last = length - 1 - present[:, ::-1].argmax(axis=1)
    lengths = (last - first + 1).astype(np.int32)
    base = np.where(present, onehot.argmax(axis=1), 4).astype(np.uint8)  # gaps inside → N
    columns = np.arange(int(lengths.max()))
    source = np.minimum(first[:, None] + columns, length - 1)
    codes = np.where(columns < lengths[:, None], np.take_along_axis(base, source, 1), PAD)
    sequences = EncodedSequences(codes.astype(np.uint8), lengths, "dna")
    return OneHotImport(sequences, layout, length, first.astype(np.int64))
