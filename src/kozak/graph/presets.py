"""Presets: ready-made graphs (snippets) a user starts from, each documented with its source.

`cuperus2017` and `cuperus2017-tutorial` reproduce the worked case; the others are faithful or
reduced versions of well-known sequence architectures. A preset is a function of the input
sequence length that returns a plain `GraphSpec`; every Input carries its shape, so a preset's
shapes can be shown without a dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kozak.errors import InvalidConfig
from kozak.graph.graph_spec import GraphSpec, chain
from kozak.registry import Registry

NodeTuple = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Preset:
    """A named graph builder with its provenance."""

    name: str
    title: str
    source: str
    url: str
    task: str
    default_length: int
    builder: Callable[[int], GraphSpec]
    notes: str = ""

    def build(self, input_length: int | None = None) -> GraphSpec:
        """The graph for sequences of `input_length` positions (default: the paper's).

        Raises:
            InvalidConfig: If the length is not positive.
        """
        length = self.default_length if input_length is None else input_length
        if length < 1:
            raise InvalidConfig(f"input length must be positive, got {length}", preset=self.name)
        return self.builder(length)


PRESETS: Registry[Preset] = Registry("preset")


def preset(name: str, input_length: int | None = None) -> GraphSpec:
    """The graph of a registered preset.

    Args:
        name: Preset name, e.g. `"cuperus2017"`.
        input_length: Sequence length; default the preset's own.

    Returns:
        The graph spec.

    Raises:
        InvalidConfig: If no preset has that name (the message lists them).
    """
    return PRESETS.get(name).build(input_length)


def _register(p: Preset) -> None:
    PRESETS.register(p.name, p)


def _seq_input(length: int, feature: str = "sequence") -> NodeTuple:
    return ("sequence", "input", {"feature": feature, "shape": [4, length]})


def _conv_bn_relu(i: int, filters: int, kernel: int, pool: int, padding: str) -> list[NodeTuple]:
    return [
        (
            f"conv{i}",
            "conv1d",
            {"filters": filters, "kernel_size": kernel, "padding": padding, "activation": "linear"},
        ),
        (f"bn{i}", "batch_norm", {}),
        (f"relu{i}", "activation", {"function": "relu"}),
        (f"pool{i}", "max_pool1d", {"pool_size": pool}),
    ]


# ---- Cuperus et al. 2017 -------------------------------------------------------------------

CUPERUS_SOURCE = (
    "Cuperus JT, Groves B, Kuchina A, Rosenberg AB, Jojic N, Fields S, Seelig G. Deep learning "
    "of the regulatory grammar of yeast 5' untranslated regions from 500,000 random sequences. "
    "Genome Research 27:2015-2024 (2017)"
)


def _cuperus(
    length: int, width: int, later_padding: str, dense: int, name: str, description: str
) -> GraphSpec:
    conv = {"filters": 128, "activation": "relu"}
    return chain(
        # a (4, L) one-hot sequence seen as a 4-high, L-wide, 1-channel image, as in Peltarion
        ("seq", "input", {"feature": "seq", "shape": [4, length, 1]}),
        ("conv1", "conv2d", {**conv, "width": width, "height": 4, "padding": "valid"}),
        ("dropout1", "dropout", {"rate": 0.15}),
        ("conv2", "conv2d", {**conv, "width": width, "height": 1, "padding": later_padding}),
        ("dropout2", "dropout", {"rate": 0.15}),
        ("conv3", "conv2d", {**conv, "width": width, "height": 1, "padding": later_padding}),
        ("dropout3", "dropout", {"rate": 0.15}),
        ("flatten", "flatten", {}),
        ("dense1", "dense", {"units": dense, "activation": "relu"}),
        ("dense2", "dense", {"units": 1, "activation": "linear"}),
        ("growth_rate", "target", {"feature": "growth_rate", "loss": "mse"}),
        name=name,
        description=description,
    )


_register(
    Preset(
        name="cuperus2017",
        title="Cuperus et al. 2017, released architecture",
        source=CUPERUS_SOURCE + "; architecture from the released Keras model_arch.json",
        url="https://doi.org/10.1101/gr.224964.117",
        task="regression",
        default_length=70,
        builder=lambda n: _cuperus(
            n,
            17,
            "same",
            128,
            "cuperus2017",
            "The authors' released Keras model: conv 4x17 valid, two conv 1x17 same, 128 filters, "
            "ReLU, dropout 0.15 after each conv, Flatten, Dense 128 ReLU, Dense 1 linear.",
        ),
        notes="1,451,137 trainable parameters at length 70 (Flatten 6912).",
    )
)

_register(
    Preset(
        name="cuperus2017-tutorial",
        title="Cuperus et al. 2017, Peltarion tutorial variant",
        source="Peltarion 'Gene expression prediction' tutorial, after " + CUPERUS_SOURCE,
        url="https://doi.org/10.1101/gr.224964.117",
        task="regression",
        default_length=70,
        builder=lambda n: _cuperus(
            n,
            13,
            "valid",
            64,
            "cuperus2017-tutorial",
            "The tutorial's model: three 2D convolutions 13 wide, 128 filters, no padding "
            "(58 -> 46 -> 34 positions), dropout 0.15, Flatten 4352, Dense 64, Dense 1 linear.",
        ),
        notes="Shapes 1 x 58 x 128, 1 x 46 x 128, 1 x 34 x 128, Flatten 4352 at length 70.",
    )
)


def _cuperus_search(length: int) -> GraphSpec:
    conv = {"filters": 128, "width": 17, "activation": "relu"}
    return chain(
        ("seq", "input", {"feature": "seq", "shape": [4, length, 1]}),
        ("conv1", "conv2d", {**conv, "height": 4, "padding": "valid"}),
        ("dropout1", "dropout", {"rate": 0.15}),
        ("conv2", "conv2d", {**conv, "height": 1, "padding": "same"}),
        ("dropout2", "dropout", {"rate": 0.15}),
        ("flatten", "flatten", {}),
        ("dense1", "dense", {"units": 128, "activation": "relu"}),
        ("dense_dropout1", "dropout", {"rate": 0.1}),
        ("output", "dense", {"units": 1, "activation": "linear"}),
        ("growth_rate", "target", {"feature": "growth_rate", "loss": "mse"}),
        name="cuperus2017-search",
        description="The graph the authors' hyperparameter search varied (sweep space "
        "cuperus2017-search): conv 4xW valid, then conv 1xW same blocks with dropout, Flatten, "
        "Dense blocks with dropout, Dense 1 linear.",
    )


_register(
    Preset(
        name="cuperus2017-search",
        title="Cuperus et al. 2017, the hyperparameter search's template",
        source=CUPERUS_SOURCE + "; the search space of the authors' notebook (hyperopt, 50 trials)",
        url="https://doi.org/10.1101/gr.224964.117",
        task="regression",
        default_length=70,
        builder=_cuperus_search,
        notes="Two conv layers and one dense layer as built; the sweep space repeats conv2 + "
        "dropout2 and dense1 + dense_dropout1 to make 2-4 conv and 1-2 dense layers.",
    )
)

# ---- DeepSEA -------------------------------------------------------------------------------


def _deepsea(length: int) -> GraphSpec:
    return chain(
        _seq_input(length),
        ("conv1", "conv1d", {"filters": 320, "kernel_size": 8}),
        ("pool1", "max_pool1d", {"pool_size": 4}),
        ("dropout1", "dropout", {"rate": 0.2}),
        ("conv2", "conv1d", {"filters": 480, "kernel_size": 8}),
        ("pool2", "max_pool1d", {"pool_size": 4}),
        ("dropout2", "dropout", {"rate": 0.2}),
        ("conv3", "conv1d", {"filters": 960, "kernel_size": 8}),
        ("dropout3", "dropout", {"rate": 0.5}),
        ("flatten", "flatten", {}),
        ("dense1", "dense", {"units": 925, "activation": "relu"}),
        ("dense2", "dense", {"units": 919, "activation": "sigmoid"}),
        ("chromatin", "target", {"feature": "chromatin", "loss": "binary_crossentropy"}),
        name="deepsea",
        description="DeepSEA: three convolutions (320, 480, 960 filters of width 8) with max "
        "pooling and dropout, Dense 925, then 919 chromatin-feature probabilities.",
    )


_register(
    Preset(
        name="deepsea",
        title="DeepSEA (chromatin effects of sequence)",
        source="Zhou J, Troyanskaya OG. Predicting effects of noncoding variants with deep "
        "learning-based sequence model. Nature Methods 12:931-934 (2015)",
        url="https://doi.org/10.1038/nmeth.3547",
        task="multi-label classification",
        default_length=1000,
        builder=_deepsea,
    )
)


# ---- Basset --------------------------------------------------------------------------------


def _basset(length: int) -> GraphSpec:
    return chain(
        _seq_input(length),
        *_conv_bn_relu(1, 300, 19, 3, "valid"),
        *_conv_bn_relu(2, 200, 11, 4, "valid"),
        *_conv_bn_relu(3, 200, 7, 4, "valid"),
        ("flatten", "flatten", {}),
        ("dense1", "dense", {"units": 1000, "activation": "relu"}),
        ("dropout1", "dropout", {"rate": 0.3}),
        ("dense2", "dense", {"units": 1000, "activation": "relu"}),
        ("dropout2", "dropout", {"rate": 0.3}),
        ("dense3", "dense", {"units": 164, "activation": "sigmoid"}),
        ("accessibility", "target", {"feature": "accessibility", "loss": "binary_crossentropy"}),
        name="basset",
        description="Basset: three convolution + batch norm + ReLU + max pooling stages "
        "(300x19, 200x11, 200x7), two Dense 1000 layers with dropout 0.3, 164 cell-type "
        "accessibility probabilities.",
    )


_register(
    Preset(
        name="basset",
        title="Basset (chromatin accessibility in 164 cell types)",
        source="Kelley DR, Snoek J, Rinn JL. Basset: learning the regulatory code of the accessible "
        "genome with deep convolutional neural networks. Genome Research 26:990-999 (2016)",
        url="https://doi.org/10.1101/gr.200535.115",
        task="multi-label classification",
        default_length=600,
        builder=_basset,
    )
)


# ---- DeepSTARR (two targets) ---------------------------------------------------------------


def _deepstarr(length: int) -> GraphSpec:
    trunk: list[NodeTuple] = [
        _seq_input(length),
        *_conv_bn_relu(1, 256, 7, 2, "same"),
        *_conv_bn_relu(2, 60, 3, 2, "same"),
        *_conv_bn_relu(3, 60, 5, 2, "same"),
        *_conv_bn_relu(4, 120, 3, 2, "same"),
        ("flatten", "flatten", {}),
    ]
    for i in (5, 6):
        trunk += [
            (f"dense{i}", "dense", {"units": 256, "activation": "linear"}),
            (f"bn{i}", "batch_norm", {}),
            (f"relu{i}", "activation", {"function": "relu"}),
            (f"dropout{i}", "dropout", {"rate": 0.4}),
        ]
    graph = chain(
        *trunk,
        name="deepstarr",
        description="DeepSTARR: four convolution stages, two Dense 256 layers, and two "
        "heads predicting developmental and housekeeping enhancer activity.",
    )
    heads = [
        {"id": "dense_dev", "type": "dense", "params": {"units": 1, "activation": "linear"}},
        {"id": "dev", "type": "target", "params": {"feature": "dev", "loss": "mse"}},
        {"id": "dense_hk", "type": "dense", "params": {"units": 1, "activation": "linear"}},
        {"id": "hk", "type": "target", "params": {"feature": "hk", "loss": "mse"}},
    ]
    data = graph.to_dict()
    data["nodes"] += heads
    data["edges"] += [
        {"src": "dropout6", "dst": "dense_dev"},
        {"src": "dense_dev", "dst": "dev"},
        {"src": "dropout6", "dst": "dense_hk"},
        {"src": "dense_hk", "dst": "hk"},
    ]
    return GraphSpec.from_data(data)


_register(
    Preset(
        name="deepstarr",
        title="DeepSTARR (enhancer activity, two targets)",
        source="de Almeida BP, Reiter F, Pagani M, Stark A. DeepSTARR predicts enhancer activity "
        "from DNA sequence and enables the de novo design of synthetic enhancers. Nature Genetics "
        "54:613-624 (2022)",
        url="https://doi.org/10.1038/s41588-022-01048-5",
        task="regression (two targets)",
        default_length=249,
        builder=_deepstarr,
    )
)


# ---- Basenji-style dilated residual CNN ----------------------------------------------------


def _dilated_residual(length: int) -> GraphSpec:
    nodes: list[dict[str, Any]] = []
    edges: list[list[str]] = []

    def add(node_id: str, type_: str, params: dict[str, Any], *sources: str) -> str:
        nodes.append({"id": node_id, "type": type_, "params": params})
        edges.extend([s, node_id] for s in sources)
        return node_id

    x = add("sequence", "input", {"feature": "sequence", "shape": [4, length]})
    x = add(
        "stem_conv",
        "conv1d",
        {"filters": 128, "kernel_size": 15, "padding": "same", "activation": "linear"},
        x,
    )
    x = add("stem_bn", "batch_norm", {}, x)
    x = add("stem_pool", "max_pool1d", {"pool_size": 2}, x)
    for i, dilation in enumerate((2, 4, 8, 16), start=1):
        # Basenji's dilated_residual: gelu-conv(k3, dilated, half width)-bn, gelu-conv(k1)-bn,
        # dropout, added to the block's input
        y = add(f"res{i}_act1", "activation", {"function": "gelu"}, x)
        y = add(
            f"res{i}_conv1",
            "conv1d",
            {
                "filters": 64,
                "kernel_size": 3,
                "dilation": dilation,
                "padding": "same",
                "activation": "linear",
            },
            y,
        )
        y = add(f"res{i}_bn1", "batch_norm", {}, y)
        y = add(f"res{i}_act2", "activation", {"function": "gelu"}, y)
        y = add(f"res{i}_conv2", "conv1d", {"filters": 128, "kernel_size": 1, "activation": "linear"}, y)
        y = add(f"res{i}_bn2", "batch_norm", {}, y)
        y = add(f"res{i}_dropout", "dropout", {"rate": 0.25}, y)
        x = add(f"res{i}_add", "add", {}, x, y)
    x = add("final_act", "activation", {"function": "gelu"}, x)
    x = add("pool", "global_pool1d", {"mode": "avg"}, x)
    x = add("dense", "dense", {"units": 1, "activation": "linear"}, x)
    add("expression", "target", {"feature": "expression", "loss": "mse"}, x)
    return GraphSpec.from_data(
        {
            "name": "dilated-residual",
            "description": "Basenji-style tower: a convolution stem, four dilated residual blocks "
            "(dilation 2, 4, 8, 16), global average pooling and a linear readout.",
            "nodes": nodes,
            "edges": edges,
        }
    )


_register(
    Preset(
        name="dilated-residual",
        title="Dilated residual CNN (Basenji-style, reduced)",
        source="Kelley DR, Reshef YA, Bileschi M, Belanger D, McLean CY, Snoek J. Sequential "
        "regulatory activity prediction across chromosomes with convolutional neural networks. "
        "Genome Research 28:739-750 (2018)",
        url="https://doi.org/10.1101/gr.227819.117",
        task="regression",
        default_length=1024,
        builder=_dilated_residual,
        notes="Reduced: one scalar readout instead of Basenji's per-bin genomic tracks.",
    )
)


# ---- CNN + Transformer ---------------------------------------------------------------------


def _cnn_transformer(length: int) -> GraphSpec:
    return chain(
        _seq_input(length),
        ("conv1", "conv1d", {"filters": 128, "kernel_size": 15, "padding": "same"}),
        ("conv2", "conv1d", {"filters": 128, "kernel_size": 9, "padding": "same"}),
        ("position", "position_embedding", {}),
        ("transformer1", "transformer", {"heads": 8, "ff_dim": 256, "dropout": 0.1}),
        ("transformer2", "transformer", {"heads": 8, "ff_dim": 256, "dropout": 0.1}),
        ("pool", "global_pool1d", {"mode": "avg"}),
        ("dense1", "dense", {"units": 64, "activation": "relu"}),
        ("dense2", "dense", {"units": 1, "activation": "linear"}),
        ("expression", "target", {"feature": "expression", "loss": "mse"}),
        name="cnn-transformer",
        description="Two same-padded convolutions, learned position embeddings, two "
        "Transformer encoder layers, average pooling and a Dense head.",
    )


_register(
    Preset(
        name="cnn-transformer",
        title="Small CNN + Transformer (promoter expression)",
        source="After Vaishnav ED, de Boer CG, et al. The evolution, evolvability and engineering "
        "of gene regulatory DNA. Nature 603:455-463 (2022), which combined convolutions and "
        "a transformer encoder on 110-bp yeast promoters",
        url="https://doi.org/10.1038/s41586-022-04506-6",
        task="regression",
        default_length=110,
        builder=_cnn_transformer,
        notes="A small starting point in that model's spirit, not a reproduction of it.",
    )
)


# ---- DeepBind (reverse-complement equivariant first layer) ---------------------------------


def _deepbind(length: int) -> GraphSpec:
    return chain(
        _seq_input(length),
        ("motifs", "conv1d", {"filters": 32, "kernel_size": 24, "rc_equivariant": True}),
        ("pool", "global_pool1d", {"mode": "max"}),
        ("dense1", "dense", {"units": 32, "activation": "relu"}),
        ("dropout", "dropout", {"rate": 0.5}),
        ("dense2", "dense", {"units": 1, "activation": "linear"}),
        ("binding", "target", {"feature": "binding", "loss": "mse"}),
        name="deepbind",
        description="DeepBind: motif detectors (16 learned, each with its reverse complement), "
        "global max pooling, Dense 32 with dropout, one binding score.",
    )


_register(
    Preset(
        name="deepbind",
        title="DeepBind (protein-DNA binding), reverse-complement equivariant",
        source="Alipanahi B, Delong A, Weirauch MT, Frey BJ. Predicting the sequence specificities "
        "of DNA- and RNA-binding proteins by deep learning. Nature Biotechnology 33:831-838 (2015); "
        "RC parameter sharing after Shrikumar A, Greenside P, Kundaje A, bioRxiv 103663 (2017)",
        url="https://doi.org/10.1038/nbt.3300",
        task="regression",
        default_length=101,
        builder=_deepbind,
        notes="DeepBind scanned both strands; here the first layer shares weights between each "
        "motif and its reverse complement.",
    )
)
