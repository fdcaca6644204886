"""Static figures of per-sequence explanations: an attribution logo, and for in-silico
mutagenesis a heat map of every substitution's effect, in the user's coordinates.

Letters are drawn by logomaker (a maintained library), never by hand. The logo's letter at each
position is the sequence's own, its height the position's `importance` (a gradient method's
contribution; for ISM minus the mean effect of replacing the letter), below the axis when
negative. Figures are matplotlib `Figure`s (no pyplot, no display), saved
as PNG or SVG by the file's suffix.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kozak.errors import InvalidConfig
from kozak.interpret.results import Explanation, SequenceExplanation

FORMATS = (".png", ".svg")
_METHOD_NAMES = {
    "ism": "in-silico mutagenesis",
    "saliency": "saliency",
    "input_x_gradient": "input × gradient",
    "ig": "integrated gradients",
    "deeplift": "DeepLIFT",
    "deepshap": "DeepLIFT/SHAP",
}


def logo_matrix(explanation: Explanation, item: SequenceExplanation) -> pd.DataFrame:
    """positions × letters: the logo's heights (non-zero only at each position's own letter)."""
    values = item.importance
    letters = explanation.letters
    matrix = np.zeros((len(item.positions), len(letters)))
    for column, own in enumerate(item.sequence):
        if own in letters:
            matrix[column, letters.index(own)] = values[column]
    return pd.DataFrame(matrix, index=item.positions, columns=letters)


def sequence_figure(explanation: Explanation, item: SequenceExplanation, name: str = "") -> Figure:
    """The logo of one sequence, with the ISM heat map below it for in-silico mutagenesis."""
    import logomaker

    ism = explanation.method == "ism"
    width = max(6.0, 0.22 * len(item.positions) + 1.5)
    figure = Figure(figsize=(width, 4.2 if ism else 2.4), layout="constrained")
    axes = figure.subplots(2 if ism else 1, 1, squeeze=False, sharex=True)[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an all-zero logo's flat y range
        logomaker.Logo(logo_matrix(explanation, item), ax=axes[0], color_scheme="classic")
    axes[0].axhline(0, color="#888888", linewidth=0.5)
    unit = "importance (−mean effect)" if ism else "attribution"
    axes[0].set_ylabel(unit)
    title = f"{name or f'sequence {item.index + 1}'} · {_METHOD_NAMES[explanation.method]} · "
    axes[0].set_title(title + f"{explanation.label} = {item.prediction:.3g}", fontsize=10, loc="left")
    if ism:
        effects = np.array(item.values)
        limit = float(np.abs(effects).max()) or 1.0
        image = axes[1].imshow(
            effects,
            aspect="auto",
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
            extent=(item.positions[0] - 0.5, item.positions[-1] + 0.5, len(effects) - 0.5, -0.5),
            interpolation="nearest",
        )
        axes[1].set_yticks(range(len(explanation.letters)), explanation.letters)
        figure.colorbar(image, ax=axes[1], label=explanation.effect or "effect", pad=0.01)
    axes[-1].set_xlabel(
        "distance to the start codon" if explanation.coordinates == "from_end" else "position"
    )
    return figure


def check_format(path: Path) -> None:
    """Raise `InvalidConfig` unless `path` ends in .png or .svg."""
    if path.suffix.lower() not in FORMATS:
        raise InvalidConfig(f"{path}: a plot is a .png or .svg file", field="plot")


def save_figures(explanation: Explanation, path: Path, names: list[str] | None = None) -> list[Path]:
    """One figure per sequence: `path` itself for one sequence, else `<stem>-<n><suffix>`.

    Raises:
        InvalidConfig: A suffix other than .png or .svg.
    """
    check_format(path)
    written = []
    single = len(explanation.sequences) == 1
    for item in explanation.sequences:
        target = path if single else path.with_name(f"{path.stem}-{item.index + 1}{path.suffix}")
        name = names[item.index] if names else ""
        sequence_figure(explanation, item, name).savefig(target, dpi=150)
        written.append(target)
    return written
