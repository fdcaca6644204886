"""Pooling blocks: max and average pooling in 1D `(C, L)` and 2D `(H, W, C)`, and global pooling.

`same` padding gives `ceil(n / stride)` outputs as Keras does: max pooling pads with -inf and
average pooling averages only the real positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from pydantic import Field
from torch import Tensor, nn

from kozak.blocks.base import (
    Block,
    BlockParams,
    Shape,
    conv_output_length,
    numel,
    register_block,
    require_rank,
    same_padding,
    ui,
)
from kozak.blocks.layers import ChannelsLast

PoolMode = Literal["max", "avg"]
Padding = Literal["valid", "same"]


class _Pool(nn.Module):
    """Max or average pooling over the trailing `len(kernel)` axes of a channels-first tensor."""

    def __init__(
        self, mode: str, kernel: tuple[int, ...], stride: tuple[int, ...], pads: tuple[int, ...]
    ) -> None:
        super().__init__()
        self.mode = mode
        self.kernel = kernel
        self.stride = stride
        self.pads = pads  # F.pad order: last axis first

    def forward(self, x: Tensor) -> Tensor:
        pool = F.max_pool1d if len(self.kernel) == 1 else F.max_pool2d
        if self.mode == "max":
            if any(self.pads):
                x = F.pad(x, self.pads, value=float("-inf"))
            return pool(x, self.kernel, self.stride)
        avg = F.avg_pool1d if len(self.kernel) == 1 else F.avg_pool2d
        if not any(self.pads):
            return avg(x, self.kernel, self.stride)
        total = avg(F.pad(x, self.pads), self.kernel, self.stride)
        count = avg(F.pad(torch.ones_like(x[:1, :1]), self.pads), self.kernel, self.stride)
        return total / count


class Pool1dParams(BlockParams):
    """Parameters of a 1D pooling block."""

    pool_size: int = Field(
        2, ge=1, description="Window width in positions.", json_schema_extra=ui("Width")
    )
    stride: int | None = Field(
        None,
        ge=1,
        description="Step between windows; default the window width.",
        json_schema_extra=ui("Stride"),
    )
    padding: Padding = Field(
        "valid",
        description="valid: drop a partial last window; same: keep ceil(L / stride).",
        json_schema_extra=ui("Padding"),
    )


class _Pool1dBlock(Block[Pool1dParams]):
    mode: str = "max"
    category = "pooling"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: Pool1dParams) -> Shape:
        shape = input_shapes[0]
        require_rank(
            shape,
            2,
            "(channels, length)",
            "1D pooling takes channels-first sequences; use 2D pooling for (H, W, C)",
        )
        stride = params.stride or params.pool_size
        return (
            shape[0],
            conv_output_length(shape[1], params.pool_size, stride, 1, params.padding, "width"),
        )

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: Pool1dParams) -> nn.Module:
        stride = params.stride or params.pool_size
        pads = (
            same_padding(input_shapes[0][1], params.pool_size, stride, 1)
            if params.padding == "same"
            else (0, 0)
        )
        return _Pool(cls.mode, (params.pool_size,), (stride,), pads)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: Pool1dParams) -> int:
        return 0

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: Pool1dParams) -> int:
        return numel(output_shape) * params.pool_size


@register_block("max_pool1d", params=Pool1dParams)
class MaxPool1dBlock(_Pool1dBlock):
    """MaxPool1D: the largest value in each window along a sequence.

    Input shape: `(C, L)`.
    Output shape: `(C, L')`, `L' = floor((L - pool_size) / stride) + 1` (valid).
    """

    display_name = "1D Max pooling"
    mode = "max"


@register_block("avg_pool1d", params=Pool1dParams)
class AvgPool1dBlock(_Pool1dBlock):
    """AvgPool1D: the mean of each window along a sequence.

    Input shape: `(C, L)`.
    Output shape: `(C, L')`, `L' = floor((L - pool_size) / stride) + 1` (valid).
    """

    display_name = "1D Average pooling"
    mode = "avg"


class Pool2dParams(BlockParams):
    """Parameters of a 2D pooling block."""

    width: int = Field(2, ge=1, description="Window width (second axis).", json_schema_extra=ui("Width"))
    height: int = Field(
        2, ge=1, description="Window height (first axis).", json_schema_extra=ui("Height")
    )
    stride: int | None = Field(
        None,
        ge=1,
        description="Step on both axes; default the window size on each axis.",
        json_schema_extra=ui("Stride"),
    )
    padding: Padding = Field(
        "valid",
        description="valid: drop partial windows; same: keep ceil(n / stride).",
        json_schema_extra=ui("Padding"),
    )


class _Pool2dBlock(Block[Pool2dParams]):
    mode: str = "max"
    category = "pooling"

    @classmethod
    def _strides(cls, params: Pool2dParams) -> tuple[int, int]:
        return (params.stride or params.height, params.stride or params.width)

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: Pool2dParams) -> Shape:
        shape = input_shapes[0]
        require_rank(
            shape,
            3,
            "(height, width, channels)",
            "2D pooling takes channels-last grids; use 1D pooling for (C, L)",
        )
        sh, sw = cls._strides(params)
        return (
            conv_output_length(shape[0], params.height, sh, 1, params.padding, "height"),
            conv_output_length(shape[1], params.width, sw, 1, params.padding, "width"),
            shape[2],
        )

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: Pool2dParams) -> nn.Module:
        h, w, _ = input_shapes[0]
        sh, sw = cls._strides(params)
        pads = (0, 0, 0, 0)
        if params.padding == "same":
            pads = (*same_padding(w, params.width, sw, 1), *same_padding(h, params.height, sh, 1))
        return ChannelsLast(_Pool(cls.mode, (params.height, params.width), (sh, sw), pads))

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: Pool2dParams) -> int:
        return 0

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: Pool2dParams) -> int:
        return numel(output_shape) * params.height * params.width


@register_block("max_pool2d", params=Pool2dParams)
class MaxPool2dBlock(_Pool2dBlock):
    """MaxPool2D: the largest value in each window of a grid, channels-last.

    Input shape: `(H, W, C)`.
    Output shape: `(H', W', C)`.
    """

    display_name = "2D Max pooling"
    mode = "max"


@register_block("avg_pool2d", params=Pool2dParams)
class AvgPool2dBlock(_Pool2dBlock):
    """AvgPool2D: the mean of each window of a grid, channels-last.

    Input shape: `(H, W, C)`.
    Output shape: `(H', W', C)`.
    """

    display_name = "2D Average pooling"
    mode = "avg"


class GlobalPoolParams(BlockParams):
    """Parameters of a global pooling block."""

    mode: PoolMode = Field(
        "max", description="max or avg over all positions.", json_schema_extra=ui("Mode")
    )


class _GlobalPool(nn.Module):
    def __init__(self, mode: str, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.mode = mode
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        if self.mode == "max":
            return x.amax(dim=self.dims)
        return x.mean(dim=self.dims)


@register_block("global_pool1d", params=GlobalPoolParams)
class GlobalPool1dBlock(Block[GlobalPoolParams]):
    """GlobalPool1D: max or mean of each channel over the whole sequence.

    Input shape: `(C, L)`.
    Output shape: `(C,)`.
    """

    display_name = "1D Global pooling"
    category = "pooling"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: GlobalPoolParams) -> Shape:
        require_rank(
            input_shapes[0], 2, "(channels, length)", "use 2D global pooling for (H, W, C) inputs"
        )
        return (input_shapes[0][0],)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: GlobalPoolParams) -> nn.Module:
        return _GlobalPool(params.mode, (2,))

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: GlobalPoolParams) -> int:
        return 0

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: GlobalPoolParams) -> int:
        return numel(input_shapes[0])


@register_block("global_pool2d", params=GlobalPoolParams)
class GlobalPool2dBlock(Block[GlobalPoolParams]):
    """GlobalPool2D: max or mean of each channel over the whole grid, channels-last.

    Input shape: `(H, W, C)`.
    Output shape: `(C,)`.
    """

    display_name = "2D Global pooling"
    category = "pooling"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: GlobalPoolParams) -> Shape:
        require_rank(
            input_shapes[0],
            3,
            "(height, width, channels)",
            "use 1D global pooling for (C, L) inputs",
        )
        return (input_shapes[0][2],)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: GlobalPoolParams) -> nn.Module:
        return _GlobalPool(params.mode, (1, 2))

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: GlobalPoolParams) -> int:
        return 0

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: GlobalPoolParams) -> int:
        return numel(input_shapes[0])
