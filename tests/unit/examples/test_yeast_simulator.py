"""Tests of the random-library simulator (kozak.examples.yeast_simulator)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kozak.examples.yeast_simulator import (
    SimulatedLibrary,
    grammar_latent,
    growth_rate,
    hairpin_pairs,
    noise_ceiling,
    simulate,
    summary,
)

ROWS = 50_000


@pytest.fixture(scope="module")
def library() -> SimulatedLibrary:
    return simulate(ROWS, seed=7)


def _top_and_bottom(t0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(t0, kind="stable")
    top = np.zeros(len(t0), dtype=bool)
    top[order[int(0.95 * len(t0)) :]] = True
    bottom = np.zeros(len(t0), dtype=bool)
    bottom[order[: len(t0) // 2]] = True
    return top, bottom


def test_columns_dtypes_and_sequences(library: SimulatedLibrary) -> None:
    table = library.table
    assert list(table.columns) == ["index", "UTR", "growth_rate", "t0", "t1"]
    assert len(table) == ROWS and library.latent.shape == (ROWS,)
    assert table["index"].tolist() == list(range(ROWS))
    assert table["growth_rate"].dtype == np.float64
    assert table["t0"].dtype == np.int64 and table["t1"].dtype == np.int64
    assert (table["t0"] >= 0).all() and (table["t1"] >= 0).all()
    utrs = table["UTR"]
    assert utrs.str.len().eq(50).all()
    assert utrs.str.fullmatch("[ACGT]{50}").all()
    assert utrs.is_monotonic_increasing  # sorted like the GEO file


def test_label_identity_holds(library: SimulatedLibrary) -> None:
    table = library.table
    t0 = table["t0"].to_numpy() + 1.0
    t1 = table["t1"].to_numpy() + 1.0
    expected = np.log((t1 / t1.sum()) / (t0 / t0.sum()))
    assert np.abs(table["growth_rate"].to_numpy() - expected).max() < 1e-9


def test_growth_rate_matches_a_printed_row() -> None:
    # §1: −1.237065 = ln(4/15) + c for t0 14, t1 3; the offset depends only on the sums.
    t0 = np.array([14, 100, 0])
    t1 = np.array([3, 120, 5])
    offset = np.log((t0 + 1).sum() / (t1 + 1).sum())
    assert growth_rate(t0, t1)[0] == pytest.approx(np.log(4 / 15) + offset, abs=1e-12)


def test_seeded_determinism() -> None:
    first, second, other = simulate(2_000, seed=3), simulate(2_000, seed=3), simulate(2_000, seed=4)
    pd.testing.assert_frame_equal(first.table, second.table)
    np.testing.assert_array_equal(first.latent, second.latent)
    assert not first.table["UTR"].equals(other.table["UTR"])


def test_rejects_non_positive_rows() -> None:
    with pytest.raises(ValueError):
        simulate(0)


def test_read_count_and_growth_statistics(library: SimulatedLibrary) -> None:
    figures = summary(library)
    assert 34 <= figures["median_t0"] <= 50
    assert sum(figures["t0_buckets"].values()) == ROWS
    assert 0.8 <= figures["growth_sd"] <= 1.5
    assert 0.8 <= figures["growth_sd_t0_ge_101"] <= 1.5
    assert 0.4 < figures["uatg_share"] < 0.65


def test_uatg_lowers_growth(library: SimulatedLibrary) -> None:
    figures = summary(library)
    assert figures["mean_growth_with_uatg"] - figures["mean_growth_without_uatg"] < -0.2


def test_gc_correlates_negatively(library: SimulatedLibrary) -> None:
    assert summary(library)["gc_growth_spearman"] < -0.05


def test_kozak_minus3_purine_helps(library: SimulatedLibrary) -> None:
    purine = library.table["UTR"].str[47].isin(["A", "G"]).to_numpy()
    assert library.latent[purine].mean() > library.latent[~purine].mean()


def test_noise_ceiling_is_higher_on_deep_reads(library: SimulatedLibrary) -> None:
    top, bottom = _top_and_bottom(library.table["t0"].to_numpy())
    top_ceiling, bottom_ceiling = noise_ceiling(library, top), noise_ceiling(library, bottom)
    assert 0.5 < top_ceiling < 0.98
    assert top_ceiling > bottom_ceiling
    assert 0.0 < noise_ceiling(library) < 1.0


def test_latent_is_what_the_sequence_determines(library: SimulatedLibrary) -> None:
    # The ceiling must be reachable by a sequence model: biological noise stays out of `latent`.
    letters = np.frombuffer("".join(library.table["UTR"]).encode(), dtype=np.uint8).reshape(-1, 50)
    codes = np.searchsorted(np.frombuffer(b"ACGT", dtype=np.uint8), letters).astype(np.uint8)
    np.testing.assert_allclose(library.latent, grammar_latent(codes))
    growth = library.table["growth_rate"].to_numpy()
    assert np.corrcoef(library.latent, growth)[0, 1] ** 2 < 0.9  # the label is far noisier


def test_hairpin_pairs_counts_a_planted_stem() -> None:
    codes = np.zeros((2, 50), dtype=np.uint8)  # poly-A: no stems
    stem = np.array([2, 2, 2, 1, 1, 1], dtype=np.uint8)  # GGGCCC is its own reverse complement
    codes[1, 0:6] = stem
    codes[1, 20:26] = stem
    counts = hairpin_pairs(codes)
    assert counts[0] == 0 and counts[1] >= 1


def test_write_csv_gz_reads_back_like_the_geo_file(library: SimulatedLibrary, tmp_path: Path) -> None:
    small = SimulatedLibrary(library.table.head(100).copy(), library.latent[:100], library.seed)
    path = small.write_csv_gz(tmp_path / "random.csv.gz")
    with gzip.open(path, "rt") as handle:
        assert handle.readline().strip() == ",UTR,growth_rate,t0,t1"
    back = pd.read_csv(path, index_col=0)
    assert list(back.columns) == ["UTR", "growth_rate", "t0", "t1"]
    np.testing.assert_allclose(back["growth_rate"], small.table["growth_rate"], rtol=1e-8)
    assert back["t0"].tolist() == small.table["t0"].tolist()
