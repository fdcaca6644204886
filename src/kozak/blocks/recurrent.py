"""Recurrent blocks: LSTM and GRU over channels-first sequences, optionally bidirectional.

Input `(C, L)`; output `(units * directions, L)` with `return_sequences`, else the final state
`(units * directions,)` (for a bidirectional layer: the forward and backward final states).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field
from torch import Tensor, nn

from kozak.blocks.base import Block, BlockParams, Shape, register_block, require_rank, ui


class RecurrentParams(BlockParams):
    """Parameters of an LSTM or GRU block."""

    units: int = Field(
        64,
        ge=1,
        description="Size of the hidden state per direction.",
        json_schema_extra=ui("Units"),
    )
    bidirectional: bool = Field(
        False,
        description="Also read the sequence backwards and join both directions.",
        json_schema_extra=ui("Bidirectional"),
    )
    return_sequences: bool = Field(
        False,
        description="Output the state at every position (C, L) instead of only the final one.",
        json_schema_extra=ui("Return sequences"),
    )
    num_layers: int = Field(
        1,
        ge=1,
        le=8,
        description="Stacked recurrent layers.",
        json_schema_extra=ui("Layers", group="Advanced"),
    )


class _Recurrent(nn.Module):
    def __init__(self, rnn: nn.LSTM | nn.GRU, return_sequences: bool) -> None:
        super().__init__()
        self.rnn = rnn
        self.return_sequences = return_sequences
        self.directions = 2 if rnn.bidirectional else 1

    def forward(self, x: Tensor) -> Tensor:
        out, state = self.rnn(x.transpose(1, 2))  # (N, C, L) -> (N, L, C) -> (N, L, D*H)
        if self.return_sequences:
            return out.transpose(1, 2)  # (N, D*H, L)
        h = state[0] if isinstance(state, tuple) else state  # (layers*D, N, H)
        last = h[-self.directions :]  # (D, N, H), last layer
        return last.transpose(0, 1).reshape(x.shape[0], -1)  # (N, D*H)


class _RecurrentBlock(Block[RecurrentParams]):
    category = "recurrent"
    gates: int = 4
    rnn_class: type[nn.LSTM] | type[nn.GRU] = nn.LSTM

    @classmethod
    def output_shape(cls, input_shapes: Sequence[Shape], params: RecurrentParams) -> Shape:
        shape = input_shapes[0]
        require_rank(
            shape,
            2,
            "(channels, length)",
            "recurrent blocks read channels-first sequences, e.g. a Conv1D's output",
        )
        width = params.units * (2 if params.bidirectional else 1)
        return (width, shape[1]) if params.return_sequences else (width,)

    @classmethod
    def build(cls, input_shapes: Sequence[Shape], params: RecurrentParams) -> nn.Module:
        rnn = cls.rnn_class(
            input_shapes[0][0],
            params.units,
            num_layers=params.num_layers,
            batch_first=True,
            bidirectional=params.bidirectional,
        )
        return _Recurrent(rnn, params.return_sequences)

    @classmethod
    def _layer_inputs(cls, input_shapes: Sequence[Shape], params: RecurrentParams) -> list[int]:
        directions = 2 if params.bidirectional else 1
        return [input_shapes[0][0]] + [params.units * directions] * (params.num_layers - 1)

    @classmethod
    def param_count(cls, input_shapes: Sequence[Shape], params: RecurrentParams) -> int:
        g, h = cls.gates, params.units
        directions = 2 if params.bidirectional else 1
        # PyTorch keeps two bias vectors per gate (input and hidden)
        return directions * sum(
            g * h * f + g * h * h + 2 * g * h for f in cls._layer_inputs(input_shapes, params)
        )

    @classmethod
    def flops(cls, input_shapes: Sequence[Shape], output_shape: Shape, params: RecurrentParams) -> int:
        g, h = cls.gates, params.units
        directions = 2 if params.bidirectional else 1
        length = input_shapes[0][1]
        per_step = sum(
            2 * g * h * (f + h) + 4 * g * h for f in cls._layer_inputs(input_shapes, params)
        )  # matmuls, biases and gate non-linearities
        return length * directions * per_step


@register_block("lstm", params=RecurrentParams)
class LstmBlock(_RecurrentBlock):
    """LSTM: a long short-term memory layer along the sequence.

    Input shape: `(C, L)`.
    Output shape: `(units * directions, L)` with return_sequences, else `(units * directions,)`.
    """

    display_name = "LSTM"
    gates = 4
    rnn_class = nn.LSTM


@register_block("gru", params=RecurrentParams)
class GruBlock(_RecurrentBlock):
    """GRU: a gated recurrent unit layer along the sequence.

    Input shape: `(C, L)`.
    Output shape: `(units * directions, L)` with return_sequences, else `(units * directions,)`.
    """

    display_name = "GRU"
    gates = 3
    rnn_class = nn.GRU
