"""Merge blocks: Add, Multiply and Concatenate join several branches into one tensor.

Inputs arrive in the order of the node's incoming edges in the graph spec.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
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


class MergeParams(BlockParams):
    """Add and Multiply have no parameters."""


def _same_shapes(kind: str, input_shapes: Sequence[Shape]) -> Shape:
    first = tuple(input_shapes[0])
    for i, shape in enumerate(input_shapes[1:], start=2):
        if tuple(shape) != first:
            raise ShapeError(
                f"{kind} needs inputs of one shape: input 1 is {fmt_shape(first)}, input {i} is "
                f"{fmt_shape(shape)}",
                expected=list(first),
                actual=list(shape),
                hint="make the branches end in the same shape (e.g. equal filters and padding "
                "'same'), or use Concatenate",
            )
    return first


class _Add(nn.Module):
    def forward(self, *xs: Tensor) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class _Multiply(nn.Module):
    def forward(self, *xs: Tensor) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class _ElementwiseBlock(Block[MergeParams]):
    category = "merge"
    min_inputs = 2
    max_inputs = None

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: MergeParams) -> Shape:
        return _same_shapes(cls.display_name, input_shapes)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: MergeParams) -> int:
        return 0

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: MergeParams) -> int:
        return (len(input_shapes) - 1) * numel(output_shape)


@register_block("add", params=MergeParams)
class AddBlock(_ElementwiseBlock):
    """Add: the element-wise sum of its inputs (residual connections).

    Input shape: two or more tensors of one shape.
    Output shape: that shape.
    """

    display_name = "Add"

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: MergeParams) -> nn.Module:
        return _Add()


@register_block("multiply", params=MergeParams)
class MultiplyBlock(_ElementwiseBlock):
    """Multiply: the element-wise product of its inputs (gating).

    Input shape: two or more tensors of one shape.
    Output shape: that shape.
    """

    display_name = "Multiply"

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: MergeParams) -> nn.Module:
        return _Multiply()


class ConcatenateParams(BlockParams):
    """Parameters of a Concatenate block."""

    axis: int = Field(
        0,
        description="Axis to join along, without the batch axis: 0 joins the channels of "
        "(C, L) sequences or the values of vectors, -1 the channels of (H, W, C) grids.",
        json_schema_extra=ui("Axis"),
    )


class _Concatenate(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *xs: Tensor) -> Tensor:
        return torch.cat(xs, dim=self.dim)


@register_block("concatenate", params=ConcatenateParams)
class ConcatenateBlock(Block[ConcatenateParams]):
    """Concatenate: joins its inputs along one axis (e.g. a sequence embedding and a number).

    Input shape: two or more tensors equal except along `axis`.
    Output shape: their shape with `axis` summed.
    """

    display_name = "Concatenate"
    category = "merge"
    min_inputs = 2
    max_inputs = None

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: ConcatenateParams) -> Shape:
        first = tuple(input_shapes[0])
        rank = len(first)
        if not rank or not -rank <= params.axis < rank:
            raise ShapeError(
                f"axis {params.axis} does not exist in input 1 {fmt_shape(first)}",
                expected=f"axis in [{-rank}, {rank - 1}]",
                actual=params.axis,
                hint="choose an existing axis",
            )
        axis = params.axis % rank
        total = 0
        for i, shape in enumerate(input_shapes, start=1):
            other = tuple(d for j, d in enumerate(shape) if j != axis)
            if len(shape) != rank or other != tuple(d for j, d in enumerate(first) if j != axis):
                raise ShapeError(
                    f"Concatenate along axis {axis}: input {i} is {fmt_shape(shape)} but input 1 "
                    f"is {fmt_shape(first)}; all other axes must match",
                    expected=[d if j != axis else "*" for j, d in enumerate(first)],
                    actual=list(shape),
                    hint="flatten or pool the branches first, or change the axis",
                )
            total += shape[axis]
        return tuple(total if j == axis else d for j, d in enumerate(first))

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: ConcatenateParams) -> nn.Module:
        return _Concatenate(params.axis % len(input_shapes[0]) + 1)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: ConcatenateParams) -> int:
        return 0
