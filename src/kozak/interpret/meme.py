"""MEME-format motifs: write filter motifs, read a motif database, compare them with TomTom.

`to_meme` writes letter-probability matrices in MEME's minimal format (version 4), which the MEME
suite, memelite and JASPAR read; `parse_meme` reads one back with errors naming the line;
`compare` matches each filter motif against a database with memelite's TomTom (a Python
implementation, no MEME binaries) and keeps each filter's best matches.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kozak.errors import DataError
from kozak.interpret.filters import FilterAnalysis

MAX_DATABASE_MOTIFS = 5_000
MAX_DATABASE_BYTES = 20_000_000
_WIDTH = re.compile(r"\bw=\s*(\d+)")
_LETTERS = re.compile(r"\balength=\s*(\d+)")
_ALPHABETS = {"dna": "ACGT", "rna": "ACGU"}


def to_meme(analysis: FilterAnalysis, *, min_sites: int = 1) -> str:
    """The filters with at least `min_sites` sites as a MEME file, most influential first.

    Each motif's MOTIF line carries its name (`<layer>_f<index>`); the matrix is the
    pseudocounted probabilities, `nsites` its site count.
    """
    letters = analysis.letters
    nucleic = letters in _ALPHABETS.values()
    lines = ["MEME version 4", "", f"ALPHABET= {letters}", ""]
    if nucleic:
        lines += ["strands: + -", ""]
    uniform = " ".join(f"{letter} {1 / len(letters):.6f}" for letter in letters)
    lines += ["Background letter frequencies", uniform, ""]
    for motif in analysis.ranked():
        if motif.sites < min_sites:
            continue
        columns = np.asarray(motif.probabilities).T  # (width, letters)
        lines.append(f"MOTIF {motif.name}")
        lines.append(
            f"letter-probability matrix: alength= {len(letters)} w= {len(columns)} "
            f"nsites= {motif.sites} E= 0"
        )
        lines += [" ".join(f"{p:.6f}" for p in row) for row in columns]
        lines.append("")
    return "\n".join(lines)


def parse_meme(text: str, letters: int | None = None) -> dict[str, np.ndarray]:
    """The motifs of a MEME-format file.

    Args:
        text: The file's text.
        letters: Letters the motifs must have; default the first matrix's `alength=` (or its
            first row's width).

    Returns:
        Motif name (the rest of its MOTIF line) → (letters, width) probabilities.

    Raises:
        DataError: naming the line (from 1) of a malformed matrix, or when there is no motif.
    """
    motifs: dict[str, np.ndarray] = {}
    name: str | None = None
    rows: list[list[float]] = []
    width = 0
    header = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("MOTIF"):
            if name is not None:
                raise DataError(
                    f"line {number}: motif {name!r} ends after {len(rows)} of its {width} rows",
                    field="database",
                    line=number,
                )
            name = " ".join(line[5:].split()) or f"motif{len(motifs) + 1}"
            rows, header = [], False
            continue
        if name is None or not line or line.startswith("URL"):
            continue
        if line.startswith("letter-probability"):
            found = _WIDTH.search(line)
            if found is None:
                raise DataError(f"line {number}: a letter-probability line needs w=", line=number,
                                field="database")  # fmt: skip
            width, header = int(found.group(1)), True
            declared = _LETTERS.search(line)
            if letters is None and declared is not None:
                letters = int(declared.group(1))
            continue
        if not header:
            continue
        try:
            row = [float(value) for value in line.split()]
            letters = len(row) if letters is None else letters
        except ValueError:
            raise DataError(
                f"line {number}: expected {letters} probabilities, found {line[:60]!r}",
                field="database",
                line=number,
            ) from None
        if len(row) != letters or not all(np.isfinite(row)) or min(row) < 0:
            raise DataError(
                f"line {number}: expected {letters} non-negative probabilities, found {len(row)} values",
                field="database",
                line=number,
            )
        rows.append(row)
        if len(rows) == width:
            matrix = np.asarray(rows).T
            totals = matrix.sum(axis=0, keepdims=True)
            motifs[name] = matrix / np.where(totals > 0, totals, 1)
            name = None
            if len(motifs) > MAX_DATABASE_MOTIFS:
                raise DataError(f"the database holds over {MAX_DATABASE_MOTIFS} motifs",
                                field="database")  # fmt: skip
    if name is not None:
        raise DataError(f"motif {name!r} ends after {len(rows)} of its {width} rows", field="database")
    if not motifs:
        raise DataError("the database holds no MEME motif (a MOTIF line, then a "
                        "letter-probability matrix)", field="database")  # fmt: skip
    return motifs


class MotifMatch(BaseModel):
    """A database motif like a filter's."""

    model_config = ConfigDict(frozen=True)

    motif: str = Field(description="The database motif's name.")
    p_value: float = Field(description="TomTom's p-value of the best alignment.")
    e_value: float = Field(description="p-value × the number of database motifs.")
    offset: int = Field(description="Offset of the best alignment.")
    overlap: int = Field(description="Columns the alignment overlaps.")
    strand: str = Field(description="+ or - (the database motif reverse-complemented).")


class FilterMatches(BaseModel):
    """One filter's best database matches, best first."""

    model_config = ConfigDict(frozen=True)

    filter: str
    matches: list[MotifMatch]


class Comparison(BaseModel):
    """Each filter motif against a motif database."""

    model_config = ConfigDict(frozen=True)

    database_motifs: int
    filters: list[FilterMatches]
    note: str | None = Field(None, description="A caveat about the p-values, when there is one.")


def compare(
    analysis: FilterAnalysis,
    database: dict[str, np.ndarray],
    *,
    best: int = 3,
    min_sites: int = 1,
    names: Sequence[str] | None = None,
) -> Comparison:
    """Match filter motifs against a database with memelite's TomTom.

    Args:
        analysis: The filters.
        database: Name → (letters, width) probabilities (`parse_meme`).
        best: Matches kept per filter.
        min_sites: Filters with fewer sites are left out.
        names: Only these filters (default all with sites).

    Raises:
        DataError: The database's motifs do not have the filters' letter count.
    """
    from memelite import tomtom  # numba compiles on first use; keep it off import paths

    chosen = [
        m for m in analysis.ranked() if m.sites >= min_sites and (names is None or m.name in names)
    ]
    targets = list(database)
    letters = len(analysis.letters)
    odd = next((name for name, matrix in database.items() if matrix.shape[0] != letters), None)
    if odd is not None:
        raise DataError(
            f"database motif {odd!r} has {database[odd].shape[0]} letters; the filters have "
            f"{letters} ({analysis.letters})",
            field="database",
        )
    if not chosen:
        return Comparison(database_motifs=len(targets), filters=[])
    queries = [np.asarray(m.probabilities, dtype=np.float64) for m in chosen]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p, _, offsets, overlaps, strands, index = tomtom(
            queries, [database[t].astype(np.float64) for t in targets], n_nearest=best,
            reverse_complement=letters == 4 and analysis.letters == "ACGT",
        )  # fmt: skip
    note = str(caught[0].message) if caught else None
    filters = []
    for row, motif in enumerate(chosen):
        matches = [
            MotifMatch(
                motif=targets[int(index[row, j])],
                p_value=float(p[row, j]),
                e_value=float(p[row, j]) * len(targets),
                offset=int(offsets[row, j]),
                overlap=int(overlaps[row, j]),
                strand="-" if int(strands[row, j]) else "+",
            )
            for j in range(p.shape[1])
        ]
        filters.append(FilterMatches(filter=motif.name, matches=matches))
    return Comparison(database_motifs=len(targets), filters=filters, note=note)


__all__ = [
    "Comparison",
    "FilterMatches",
    "MotifMatch",
    "compare",
    "parse_meme",
    "to_meme",
]
