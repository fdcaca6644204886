"""Losses: values against hand computations, and which features and activations they fit."""

from __future__ import annotations

import math

import pytest
import torch

from kozak.blocks import LOSSES, get_loss
from kozak.blocks.io import LossName
from kozak.errors import InvalidConfig


def value(name: str, pred: list[float] | list[list[float]], target: object) -> float:
    t = target if isinstance(target, torch.Tensor) else torch.tensor(target)
    return float(get_loss(name).build()(torch.tensor(pred), t))


def test_every_target_loss_option_is_registered() -> None:
    assert set(LossName.__args__) == set(LOSSES.names())  # type: ignore[attr-defined]


def test_regression_losses() -> None:
    assert value("mse", [1.0, 3.0], [0.0, 1.0]) == pytest.approx((1 + 4) / 2)
    assert value("mae", [1.0, 3.0], [0.0, 1.0]) == pytest.approx(1.5)
    assert value("huber", [0.5, 3.0], [0.0, 0.0]) == pytest.approx((0.125 + 2.5) / 2)
    expected = ((math.log(3) - math.log(2)) ** 2 + 0.0) / 2
    assert value("msle", [2.0, 1.0], [1.0, 1.0]) == pytest.approx(expected)
    assert value("poisson", [2.0], [3.0]) == pytest.approx(2 - 3 * math.log(2), rel=1e-5)


def test_classification_losses() -> None:
    probs = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    assert value("categorical_crossentropy", probs, [[1.0, 0, 0], [0, 1.0, 0]]) == pytest.approx(
        expected, rel=1e-5
    )
    indices = torch.tensor([0, 1])
    assert value("categorical_crossentropy", probs, indices) == pytest.approx(expected, rel=1e-5)
    bce = -(math.log(0.9) + math.log(0.8)) / 2
    assert value("binary_crossentropy", [0.9, 0.2], [1.0, 0.0]) == pytest.approx(bce, rel=1e-5)
    # 0/1 labels become -1/1: margins 1 - 0.5 = 0.5 and 1 - 2 = clipped to 0
    assert value("squared_hinge", [0.5, -2.0], [1.0, 0.0]) == pytest.approx(0.25 / 2)


@pytest.mark.parametrize(
    ("loss", "feature", "fits"),
    [
        ("categorical_crossentropy", "float", False),
        ("categorical_crossentropy", "categorical", True),
        ("mse", "float", True),
        ("mse", "categorical", False),
        ("binary_crossentropy", "multilabel", True),
        ("poisson", "integer", True),
        ("squared_hinge", "float", False),
    ],
)
def test_feature_fit(loss: str, feature: str, fits: bool) -> None:
    assert get_loss(loss).fits_feature(feature) is fits


def test_activation_fit() -> None:
    assert get_loss("categorical_crossentropy").fits_activation("softmax")
    assert not get_loss("categorical_crossentropy").fits_activation("relu")
    assert get_loss("mse").fits_activation("anything")
    assert not get_loss("poisson").fits_activation("linear")


def test_unknown_loss_lists_valid_names() -> None:
    with pytest.raises(InvalidConfig, match="mse"):
        get_loss("cross_entropy")
