"""Static figures of per-model interpretation: motif logos (logomaker) and the motif-effect plot.

Figures are matplotlib `Figure`s built without pyplot (no global backend is chosen, so a
notebook's stays as it is); `save` writes one as PNG or SVG by the file's suffix, `svg` returns
SVG text for the HTML report. Logos are drawn in bits (information content), letters by
logomaker, never by hand.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kozak.errors import InvalidConfig
from kozak.interpret.filters import FilterAnalysis, FilterMotif
from kozak.interpret.motif_effects import EffectTable, MotifEffects

FRAME_COLOURS = {0: "#1b7837", 1: "#c51b7d", 2: "#e08214"}  # in frame green; out of frame warm
NUCLEOTIDE_COLOURS = {"A": "#109648", "C": "#255c99", "G": "#f7b32b", "T": "#d62839", "U": "#d62839"}


def information_matrix(probabilities: Sequence[Sequence[float]], letters: str) -> pd.DataFrame:
    """Positions × letters heights in bits: each probability times its column's information."""
    p = np.asarray(probabilities, dtype=np.float64).T  # (width, letters)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=1, keepdims=True)
    return pd.DataFrame(p * (np.log2(len(letters)) - entropy), columns=list(letters))


def filter_logos(analysis: FilterAnalysis, count: int = 12, columns: int = 3) -> Figure:
    """The `count` most influential filters with sites as logos, one panel each."""
    motifs = [m for m in analysis.ranked() if m.sites > 0][:count]
    rows = max(1, -(-len(motifs) // columns))
    figure = Figure(figsize=(3.4 * columns, 1.6 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax, motif in zip(axes, motifs, strict=False):
        _logo(ax, motif, analysis.letters)
        influence = "" if motif.influence is None else f" · Δ {motif.influence:+.3g}"
        ax.set_title(f"{motif.name}{influence} · {motif.sites} sites", fontsize=8)
    for ax in axes[len(motifs) :]:
        ax.axis("off")
    if not motifs:
        axes[0].text(0.5, 0.5, "no filter fired on the sample", ha="center", va="center")
    figure.supylabel("bits", fontsize=8)
    return figure


def motif_logo(motif: FilterMotif, letters: str) -> Figure:
    """One filter's logo, small and untitled (the UI's table names it)."""
    figure = Figure(figsize=(0.28 * len(motif.information) + 0.5, 0.9), layout="constrained")
    _logo(figure.subplots(), motif, letters)
    return figure


def _logo(ax: Axes, motif: FilterMotif, letters: str) -> None:
    import logomaker  # matplotlib's fonts load on first use; keep them off import paths

    colours = NUCLEOTIDE_COLOURS if set(letters) <= set(NUCLEOTIDE_COLOURS) else "weblogo_protein"
    logomaker.Logo(information_matrix(motif.probabilities, letters), ax=ax, color_scheme=colours)
    ax.set_ylim(0, np.log2(len(letters)))
    ax.tick_params(labelsize=7)
    ax.set_xticks([])


def motif_effect_figure(effects: MotifEffects) -> Figure:
    """Mean effect by position, coloured by frame, inserted (left) and deleted (right)."""
    tables = [("inserted", effects.insertion)]
    if effects.deletion is not None:
        tables.append(("deleted", effects.deletion))
    figure = Figure(figsize=(6.5 * len(tables), 3.2), layout="constrained")
    axes = figure.subplots(1, len(tables), squeeze=False).ravel()
    for ax, (title, table) in zip(axes, tables, strict=True):
        _effect_panel(ax, table)
        ax.set_title(f"{effects.motif} {title} ({table.count} variants)", fontsize=9)
        ax.set_ylabel(f"mean effect on {effects.output}", fontsize=8)
        where = "position from the start codon" if effects.coordinates == "start codon" else "position"
        ax.set_xlabel(where, fontsize=8)
    return figure


def _effect_panel(ax: Axes, table: EffectTable) -> None:
    frames = sorted({p.frame for p in table.positions}, key=lambda f: -1 if f is None else f)
    for frame in frames:
        points = [p for p in table.positions if p.frame == frame]
        x = [p.position for p in points]
        y = [p.mean for p in points]
        err = [p.sem or 0.0 for p in points]
        mean = next((f.mean for f in table.frames if f.frame == frame), None)
        label = "all" if frame is None else f"frame {frame}" + (" (in frame)" if frame == 0 else "")
        if mean is not None:
            label += f": mean {mean:+.3g}"
        colour = FRAME_COLOURS.get(frame if frame is not None else 0, "#444444")
        ax.errorbar(x, y, yerr=err, fmt="o", ms=3, lw=0.8, label=label, color=colour)
    ax.axhline(0, color="#999999", lw=0.6)
    ax.legend(fontsize=7, frameon=False)
    ax.tick_params(labelsize=7)


def save(figure: Figure, path: str | Path) -> Path:
    """Write a figure as PNG or SVG, chosen by the suffix.

    Raises:
        InvalidConfig: For any other suffix.
    """
    target = Path(path)
    if target.suffix.lower() not in (".png", ".svg"):
        raise InvalidConfig(f"cannot draw {target.name}: name the file .png or .svg", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=150)
    return target


def svg(figure: Figure) -> str:
    """The figure as SVG text (for embedding in HTML)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg") :], flags=re.DOTALL)


__all__ = ["filter_logos", "information_matrix", "motif_effect_figure", "motif_logo", "save", "svg"]
