"""Normalisation blocks: BatchNorm and LayerNorm over a chosen feature axis.

`axis` excludes the batch axis: 0 is the channel axis of vectors and channels-first `(C, L)`
sequences, -1 the channel axis of channels-last `(H, W, C)` grids.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field
from torch import Tensor, nn

from kozak.blocks.base import (
    Block,
    BlockParams,
    Shape,
    fmt_shape,
    numel,
    register_block,
    ui,
)
from kozak.errors import ShapeError


def _axis_field(what: str) -> int:
    return Field(
        0,
        description=f"Axis {what}, without the batch axis: 0 for vectors and channels-first "
        "(C, L) sequences, -1 for channels-last (H, W, C) grids.",
        json_schema_extra=ui("Axis", group="Advanced"),
    )


def _check_axis(shape: Shape, axis: int) -> int:
    if not shape or not -len(shape) <= axis < len(shape):
        raise ShapeError(
            f"axis {axis} does not exist in input {fmt_shape(shape)}",
            expected=f"axis in [{-len(shape)}, {len(shape) - 1}]",
            actual=axis,
            hint="choose the channel axis: 0 for (C, L) or vectors, -1 for (H, W, C)",
        )
    return axis % len(shape)


class BatchNormParams(BlockParams):
    """Parameters of a BatchNorm block."""

    axis: int = _axis_field("whose features are normalised (one mean and variance each)")
    momentum: float = Field(
        0.1,
        gt=0.0,
        lt=1.0,
        description="Weight of each new batch in the running statistics (PyTorch convention; "
        "Keras's momentum 0.99 is 0.01 here).",
        json_schema_extra=ui("Momentum", group="Advanced"),
    )
    epsilon: float = Field(
        1e-5,
        gt=0.0,
        description="Added to the variance for stability.",
        json_schema_extra=ui("Epsilon", group="Advanced"),
    )


class _BatchNorm(nn.Module):
    def __init__(self, features: int, axis: int, momentum: float, eps: float) -> None:
        super().__init__()
        self.axis = axis + 1  # batched axis
        self.norm = nn.BatchNorm1d(features, eps=eps, momentum=momentum)

    def forward(self, x: Tensor) -> Tensor:
        moved = x.movedim(self.axis, 1)  # (N, C, ...)
        y = self.norm(moved.reshape(moved.shape[0], moved.shape[1], -1))  # (N, C, rest)
        return y.reshape(moved.shape).movedim(1, self.axis)


@register_block("batch_norm", params=BatchNormParams)
class BatchNormBlock(Block[BatchNormParams]):
    """BatchNorm: normalises each feature with batch statistics, then scales and shifts it.

    Input shape: any.
    Output shape: the same.
    """

    display_name = "Batch normalization"
    category = "normalization"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: BatchNormParams) -> Shape:
        _check_axis(input_shapes[0], params.axis)
        return tuple(input_shapes[0])

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: BatchNormParams) -> nn.Module:
        shape = input_shapes[0]
        axis = _check_axis(shape, params.axis)
        return _BatchNorm(shape[axis], axis, params.momentum, params.epsilon)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: BatchNormParams) -> int:
        shape = input_shapes[0]
        return 2 * shape[_check_axis(shape, params.axis)]

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: BatchNormParams) -> int:
        return 2 * numel(output_shape)  # at inference: one scale and one shift per value


class LayerNormParams(BlockParams):
    """Parameters of a LayerNorm block."""

    axis: int = _axis_field("normalised over, for each example and position")
    epsilon: float = Field(
        1e-5,
        gt=0.0,
        description="Added to the variance for stability.",
        json_schema_extra=ui("Epsilon", group="Advanced"),
    )


class _LayerNorm(nn.Module):
    def __init__(self, features: int, axis: int, eps: float) -> None:
        super().__init__()
        self.axis = axis + 1
        self.norm = nn.LayerNorm(features, eps=eps)

    def forward(self, x: Tensor) -> Tensor:
        return self.norm(x.movedim(self.axis, -1)).movedim(-1, self.axis)


@register_block("layer_norm", params=LayerNormParams)
class LayerNormBlock(Block[LayerNormParams]):
    """LayerNorm: normalises each example's features along one axis, then scales and shifts.

    Input shape: any.
    Output shape: the same.
    """

    display_name = "Layer normalization"
    category = "normalization"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: LayerNormParams) -> Shape:
        _check_axis(input_shapes[0], params.axis)
        return tuple(input_shapes[0])

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: LayerNormParams) -> nn.Module:
        shape = input_shapes[0]
        axis = _check_axis(shape, params.axis)
        return _LayerNorm(shape[axis], axis, params.epsilon)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: LayerNormParams) -> int:
        shape = input_shapes[0]
        return 2 * shape[_check_axis(shape, params.axis)]

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: LayerNormParams) -> int:
        return 5 * numel(output_shape)  # mean, variance, subtract, scale, shift
