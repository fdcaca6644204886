"""Convolution blocks: Conv1D over channels-first sequences and Conv2D over channels-last grids.

Conv1D takes `(C, L)` (a one-hot DNA sequence is `(4, L)`) and offers dilation, depthwise and a
reverse-complement-equivariant option. Conv2D takes `(H, W, C)` like Peltarion's 2D Convolution:
the tutorial's `(4, 70, 1)` input with a 4-high, 13-wide filter gives `(1, 58, 128)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from pydantic import Field, model_validator
from torch import Tensor, nn

from kozak.blocks.base import (
    ActivationName,
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
from kozak.blocks.layers import ChannelsLast, Pad, activation, activation_flops, glorot_
from kozak.errors import ShapeError

Padding = Literal["valid", "same"]


def _padding_field() -> Padding:
    return Field(
        "valid",
        description="valid: no padding, the output is shorter than the input (Peltarion's "
        "default); same: zero-pad so the output has ceil(input / stride) positions.",
        json_schema_extra=ui("Padding"),
    )


def _activation_field() -> ActivationName:
    return Field(
        "relu", description="Activation applied to the outputs.", json_schema_extra=ui("Activation")
    )


def _use_bias_field() -> bool:
    return Field(
        True,
        description="Add a learned bias per filter.",
        json_schema_extra=ui("Use bias", group="Advanced"),
    )


def _groups(channels: int, filters: int, depthwise: bool) -> int:
    if not depthwise:
        return 1
    if filters % channels:
        raise ShapeError(
            f"a depthwise convolution over {channels} channels needs a multiple of {channels} "
            f"filters, got {filters}",
            expected=f"filters divisible by {channels}",
            actual=filters,
            hint=f"set filters to {channels * max(1, filters // channels)}",
        )
    return channels


# ---- Conv1D --------------------------------------------------------------------------------


class Conv1dParams(BlockParams):
    """Parameters of a Conv1D block."""

    filters: int = Field(
        64,
        ge=1,
        description="Number of filters (output channels).",
        json_schema_extra=ui("Filters"),
    )
    kernel_size: int = Field(
        9, ge=1, description="Filter width in positions.", json_schema_extra=ui("Width")
    )
    stride: int = Field(
        1, ge=1, description="Step between filter positions.", json_schema_extra=ui("Stride")
    )
    dilation: int = Field(
        1,
        ge=1,
        description="Spacing between filter taps; >1 widens the receptive field at no cost.",
        json_schema_extra=ui("Dilation", group="Advanced"),
    )
    padding: Padding = _padding_field()
    activation: ActivationName = _activation_field()
    use_bias: bool = _use_bias_field()
    depthwise: bool = Field(
        False,
        description="Convolve each input channel separately (groups = channels); filters must "
        "be a multiple of the input channels.",
        json_schema_extra=ui("Depthwise", group="Advanced"),
    )
    rc_equivariant: bool = Field(
        False,
        description="Reverse-complement parameter sharing (Shrikumar et al. 2017): half the "
        "filters are the reverse complements of the other half, so the reverse complement of "
        "a sequence gives the reverse-complemented output. Needs an even number of filters and "
        "channels ordered so that reversing them complements them (A, C, G, T).",
        json_schema_extra=ui("Reverse-complement equivariant", group="Sequence"),
    )

    @model_validator(mode="after")
    def _rc_compatible(self) -> Conv1dParams:
        if self.rc_equivariant and self.filters % 2:
            raise ValueError("rc_equivariant needs an even number of filters")
        if self.rc_equivariant and self.depthwise:
            raise ValueError("rc_equivariant cannot be combined with depthwise")
        return self


class RcConv1d(nn.Module):
    """Conv1d whose second half of filters is the reverse complement of the first half.

    With `w` shaped `(F/2, C, K)`, the layer uses `[w, flip(w, filters, channels, positions)]`, so
    `conv(rc(x)) == rc(conv(x))` where `rc` flips channels and positions.
    """

    def __init__(
        self, in_channels: int, filters: int, kernel: int, stride: int, dilation: int, bias: bool
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(filters // 2, in_channels, kernel))
        self.bias = nn.Parameter(torch.empty(filters // 2)) if bias else None
        self.stride = stride
        self.dilation = dilation

    def forward(self, x: Tensor) -> Tensor:
        w = torch.cat([self.weight, self.weight.flip(0, 1, 2)])  # (F, C, K)
        b = None if self.bias is None else torch.cat([self.bias, self.bias.flip(0)])
        return F.conv1d(x, w, b, stride=self.stride, dilation=self.dilation)


@register_block("conv1d", params=Conv1dParams)
class Conv1dBlock(Block[Conv1dParams]):
    """Conv1D: filters slid along a sequence, channels-first.

    Input shape: `(C, L)`, e.g. `(4, L)` for one-hot DNA.
    Output shape: `(filters, L')` with `L' = floor((L - dilation*(k-1) - 1) / stride) + 1` for
    valid padding and `ceil(L / stride)` for same.
    """

    display_name = "1D Convolution"
    category = "convolution"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: Conv1dParams) -> Shape:
        shape = input_shapes[0]
        require_rank(
            shape,
            2,
            "(channels, length)",
            "Conv1D takes channels-first sequences; use Conv2D for (H, W, C) inputs",
        )
        _groups(shape[0], params.filters, params.depthwise)
        length = conv_output_length(
            shape[1], params.kernel_size, params.stride, params.dilation, params.padding, "width"
        )
        return (params.filters, length)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: Conv1dParams) -> nn.Module:
        channels, length = input_shapes[0]
        layers: list[nn.Module] = []
        if params.padding == "same":
            layers.append(Pad(same_padding(length, params.kernel_size, params.stride, params.dilation)))
        conv: nn.Module
        if params.rc_equivariant:
            conv = RcConv1d(
                channels,
                params.filters,
                params.kernel_size,
                params.stride,
                params.dilation,
                params.use_bias,
            )
        else:
            conv = nn.Conv1d(
                channels,
                params.filters,
                params.kernel_size,
                stride=params.stride,
                dilation=params.dilation,
                groups=_groups(channels, params.filters, params.depthwise),
                bias=params.use_bias,
            )
        layers += [glorot_(conv), activation(params.activation, dim=1)]
        return nn.Sequential(*layers)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: Conv1dParams) -> int:
        channels = input_shapes[0][0]
        unique = params.filters // 2 if params.rc_equivariant else params.filters
        per_filter = params.kernel_size * channels // _groups(channels, params.filters, params.depthwise)
        return unique * per_filter + (unique if params.use_bias else 0)

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: Conv1dParams) -> int:
        channels = input_shapes[0][0]
        per_output = (
            2 * params.kernel_size * channels // _groups(channels, params.filters, params.depthwise)
        )
        out = numel(output_shape)
        return (
            out * per_output + (out if params.use_bias else 0) + activation_flops(params.activation, out)
        )

    @classmethod
    def final_activation(cls, params: Conv1dParams) -> str | None:
        return params.activation


# ---- Conv2D --------------------------------------------------------------------------------


class Conv2dParams(BlockParams):
    """Parameters of a Conv2D block (Peltarion's 2D Convolution)."""

    filters: int = Field(
        64,
        ge=1,
        description="Number of filters (output channels).",
        json_schema_extra=ui("Filters"),
    )
    width: int = Field(
        3,
        ge=1,
        description="Filter width: positions along the second axis (W).",
        json_schema_extra=ui("Width"),
    )
    height: int = Field(
        3,
        ge=1,
        description="Filter height: positions along the first axis (H); 4 covers the "
        "four bases of a (4, L, 1) one-hot sequence.",
        json_schema_extra=ui("Height"),
    )
    stride: int = Field(
        1,
        ge=1,
        description="Step between filter positions on both axes.",
        json_schema_extra=ui("Stride"),
    )
    dilation: int = Field(
        1,
        ge=1,
        description="Spacing between filter taps on both axes.",
        json_schema_extra=ui("Dilation", group="Advanced"),
    )
    padding: Padding = _padding_field()
    activation: ActivationName = _activation_field()
    use_bias: bool = _use_bias_field()
    depthwise: bool = Field(
        False,
        description="Convolve each input channel separately; filters must be a multiple of "
        "the input channels.",
        json_schema_extra=ui("Depthwise", group="Advanced"),
    )


@register_block("conv2d", params=Conv2dParams)
class Conv2dBlock(Block[Conv2dParams]):
    """Conv2D: filters slid over a grid, channels-last as in Peltarion.

    Input shape: `(H, W, C)`, e.g. `(4, 70, 1)` for a one-hot sequence seen as an image.
    Output shape: `(H', W', filters)`; height 4 and width 13 give `(1, 58, 128)` on `(4, 70, 1)`.
    """

    display_name = "2D Convolution"
    category = "convolution"

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: Conv2dParams) -> Shape:
        shape = input_shapes[0]
        require_rank(
            shape,
            3,
            "(height, width, channels)",
            "Conv2D takes channels-last (H, W, C) inputs: give the Input block a shape "
            "such as (4, L, 1), or use Conv1D for (C, L) sequences",
        )
        h, w, c = shape
        _groups(c, params.filters, params.depthwise)
        oh = conv_output_length(
            h, params.height, params.stride, params.dilation, params.padding, "height"
        )
        ow = conv_output_length(w, params.width, params.stride, params.dilation, params.padding, "width")
        return (oh, ow, params.filters)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: Conv2dParams) -> nn.Module:
        h, w, c = input_shapes[0]
        layers: list[nn.Module] = []
        if params.padding == "same":
            top, bottom = same_padding(h, params.height, params.stride, params.dilation)
            left, right = same_padding(w, params.width, params.stride, params.dilation)
            layers.append(Pad((left, right, top, bottom)))
        layers.append(
            glorot_(
                nn.Conv2d(
                    c,
                    params.filters,
                    (params.height, params.width),
                    stride=params.stride,
                    dilation=params.dilation,
                    groups=_groups(c, params.filters, params.depthwise),
                    bias=params.use_bias,
                )
            )
        )
        return nn.Sequential(ChannelsLast(nn.Sequential(*layers)), activation(params.activation, dim=-1))

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: Conv2dParams) -> int:
        c = input_shapes[0][2]
        per_filter = params.height * params.width * c // _groups(c, params.filters, params.depthwise)
        return params.filters * per_filter + (params.filters if params.use_bias else 0)

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: Conv2dParams) -> int:
        c = input_shapes[0][2]
        per_output = 2 * params.height * params.width * c // _groups(c, params.filters, params.depthwise)
        out = numel(output_shape)
        return (
            out * per_output + (out if params.use_bias else 0) + activation_flops(params.activation, out)
        )

    @classmethod
    def final_activation(cls, params: Conv2dParams) -> str | None:
        return params.activation
