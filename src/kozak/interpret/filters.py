"""First-layer filters read as motifs (the Basset recipe, Kelley et al. 2016).

`analyze_filters` runs a sample of sequences through an experiment's model with a forward hook
on the first convolution fed by the sequence input. For each filter, the windows where it fires
above `threshold` × its largest activation on the sample (or its `top_k` strongest windows) are
stacked into a position frequency matrix (pseudocount 1 by default), with information content
per column. Its influence is how much the predictions fall when its output is set to zero (mean
of full − zeroed, in the output's units); its correlation is Pearson's r between each sequence's
largest activation and the measured target. All scoring goes through `SequenceScorer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field
from torch import Tensor, nn

from kozak.blocks.base import same_padding
from kozak.blocks.conv import Conv1dParams, Conv2dParams
from kozak.blocks.io import InputParams
from kozak.deploy.scoring import SequenceScorer
from kozak.errors import InvalidConfig
from kozak.graph.compile import GraphModule
from kozak.interpret.model import Background, OutputChoice
from kozak.interpret.settings import SampleSettings, sample_size

MAX_SEQUENCES = 20_000
MAX_INFLUENCE_SEQUENCES = 2_000
INFLUENCE_ROWS = 16_384  # rows per scoring call when filters are zeroed in turn: bounded memory


class FilterSettings(SampleSettings):
    """How filters are read: which rows, which windows count as sites, which output."""

    sequences: int = sample_size(2000, MAX_SEQUENCES)
    threshold: float = Field(
        0.5,
        gt=0,
        le=1,
        description="A window is a site where the filter's activation is at least this fraction "
        "of its largest on the sample (Basset: 0.5). Ignored when top_k is set.",
    )
    top_k: int | None = Field(
        None, ge=1, le=1_000_000, description="Instead: each filter's k strongest windows."
    )
    pseudocount: float = Field(
        1.0, ge=0, le=1000, description="Added to every letter's count of every motif column."
    )
    influence_sequences: int = Field(
        64,  # x (filters + 1) forwards: 8,256 for 128 filters, seconds on a CPU
        ge=0,
        le=MAX_INFLUENCE_SEQUENCES,
        description="Rows (of the sample) scored with each filter zeroed; 0 skips influence.",
    )
    layer: str | None = Field(
        None,
        max_length=200,
        description="Node id of the convolution to read; default the only one the sequence input feeds.",
    )


class FilterMotif(BaseModel):
    """One filter read as a motif."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(description="The filter's channel in the layer, from 0.")
    name: str = Field(description="`<layer>_f<index>`, as in the MEME file.")
    sites: int = Field(description="Windows counted into the matrix.")
    max_activation: float = Field(description="Largest activation on the sample.")
    counts: list[list[float]] = Field(
        description="Letter counts per letter (rows, alphabet order) and position (columns)."
    )
    probabilities: list[list[float]] = Field(
        description="Counts plus the pseudocount, normalised per column."
    )
    information: list[float] = Field(description="Information content per column, in bits.")
    information_total: float = Field(description="Sum of `information`.")
    influence: float | None = Field(
        description="Mean of prediction − prediction with this filter's output zeroed."
    )
    influence_abs: float | None = Field(description="Mean absolute change when zeroed.")
    correlation: float | None = Field(
        description="Pearson r of each sequence's largest activation with the measured output."
    )


class FilterAnalysis(BaseModel):
    """Every filter of the first convolution read as a motif, in filter order."""

    model_config = ConfigDict(frozen=True)

    layer: str = Field(description="Node id of the convolution read.")
    feature: str = Field(description="The sequence input.")
    output: str = Field(description="The output influence and correlation refer to.")
    letters: str = Field(description="The alphabet's letters: the rows of every matrix.")
    width: int = Field(description="Positions per motif (the filter's width).")
    sequences: int = Field(description="Rows read.")
    influence_sequences: int = Field(description="Rows scored with each filter zeroed.")
    threshold: float | None = Field(description="Site threshold (fraction of the maximum).")
    top_k: int | None = Field(description="Or: windows kept per filter.")
    pseudocount: float
    motifs: list[FilterMotif]

    def ranked(self) -> list[FilterMotif]:
        """Motifs by decreasing influence (absolute), then information; filters without sites last."""
        return sorted(
            self.motifs,
            key=lambda m: (m.sites > 0, m.influence_abs or 0.0, m.information_total),
            reverse=True,
        )


# ---- the layer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstLayer:
    """The convolution a sequence input feeds, and how its outputs map to input windows.

    Attributes:
        node: Its node id.
        module: Its compiled block (hooks go here: the output is after its activation).
        channels_last: Conv2D over a (letters, L, 1) input: output (N, 1, L', F), else (N, F, L').
        filters: Output channels.
        width: Taps per filter.
        stride: Step between windows.
        dilation: Spacing between taps.
        pad_left: Zero positions the block adds before the input.
    """

    node: str
    module: nn.Module
    channels_last: bool
    filters: int
    width: int
    stride: int
    dilation: int
    pad_left: int

    def inputs(self, x: Tensor) -> Tensor:
        """(N, letters, L) from the block's input."""
        return x[..., 0] if self.channels_last else x

    def activations(self, out: Tensor) -> Tensor:
        """(N, F, L') from the block's output."""
        return out[:, 0].transpose(1, 2) if self.channels_last else out

    def windows(self, x: Tensor, positions: int) -> Tensor:
        """(N, letters, L', width): the input letters each output position reads (zero off the edges)."""
        taps = torch.arange(self.width, device=x.device) * self.dilation
        index = torch.arange(positions, device=x.device)[:, None] * self.stride + taps  # (L', K)
        right = max(int(index.max()) + 1 - self.pad_left - x.shape[-1], 0)
        padded = F.pad(x, (self.pad_left, right))
        return padded[:, :, index]

    def zeroed(self, out: Tensor, keep: Tensor) -> Tensor:
        """`out` with filters zeroed where `keep` (N, F) is 0."""
        return out * (keep[:, None, None, :] if self.channels_last else keep[:, :, None])


def first_layer(model: GraphModule, feature: str, channels: int, layer: str | None = None) -> FirstLayer:
    """The first convolution of a sequence input.

    Args:
        model: The compiled graph.
        feature: The sequence input's feature name.
        channels: Letters of its alphabet (4 for DNA).
        layer: A node id to read instead of the only convolution the input feeds.

    Raises:
        InvalidConfig: The input feeds no convolution (naming what it feeds), several and none
            was named, or a convolution that does not read whole letters (a Conv2D must be
            `channels` high with valid padding over a (letters, L, 1) input).
    """
    spec = model.spec
    inputs = [
        n.id
        for n in spec.input_nodes()
        if isinstance(n.parsed_params, InputParams) and n.parsed_params.feature == feature
    ]
    if not inputs:
        raise InvalidConfig(f"the model has no Input block for feature {feature!r}", field="feature")
    fed = [dst for source in inputs for dst in spec.successors()[source]]
    convs = [node for node in fed if spec.node(node).type in ("conv1d", "conv2d")]
    if layer is not None:
        if layer not in convs:
            raise InvalidConfig(
                f"layer {layer!r} is not a convolution fed by input {feature!r}; those are: "
                + (", ".join(convs) or "(none)"),
                field="layer",
            )
        convs = [layer]
    if not convs:
        blocks = ", ".join(f"{node} ({spec.node(node).type})" for node in fed) or "nothing"
        raise InvalidConfig(
            f"filter motifs read the first layer on input {feature!r}, which must be a 1D or 2D "
            f"convolution; it feeds {blocks}",
            field="layer",
        )
    if len(convs) > 1:
        raise InvalidConfig(
            f"input {feature!r} feeds several convolutions ({', '.join(convs)}); name one in 'layer'",
            field="layer",
        )
    node = spec.node(convs[0])
    shape = next(info.input_shapes[0] for info in model.info.nodes if info.id == node.id)
    params = node.parsed_params
    if isinstance(params, Conv1dParams):
        if shape[0] != channels:
            raise InvalidConfig(
                f"convolution {node.id!r} reads {shape[0]} channels, not the {channels} letters",
                field="layer",
            )
        pad = 0
        if params.padding == "same":
            pad = same_padding(shape[1], params.kernel_size, params.stride, params.dilation)[0]
        return FirstLayer(node.id, model.blocks[node.id], False, params.filters,
                          params.kernel_size, params.stride, params.dilation, pad)  # fmt: skip
    assert isinstance(params, Conv2dParams)
    if len(shape) != 3 or shape[0] != channels or shape[2] != 1 or params.height != channels:
        raise InvalidConfig(
            f"convolution {node.id!r} must span the {channels} letters: a Conv2D {channels} high "
            f"over a ({channels}, L, 1) input; it is {params.height} high over {shape}",
            field="layer",
        )
    if params.padding != "valid":
        raise InvalidConfig(
            f"convolution {node.id!r} pads the letter axis (padding 'same'); filter motifs need "
            "'valid' padding on a Conv2D that spans the letters",
            field="layer",
        )
    return FirstLayer(node.id, model.blocks[node.id], True, params.filters, params.width,
                      params.stride, params.dilation, 0)  # fmt: skip


@contextmanager
def _hooked(module: nn.Module, hook: Callable[..., Any]) -> Iterator[None]:
    handle = module.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


# ---- the analysis --------------------------------------------------------------------------


@dataclass
class _Pass1:
    """Per filter: largest activation, running top-k; per sequence: largest activation."""

    layer: FirstLayer
    k: int | None
    best: list[Tensor]
    top: Tensor | None = None

    def __call__(self, module: nn.Module, args: tuple[Tensor, ...], out: Tensor) -> None:
        x = self.layer.inputs(args[0]).float()
        act = self.layer.activations(out).float()  # (n, F, L')
        letters = self.layer.windows(x, act.shape[-1]).sum(dim=(1, 3)) > 0  # (n, L')
        masked = act.masked_fill(~letters[:, None, :], float("-inf"))
        self.best.append(masked.amax(dim=2).cpu())
        if self.k is not None:
            flat = masked.transpose(0, 1).reshape(act.shape[1], -1)
            both = flat if self.top is None else torch.cat([self.top, flat], dim=1)
            self.top = both.topk(min(self.k, both.shape[1]), dim=1).values


@dataclass
class _Pass2:
    """Sums the windows where each filter fires above its threshold."""

    layer: FirstLayer
    threshold: Tensor  # (F,)
    counts: Tensor  # (F, letters, K)
    sites: Tensor  # (F,)

    def __call__(self, module: nn.Module, args: tuple[Tensor, ...], out: Tensor) -> None:
        x = self.layer.inputs(args[0]).float()
        act = self.layer.activations(out).float()
        windows = self.layer.windows(x, act.shape[-1])  # (n, C, L', K)
        letters = windows.sum(dim=(1, 3)) > 0
        threshold = self.threshold.to(act.device)
        site = (act >= threshold[None, :, None]) & (act > 0) & letters[:, None, :]  # (n, F, L')
        self.counts += torch.einsum("nfj,ncjk->fck", site.float(), windows).cpu()
        self.sites += site.sum(dim=(0, 2)).cpu()


@dataclass
class _Zero:
    """Zeroes one filter per row (-1: none), rows taken in the order the scorer runs them."""

    layer: FirstLayer
    filters: Tensor  # (M,) long
    cursor: int = 0

    def __call__(self, module: nn.Module, args: tuple[Tensor, ...], out: Tensor) -> Tensor:
        n = out.shape[0]
        chosen = self.filters[self.cursor : self.cursor + n].to(out.device)
        self.cursor += n
        keep = torch.ones(n, self.layer.filters, device=out.device, dtype=out.dtype)
        rows = torch.nonzero(chosen >= 0).flatten()
        keep[rows, chosen[rows]] = 0
        return self.layer.zeroed(out, keep)


def analyze_filters(
    scorer: SequenceScorer, data: Background, output: OutputChoice, settings: FilterSettings
) -> FilterAnalysis:
    """Read every filter of the first convolution as a motif.

    Args:
        scorer: The model's scorer (its precision is used; fp32 keeps small influences).
        data: The sequences read, with their measured targets.
        output: The output influence and correlation refer to.
        settings: Thresholds, pseudocount and sample sizes.

    Raises:
        InvalidConfig: The model's first layer on the input is not a convolution that reads
            whole letters (see `first_layer`).
    """
    channels = scorer.alphabet.channels
    layer = first_layer(scorer.model.model, scorer.feature, channels, settings.layer)
    first = _Pass1(layer, settings.top_k, [])
    with _hooked(layer.module, first):
        scorer.score_codes(data.codes, data.lengths)
    best = torch.cat(first.best).numpy()  # (N, F)
    maximum = torch.from_numpy(best.max(axis=0))
    if settings.top_k is not None and first.top is not None:
        threshold = first.top[:, -1].cpu()
    else:
        threshold = maximum * settings.threshold
    second = _Pass2(
        layer,
        threshold,
        torch.zeros(layer.filters, channels, layer.width),
        torch.zeros(layer.filters, dtype=torch.long),
    )
    with _hooked(layer.module, second):
        scorer.score_codes(data.codes, data.lengths)
    counts = second.counts.numpy().astype(np.float64)
    probabilities, information = motif_matrices(counts, settings.pseudocount)
    influence = _influence(scorer, data, output, layer, settings.influence_sequences)
    measured = data.measured_values(output)
    motifs = []
    for f in range(layer.filters):
        mean, mean_abs = influence[f] if influence is not None else (None, None)
        motifs.append(
            FilterMotif(
                index=f,
                name=f"{layer.node}_f{f}",
                sites=int(second.sites[f]),
                max_activation=float(maximum[f]),
                counts=counts[f].tolist(),
                probabilities=probabilities[f].tolist(),
                information=information[f].tolist(),
                information_total=float(information[f].sum()),
                influence=mean,
                influence_abs=mean_abs,
                correlation=None if measured is None else pearson(best[:, f], measured),
            )
        )
    return FilterAnalysis(
        layer=layer.node,
        feature=scorer.feature,
        output=output.label,
        letters=scorer.alphabet.letters,
        width=layer.width,
        sequences=len(data),
        influence_sequences=min(settings.influence_sequences, len(data)),
        threshold=None if settings.top_k is not None else settings.threshold,
        top_k=settings.top_k,
        pseudocount=settings.pseudocount,
        motifs=motifs,
    )


def motif_matrices(counts: np.ndarray, pseudocount: float) -> tuple[np.ndarray, np.ndarray]:
    """Letter probabilities and information content from counts.

    Args:
        counts: (..., letters, width) counts.
        pseudocount: Added to every count; a column with no counts at all is uniform.

    Returns:
        (..., letters, width) probabilities per column and (..., width) information in bits:
        log2(letters) − the column's entropy.
    """
    letters = counts.shape[-2]
    padded = counts + pseudocount
    totals = padded.sum(axis=-2, keepdims=True)
    probabilities = np.where(totals > 0, padded / np.where(totals > 0, totals, 1), 1.0 / letters)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(probabilities > 0, probabilities * np.log2(probabilities), 0.0).sum(axis=-2)
    return probabilities, np.log2(letters) - entropy


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson's r over the rows where both are finite; None below 3 rows or for a constant."""
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 3:
        return None
    a, b = x[keep] - x[keep].mean(), y[keep] - y[keep].mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return None if denominator == 0 else float((a * b).sum() / denominator)


def _influence(
    scorer: SequenceScorer, data: Background, output: OutputChoice, layer: FirstLayer, rows: int
) -> list[tuple[float, float]] | None:
    """Per filter (mean, mean absolute) of prediction − prediction with it zeroed."""
    n = min(rows, len(data))
    if n == 0:
        return None
    codes, lengths = data.codes[:n], data.lengths[:n]
    order = np.arange(-1, layer.filters)  # -1: the unchanged model, scored in the same passes
    per_call = max(1, INFLUENCE_ROWS // n)
    values: list[np.ndarray] = []
    for start in range(0, len(order), per_call):
        group = order[start : start + per_call]
        zero = _Zero(layer, torch.from_numpy(np.repeat(group, n)).long())
        with _hooked(layer.module, zero):
            scored = scorer.score_codes(np.tile(codes, (len(group), 1)), np.tile(lengths, len(group)))
        values.append(output.values(scored).reshape(len(group), n))
    table = np.concatenate(values)  # (1 + F, n)
    change = table[0][None, :] - table[1:]
    return [(float(row.mean()), float(np.abs(row).mean())) for row in change]


__all__ = [
    "FilterAnalysis",
    "FilterMotif",
    "FilterSettings",
    "FirstLayer",
    "analyze_filters",
    "first_layer",
    "motif_matrices",
    "pearson",
]
