"""A simulator of the Cuperus et al. 2017 random 5'UTR growth-selection library.

Contract:
    `simulate(rows, seed)` returns a `SimulatedLibrary` whose `table` has the columns of the GEO
    file `Random_UTRs.csv` — `index`, `UTR` (50 nt, ACGT), `growth_rate`, `t0`, `t1` — sorted by
    `UTR` like the real file, plus `latent`, the noise-free ln-enrichment of every row in the same
    order: the part of each UTR's expression its sequence determines. `write_csv_gz(path)` writes
    the table like the real file (an unnamed first index column), so the same import path reads
    both. Everything is NumPy-vectorised over rows; 489,348 rows take a few seconds. The same
    `(rows, seed)` always gives the same library.

Model (constants below cite the statistic of `benchmarks.md` §7 each one was tuned to resemble):
    1. UTRs: 50 uniform random bases; the HIS3 main ATG sits right after position 50.
    2. Latent log-expression (ln-enrichment units, i.e. growth_rate units):
       * each upstream ATG (uATG) costs `UATG_OUT_OF_FRAME` or `UATG_IN_FRAME` (frame relative to
         the main ATG), scaled by its own −3 context (A/G: `UATG_STRONG_CONTEXT`, else
         `UATG_WEAK_CONTEXT`); the summed cost saturates softly at `UATG_SATURATION`;
       * a uORF (an ATG followed in frame by TAA/TAG/TGA before the UTR ends) costs `UORF_EFFECT`;
       * A/G at −3 of the main ATG (position 48, 1-based) adds `KOZAK_MINUS3_EFFECT`;
       * A fraction adds `A_FRACTION_EFFECT` per unit, GC fraction `GC_FRACTION_EFFECT` per unit
         (both centred on their random-library means);
       * a crude structure penalty `HAIRPIN_EFFECT` per reverse-complementary 6-mer pair (stem
         halves at least `HAIRPIN_MIN_LOOP` nt apart), found by comparing 2-bit k-mer hashes;
       * biological noise that no sequence model can explain, sd `BIOLOGICAL_NOISE_SD`: it moves
         each UTR's fitness in the selection below but is not part of `latent`, which is a
         function of the sequence alone.
    3. Input abundance: Gamma(shape `T0_SHAPE`, mean `T0_MEAN`) per UTR; t0 ~ Poisson(abundance),
       so t0 is negative binomial (median ≈ 42, buckets as in §7).
    4. Selection over ~6 doublings: founders ~ Poisson(`FOUNDER_FRACTION` × abundance); expected
       t1 ∝ founders × exp(latent × `SELECTION_SCALE`), renormalised to `T1_DEPTH_RATIO` × Σt0,
       sampled negative binomial (size `T1_NB_SIZE`). Using the true abundance (through a founder
       bottleneck) rather than t0 itself keeps input sampling noise in the label, as in the
       experiment, and makes shallow rows noisier than deep ones.
    5. growth_rate = ln(((t1+1)/Σ(t1+1)) / ((t0+1)/Σ(t0+1))), the label identity of §1, exactly.

`noise_ceiling(library, mask)` is the Pearson r² between latent and measured growth on a subset —
the best a model of the sequence can reach there (biological noise and read sampling are beyond
it; an isotonic fit of growth on latent scores no higher on held-out rows, so the Pearson form
loses nothing to the non-linear log link). `summary(library)` gives the §7 random-library figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

UTR_LENGTH = 50
"""Every random-library UTR is 50 nt (§1, §7)."""

# --- 5'UTR grammar (ln-enrichment units) ---------------------------------------------------------
UATG_OUT_OF_FRAME = -1.25
"""Per out-of-frame uATG. §7: out-of-frame uATG rows mean growth −0.52 vs +0.03 (native, diluted by
weak context and depth noise); the random library's larger spread (sd 1.14) warrants a larger cost."""
UATG_IN_FRAME = -0.9
"""Per in-frame uATG; milder than out-of-frame. §7: in-frame mean −0.42 vs out-of-frame −0.52."""
UATG_STRONG_CONTEXT = 1.3
"""Multiplier when a uATG has A/G at its own −3 (stronger initiation there). §7: A at −3 +0.083 vs
−0.162 for the main ATG, i.e. context matters by ≈ 0.25."""
UATG_WEAK_CONTEXT = 0.7
"""Multiplier for a uATG in weak (C/T at −3) context; see `UATG_STRONG_CONTEXT`."""
UATG_SATURATION = 2.5
"""Soft cap on the summed uATG cost (tanh): a second uATG hurts less. §7: 425 rows with ≥ 2 uATGs
do not sit twice as low as the 1,397 with one (overall Δ −0.50 to −0.54)."""
UORF_EFFECT = -0.35
"""A uATG with an in-frame stop inside the UTR. §7: uORF rows (7.3 %) mean growth −0.50."""
KOZAK_MINUS3_EFFECT = 0.3
"""A/G at −3 of the main ATG. §7: A at −3 mean growth +0.083 vs −0.162 without (Δ ≈ 0.25)."""
A_FRACTION_EFFECT = 4.0
"""Per unit A fraction (centred at 0.25). §7: A fraction Spearman ρ = +0.44."""
GC_FRACTION_EFFECT = -3.5
"""Per unit GC fraction (centred at 0.5). §7: GC Spearman ρ = −0.31 overall, −0.27 on t0 > 100;
monotone fall across GC quintiles +0.13 … −0.25."""
HAIRPIN_K = 6
"""Stem length of the crude structure feature."""
HAIRPIN_MIN_LOOP = 3
"""Minimum loop between the two stem halves."""
HAIRPIN_EFFECT = -0.35
"""Per reverse-complementary 6-mer pair. §7 has no structure statistic; the paper (and the
length/GC trends of §7) motivates a modest penalty for stable secondary structure."""
BIOLOGICAL_NOISE_SD = 0.25
"""Per-UTR noise outside the grammar. Tuned, with the grammar's effect sizes, so growth sd ≈ 1.02
on t0 ≥ 101 (§7 random library) with a noise ceiling (0.72 on the top-5 % test set) above the
paper's test r² 0.62 — the real library's sequence-explained share is at least what the CNN
reached on it."""

# --- read counts --------------------------------------------------------------------------------
T0_SHAPE = 2.36
"""Gamma shape of input abundance; fitted to §7's t0 buckets (< 10 … ≥ 101) by least squares."""
T0_MEAN = 48.5
"""Mean input abundance; with `T0_SHAPE` gives median t0 = 42 at 489,348 rows (§7: median 42)."""
SELECTION_SCALE = 1.0
"""ln-enrichment per unit latent over the ~6 doublings of selection (latent is already in growth
units, so the scale is 1)."""
T1_DEPTH_RATIO = float(np.exp(-0.08469))
"""Σt1 / Σt0. §1: the random library's offset c = ln(Σ(t0+1)/Σ(t1+1)) = 0.08469."""
FOUNDER_FRACTION = 0.12
"""Founding cells per input read: selection starts from a Poisson(`FOUNDER_FRACTION` × abundance)
bottleneck, so shallow rows are noisier. Tuned to §7's depth-dependent sd (1.14 overall against
1.02 for t0 ≥ 101; native sd 0.81 at t0 1–10 falling to 0.37 above 1000)."""
T1_NB_SIZE = 8.0
"""Negative-binomial size of t1 (PCR and growth jackpotting): adds ≈ 1/8 to ln-count variance;
tuned with `BIOLOGICAL_NOISE_SD` to the §7 sds (1.14 overall, 1.02 for t0 ≥ 101)."""

T0_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("<10", 0, 10),
    ("10-29", 10, 30),
    ("30-59", 30, 60),
    ("60-100", 60, 101),
    (">=101", 101, None),
)
"""t0 buckets of §7 as (name, low inclusive, high exclusive or None)."""

_A, _C, _G, _T = 0, 1, 2, 3
_LETTERS = np.frombuffer(b"ACGT", dtype=np.uint8)


@dataclass(frozen=True)
class SimulatedLibrary:
    """A simulated random library.

    Attributes:
        table: Columns `index`, `UTR`, `growth_rate`, `t0`, `t1`, sorted by `UTR` like the GEO file.
        latent: The sequence-determined ln-enrichment of each row of `table` (same order),
            float64; the biological noise of the selection is not in it.
        seed: The seed it was simulated with.
    """

    table: pd.DataFrame
    latent: np.ndarray
    seed: int

    def write_csv_gz(self, path: str | Path) -> Path:
        """Write the table like `Random_UTRs.csv.gz`: comma-separated, unnamed first index column.

        Args:
            path: Target file; gzip-compressed.

        Returns:
            The path written.
        """
        path = Path(path)
        frame = self.table.set_index("index")
        frame.index.name = None
        frame.to_csv(path, compression="gzip", float_format="%.9g")
        return path


def _codes(rows: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 4, size=(rows, UTR_LENGTH), dtype=np.uint8)


def random_utrs(rows: int, seed: int = 0) -> np.ndarray:
    """`rows` UTRs of uniformly random letters, as codes 0-3 (A, C, G, T), `UTR_LENGTH` each."""
    return _codes(rows, np.random.default_rng(seed))


def utr_strings(codes: np.ndarray) -> list[str]:
    """Rows of codes 0-3 as strings of A, C, G and T."""
    return _LETTERS[codes].view(f"S{codes.shape[1]}").ravel().astype(str).tolist()


def grammar_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """`rows` random UTRs (`seq`) with the grammar's noise-free value (`latent`): a library
    whose every effect is known, for checking what interpretation recovers."""
    codes = random_utrs(rows, seed)
    return pd.DataFrame({"seq": utr_strings(codes), "latent": grammar_latent(codes)})


def _uatg_features(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row uATG cost (before saturation), in-/out-of-frame flags and uORF flag."""
    n = UTR_LENGTH
    a, t, g = codes[:, : n - 2] == _A, codes[:, 1 : n - 1] == _T, codes[:, 2:] == _G
    atg = a & t & g  # (rows, 48): ATG starting at 0-based position p
    positions = np.arange(n - 2)
    in_frame = (n - positions) % 3 == 0  # main ATG starts at 0-based position 50
    purine_m3 = np.zeros_like(atg)
    purine_m3[:, 3:] = (codes[:, : n - 5] == _A) | (codes[:, : n - 5] == _G)
    context = np.where(purine_m3, UATG_STRONG_CONTEXT, UATG_WEAK_CONTEXT)
    per_site = np.where(in_frame, UATG_IN_FRAME, UATG_OUT_OF_FRAME) * context
    cost = (atg * per_site).sum(axis=1)
    # stop codon starting at q (needs q + 2 <= 49)
    c0, c1, c2 = codes[:, : n - 2], codes[:, 1 : n - 1], codes[:, 2:]
    stop = (c0 == _T) & (((c1 == _A) & ((c2 == _A) | (c2 == _G))) | ((c1 == _G) & (c2 == _A)))
    # stop_after[:, p]: a stop at some q > p with q ≡ p (mod 3)
    stop_after = np.zeros_like(stop)
    for frame in range(3):
        in_this = stop[:, frame::3]
        later = np.flip(np.cumsum(np.flip(in_this, axis=1), axis=1), axis=1) > 0
        shifted = np.zeros_like(later)
        shifted[:, :-1] = later[:, 1:]
        stop_after[:, frame::3] = shifted
    uorf = (atg & stop_after).any(axis=1)
    has_in = (atg & in_frame).any(axis=1)
    has_out = (atg & ~in_frame).any(axis=1)
    return cost, np.stack([has_in, has_out], axis=1), uorf


def _kmer_hashes(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """2-bit hashes of every k-mer and of its reverse complement, shape (rows, n - k + 1)."""
    windows = UTR_LENGTH - k + 1
    forward = np.zeros((codes.shape[0], windows), dtype=np.int32)
    reverse = np.zeros_like(forward)
    for offset in range(k):
        forward = forward * 4 + codes[:, offset : offset + windows]
        reverse = reverse * 4 + (3 - codes[:, k - 1 - offset : k - 1 - offset + windows])
    return forward, reverse


def hairpin_pairs(codes: np.ndarray) -> np.ndarray:
    """Count reverse-complementary k-mer pairs (potential stems) per row.

    Args:
        codes: (rows, 50) uint8 codes, A=0 C=1 G=2 T=3.

    Returns:
        int array (rows,): pairs (i, j) with j ≥ i + k + `HAIRPIN_MIN_LOOP` where the k-mer at j is
        the reverse complement of the k-mer at i.
    """
    forward, reverse = _kmer_hashes(codes, HAIRPIN_K)
    windows = forward.shape[1]
    count = np.zeros(codes.shape[0], dtype=np.int32)
    for gap in range(HAIRPIN_K + HAIRPIN_MIN_LOOP, windows):
        count += (reverse[:, : windows - gap] == forward[:, gap:]).sum(axis=1, dtype=np.int32)
    return count


def grammar_latent(codes: np.ndarray) -> np.ndarray:
    """The deterministic (noise-free) part of the latent log-expression.

    Args:
        codes: (rows, 50) uint8 codes, A=0 C=1 G=2 T=3.

    Returns:
        float64 (rows,) in ln-enrichment units.
    """
    cost, _, uorf = _uatg_features(codes)
    uatg = UATG_SATURATION * np.tanh(cost / UATG_SATURATION)
    kozak = np.isin(codes[:, UTR_LENGTH - 3], (_A, _G)) * KOZAK_MINUS3_EFFECT
    a_frac = (codes == _A).mean(axis=1)
    gc_frac = ((codes == _C) | (codes == _G)).mean(axis=1)
    return (
        uatg
        + uorf * UORF_EFFECT
        + kozak
        + A_FRACTION_EFFECT * (a_frac - 0.25)
        + GC_FRACTION_EFFECT * (gc_frac - 0.5)
        + HAIRPIN_EFFECT * hairpin_pairs(codes)
    )


def _sort_by_utr(codes: np.ndarray) -> np.ndarray:
    """Row order sorting UTRs alphabetically (packs 25 bases into each of two uint64 keys)."""
    weights = 4 ** np.arange(24, -1, -1, dtype=np.uint64)
    half = UTR_LENGTH // 2
    high = codes[:, :half].astype(np.uint64) @ weights
    low = codes[:, half:].astype(np.uint64) @ weights
    return np.lexsort((low, high))


def growth_rate(t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    """The label identity: ln(((t1+1)/Σ(t1+1)) / ((t0+1)/Σ(t0+1))).

    Args:
        t0: Input read counts.
        t1: Post-selection read counts.

    Returns:
        float64 growth rates.
    """
    p0 = t0.astype(np.float64) + 1.0
    p1 = t1.astype(np.float64) + 1.0
    return np.log(p1 / p1.sum()) - np.log(p0 / p0.sum())


def simulate(rows: int, seed: int = 0) -> SimulatedLibrary:
    """Simulate the random-library growth selection.

    Args:
        rows: Number of UTRs (the real library has 489,348).
        seed: Seed of the NumPy generator; equal seeds give equal libraries.

    Returns:
        The simulated library, sorted by UTR, with its latent values.

    Raises:
        ValueError: If `rows` is not positive.
    """
    if rows <= 0:
        raise ValueError(f"rows must be positive, got {rows}")
    rng = np.random.default_rng(seed)
    codes = _codes(rows, rng)
    codes = codes[_sort_by_utr(codes)]
    latent = grammar_latent(codes)
    fitness = latent + rng.normal(0.0, BIOLOGICAL_NOISE_SD, rows)
    abundance = rng.gamma(T0_SHAPE, T0_MEAN / T0_SHAPE, rows)
    t0 = rng.poisson(abundance)
    founders = rng.poisson(abundance * FOUNDER_FRACTION)
    weight = founders * np.exp(fitness * SELECTION_SCALE)
    mean_t1 = weight / weight.sum() * (T1_DEPTH_RATIO * t0.sum())
    # NB(size r, mean m) as Gamma–Poisson
    t1 = rng.poisson(rng.gamma(T1_NB_SIZE, mean_t1 / T1_NB_SIZE))
    table = pd.DataFrame(
        {
            "index": np.arange(rows, dtype=np.int64),
            "UTR": pd.Series(utr_strings(codes), dtype=object),
            "growth_rate": growth_rate(t0, t1),
            "t0": t0.astype(np.int64),
            "t1": t1.astype(np.int64),
        }
    )
    return SimulatedLibrary(table=table, latent=latent, seed=seed)


def noise_ceiling(library: SimulatedLibrary, mask: np.ndarray | None = None) -> float:
    """Pearson r² between the latent value and the measured growth_rate — what a sequence model can
    reach at best.

    Args:
        library: A simulated library.
        mask: Boolean row mask (e.g. the top 5 % by t0); all rows when None.

    Returns:
        The squared Pearson correlation on the selected rows.
    """
    growth = library.table["growth_rate"].to_numpy()
    latent = library.latent
    if mask is not None:
        growth, latent = growth[mask], latent[mask]
    return float(np.corrcoef(latent, growth)[0, 1] ** 2)


def has_uatg(utrs: pd.Series) -> np.ndarray:
    """Whether each UTR contains an ATG (a uATG relative to the main ATG).

    Args:
        utrs: UTR strings.

    Returns:
        Boolean array.
    """
    return utrs.str.contains("ATG", regex=False).to_numpy(dtype=bool)


def summary(library: SimulatedLibrary) -> dict[str, Any]:
    """The §7 random-library figures plus uATG and GC statistics.

    Args:
        library: A simulated library.

    Returns:
        A dict: rows, median_t0, t0_buckets (name → count), growth_sd, growth_sd_t0_ge_101,
        uatg_share, mean_growth_with_uatg, mean_growth_without_uatg, gc_growth_spearman.
    """
    table = library.table
    t0 = table["t0"].to_numpy()
    growth = table["growth_rate"]
    buckets = {
        name: int(((t0 >= low) & (t0 < (high if high is not None else np.inf))).sum())
        for name, low, high in T0_BUCKETS
    }
    uatg = has_uatg(table["UTR"])
    utrs = table["UTR"]
    gc = (utrs.str.count("G") + utrs.str.count("C")) / UTR_LENGTH
    return {
        "rows": len(table),
        "median_t0": float(np.median(t0)),
        "t0_buckets": buckets,
        "growth_sd": float(growth.std()),
        "growth_sd_t0_ge_101": float(growth[t0 >= 101].std()),
        "uatg_share": float(uatg.mean()),
        "mean_growth_with_uatg": float(growth[uatg].mean()),
        "mean_growth_without_uatg": float(growth[~uatg].mean()),
        "gc_growth_spearman": float(gc.corr(growth, method="spearman")),
    }


__all__ = [
    "SimulatedLibrary",
    "grammar_latent",
    "growth_rate",
    "hairpin_pairs",
    "has_uatg",
    "noise_ceiling",
    "simulate",
    "summary",
]
