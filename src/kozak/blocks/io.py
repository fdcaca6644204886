"""Input and Target blocks: where dataset features enter the graph and where losses apply.

An Input's single "input shape" is the shape of the data arriving from its feature (or its own
`shape` param when no dataset is bound); a Target passes its input through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field
from torch import nn

from kozak.blocks.base import (
    Block,
    BlockParams,
    Shape,
    fmt_shape,
    numel,
    register_block,
    ui,
)
from kozak.blocks.layers import Reshape
from kozak.errors import ShapeError

LossName = Literal[
    "mse",
    "mae",
    "msle",
    "huber",
    "poisson",
    "categorical_crossentropy",
    "binary_crossentropy",
    "squared_hinge",
]


class InputParams(BlockParams):
    """Parameters of an Input block."""

    feature: str | None = Field(
        None,
        description="Dataset feature that feeds the network; its shape becomes the block's shape.",
        json_schema_extra=ui("Feature", widget="feature"),
    )
    shape: tuple[int, ...] | None = Field(
        None,
        description="Shape of one example, without the batch axis, e.g. (4, 70, 1) for a "
        "70-nt one-hot sequence seen as an image. With a feature bound, the feature's data is "
        "reshaped to it (same number of values); without one, it is the input's shape.",
        json_schema_extra=ui("Shape", group="Advanced"),
    )


@register_block("input", params=InputParams)
class InputBlock(Block[InputParams]):
    """Input: one dataset feature entering the network.

    Input shape: the feature's shape, e.g. `(4, L)` for a one-hot DNA sequence.
    Output shape: `shape` if given (same number of values), else the feature's shape.
    """

    display_name = "Input"
    category = "io"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: InputParams) -> Shape:
        (source,) = input_shapes
        if params.shape is None or tuple(params.shape) == source:
            return source
        if any(d <= 0 for d in params.shape):
            raise ShapeError(
                f"input shape {fmt_shape(params.shape)} has a non-positive dimension",
                expected="positive dimensions",
                actual=list(params.shape),
                hint="give every dimension of the Input's shape a positive size",
            )
        if numel(params.shape) != numel(source):
            raise ShapeError(
                f"feature {params.feature!r} has shape {fmt_shape(source)} "
                f"({numel(source)} values), which cannot be seen as {fmt_shape(params.shape)} "
                f"({numel(params.shape)} values)",
                expected=list(source),
                actual=list(params.shape),
                hint=f"set the Input's shape to one with {numel(source)} values, or clear it",
            )
        return tuple(params.shape)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: InputParams) -> nn.Module:
        out = cls.output_shape(input_shapes, params)
        return nn.Identity() if out == tuple(input_shapes[0]) else Reshape(out)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: InputParams) -> int:
        return 0


class TargetParams(BlockParams):
    """Parameters of a Target block."""

    feature: str | None = Field(
        None,
        description="Dataset feature the network learns to predict.",
        json_schema_extra=ui("Feature", widget="feature"),
    )
    loss: LossName = Field(
        "mse",
        description="Loss function minimised for this target; it must fit the feature's type "
        "and the last activation before the target.",
        json_schema_extra=ui("Loss function"),
    )


@register_block("target", params=TargetParams)
class TargetBlock(Block[TargetParams]):
    """Target: the prediction for one dataset feature, trained with the chosen loss.

    Input shape: the prediction, e.g. `(1,)` for a regression value or `(k,)` for k classes.
    Output shape: the same.
    """

    display_name = "Target"
    category = "io"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: TargetParams) -> Shape:
        return tuple(input_shapes[0])

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: TargetParams) -> nn.Module:
        return nn.Identity()

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: TargetParams) -> int:
        return 0
