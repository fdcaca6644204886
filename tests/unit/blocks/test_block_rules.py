"""Block shape rules, errors with hints, and the reverse-complement-equivariant convolution."""

from __future__ import annotations

import pytest
import torch

from kozak.blocks import check_params, get_block
from kozak.blocks.base import conv_output_length, same_padding
from kozak.errors import InvalidConfig, ShapeError


def shape_of(block: str, params: dict[str, object], *shapes: tuple[int, ...]) -> tuple[int, ...]:
    cls = get_block(block)
    return cls.output_shape(list(shapes), check_params(cls, params))


def test_conv2d_reproduces_the_tutorial_shapes() -> None:
    first = shape_of("conv2d", {"filters": 128, "width": 13, "height": 4}, (4, 70, 1))
    assert first == (1, 58, 128)
    second = shape_of("conv2d", {"filters": 128, "width": 13, "height": 1}, first)
    assert second == (1, 46, 128)
    assert shape_of("conv2d", {"filters": 128, "width": 13, "height": 1}, second) == (1, 34, 128)
    assert shape_of("flatten", {}, (1, 34, 128)) == (4352,)


def test_conv2d_same_padding_keeps_the_width_as_in_the_released_model() -> None:
    params = {"filters": 128, "width": 17, "height": 1, "padding": "same"}
    assert shape_of("conv2d", params, (1, 54, 128)) == (1, 54, 128)


@pytest.mark.parametrize(
    ("length", "kernel", "stride", "dilation", "padding", "expected"),
    [
        (70, 13, 1, 1, "valid", 58),
        (70, 17, 1, 1, "valid", 54),
        (10, 3, 2, 1, "valid", 4),
        (10, 3, 1, 2, "valid", 6),
        (11, 4, 2, 2, "same", 6),
        (54, 17, 1, 1, "same", 54),
    ],
)
def test_conv_output_length_follows_the_keras_formulas(
    length: int, kernel: int, stride: int, dilation: int, padding: str, expected: int
) -> None:
    assert conv_output_length(length, kernel, stride, dilation, padding, "width") == expected
    real = torch.nn.functional.conv1d(
        torch.nn.functional.pad(
            torch.zeros(1, 1, length),
            same_padding(length, kernel, stride, dilation) if padding == "same" else (0, 0),
        ),
        torch.zeros(1, 1, kernel),
        stride=stride,
        dilation=dilation,
    )
    assert real.shape[-1] == expected


def test_conv2d_error_names_expected_and_actual_and_what_to_change() -> None:
    with pytest.raises(ShapeError) as err:
        shape_of("conv2d", {"filters": 8, "width": 80, "height": 4}, (4, 70, 1))
    assert err.value.details["actual"] == 70
    assert "width" in err.value.details["expected"]
    assert "padding 'same'" in err.value.details["hint"]


def test_conv2d_on_a_channels_first_sequence_points_to_the_input_shape() -> None:
    with pytest.raises(ShapeError) as err:
        shape_of("conv2d", {"filters": 8, "width": 3, "height": 4}, (4, 70))
    assert err.value.details["actual"] == [4, 70]
    assert "(4, L, 1)" in err.value.details["hint"]


def test_dense_requires_a_vector_and_says_to_flatten() -> None:
    with pytest.raises(ShapeError) as err:
        shape_of("dense", {"units": 4}, (1, 34, 128))
    assert "Flatten" in err.value.details["hint"]


def test_depthwise_needs_a_multiple_of_the_channels() -> None:
    with pytest.raises(ShapeError) as err:
        shape_of("conv1d", {"filters": 6, "kernel_size": 3, "depthwise": True}, (4, 10))
    assert err.value.details["actual"] == 6


@pytest.mark.parametrize(
    ("block", "params", "shapes", "expected"),
    [
        ("max_pool1d", {"pool_size": 4}, [(320, 993)], (320, 248)),
        ("avg_pool2d", {"width": 2, "height": 1, "padding": "same"}, [(1, 7, 3)], (1, 4, 3)),
        ("global_pool2d", {"mode": "avg"}, [(2, 5, 3)], (3,)),
        ("concatenate", {"axis": 0}, [(64,), (1,)], (65,)),
        ("reshape", {"shape": [4, -1, 1]}, [(4, 70)], (4, 70, 1)),
        ("permute", {"dims": [1, 0]}, [(4, 70)], (70, 4)),
        ("lstm", {"units": 8, "bidirectional": True}, [(4, 70)], (16,)),
        ("gru", {"units": 8, "return_sequences": True}, [(4, 70)], (8, 70)),
        ("embedding", {"vocab_size": 5, "dim": 8}, [(70,)], (8, 70)),
        ("transformer", {"heads": 4}, [(64, 20)], (64, 20)),
    ],
)
def test_shape_rules(
    block: str, params: dict[str, object], shapes: list[tuple[int, ...]], expected: tuple[int, ...]
) -> None:
    assert shape_of(block, params, *shapes) == expected


@pytest.mark.parametrize(
    ("block", "params", "shapes"),
    [
        ("add", {}, [(3, 4), (3, 5)]),
        ("concatenate", {"axis": 0}, [(3, 4), (3, 5)]),
        ("reshape", {"shape": [5, -1]}, [(3, 4)]),
        ("transformer", {"heads": 3}, [(64, 20)]),
        ("batch_norm", {"axis": 2}, [(3, 4)]),
        ("input", {"feature": "seq", "shape": [4, 71, 1]}, [(4, 70)]),
    ],
)
def test_mismatches_raise_shape_errors_with_details(
    block: str, params: dict[str, object], shapes: list[tuple[int, ...]]
) -> None:
    with pytest.raises(ShapeError) as err:
        shape_of(block, params, *shapes)
    assert {"expected", "actual", "hint"} <= set(err.value.details)


def test_invalid_params_are_invalid_config() -> None:
    with pytest.raises(InvalidConfig) as err:
        check_params(get_block("conv1d"), {"filters": 0})
    assert err.value.details["block"] == "conv1d"
    with pytest.raises(InvalidConfig):
        check_params(get_block("dense"), {"units": 3, "nodes": 4})  # unknown key
    with pytest.raises(InvalidConfig):
        check_params(get_block("conv1d"), {"filters": 5, "rc_equivariant": True})


def _rc(x: torch.Tensor) -> torch.Tensor:
    """Reverse complement of a batch of (N, C, L) one-hot-like tensors in A, C, G, T order."""
    return x.flip(1, 2)


def test_rc_equivariant_conv_commutes_with_reverse_complement() -> None:
    cls = get_block("conv1d")
    params = check_params(
        cls, {"filters": 8, "kernel_size": 5, "rc_equivariant": True, "activation": "linear"}
    )
    torch.manual_seed(0)
    module = cls.build([(4, 20)], params)
    with torch.no_grad():
        conv = module.get_submodule("0")
        assert isinstance(conv.bias, torch.Tensor)
        conv.bias.uniform_(-1, 1)  # a zero bias would hide a wrong bias layout
    x = torch.rand(3, 4, 20)
    y = module(x)
    assert torch.allclose(module(_rc(x)), _rc(y), atol=1e-6)
    # stacking a second equivariant layer keeps the property
    second = cls.build(
        [(8, 16)], check_params(cls, {"filters": 4, "kernel_size": 3, "rc_equivariant": True})
    )
    assert torch.allclose(second(module(_rc(x))), _rc(second(y)), atol=1e-5)


def test_plain_conv_is_not_rc_equivariant() -> None:
    cls = get_block("conv1d")
    torch.manual_seed(0)
    module = cls.build(
        [(4, 20)], check_params(cls, {"filters": 8, "kernel_size": 5, "activation": "linear"})
    )
    x = torch.rand(3, 4, 20)
    assert not torch.allclose(module(_rc(x)), _rc(module(x)), atol=1e-3)


def test_same_average_pooling_averages_only_real_positions() -> None:
    cls = get_block("avg_pool1d")
    module = cls.build([(1, 4)], check_params(cls, {"pool_size": 3, "stride": 1, "padding": "same"}))
    out = module(torch.tensor([[[1.0, 2.0, 3.0, 4.0]]]))
    assert torch.allclose(out, torch.tensor([[[1.5, 2.0, 3.0, 3.5]]]))


def test_same_max_pooling_ignores_padding_for_negative_values() -> None:
    cls = get_block("max_pool1d")
    module = cls.build([(1, 3)], check_params(cls, {"pool_size": 2, "padding": "same"}))
    out = module(torch.tensor([[[-3.0, -2.0, -1.0]]]))
    assert torch.equal(out, torch.tensor([[[-2.0, -1.0]]]))


def test_conv_and_dense_use_glorot_uniform_with_zero_bias_like_the_paper() -> None:
    cls = get_block("dense")
    torch.manual_seed(0)
    linear = cls.build([(6912,)], check_params(cls, {"units": 128})).get_submodule("0")
    assert isinstance(linear, torch.nn.Linear)
    bound = (6 / (6912 + 128)) ** 0.5
    assert linear.weight.abs().max() <= bound
    assert linear.weight.abs().max() > 0.9 * bound
    assert torch.count_nonzero(linear.bias) == 0


def test_softmax_activation_normalises_the_chosen_axis() -> None:
    cls = get_block("activation")
    x = torch.rand(2, 3, 5)
    first = cls.build([(3, 5)], check_params(cls, {"function": "softmax"}))(x)
    assert torch.allclose(first.sum(dim=1), torch.ones(2, 5))
    last = cls.build([(3, 5)], check_params(cls, {"function": "softmax", "axis": -1}))(x)
    assert torch.allclose(last.sum(dim=2), torch.ones(2, 3))


def test_bidirectional_lstm_final_state_joins_both_directions() -> None:
    cls = get_block("lstm")
    torch.manual_seed(0)
    module = cls.build([(4, 6)], check_params(cls, {"units": 3, "bidirectional": True}))
    x = torch.rand(2, 4, 6)
    out = module(x)
    seq, _ = module.get_submodule("rnn")(x.transpose(1, 2))  # (N, L, 2H)
    assert torch.allclose(out[:, :3], seq[:, -1, :3])  # forward direction ends at the last step
    assert torch.allclose(out[:, 3:], seq[:, 0, 3:])  # backward direction ends at the first
