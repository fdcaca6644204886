"""Losses a Target block can use: a registry of name -> torch loss factory plus what it fits.

Each loss takes the model's outputs *after* the final activation (as Keras and Peltarion do) and
the target tensor, and returns the mean over the batch. `feature_types` lists the target feature
types it fits; `activations` the final activations it expects (None: any).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from kozak.registry import Registry

EPSILON = 1e-7  # Keras's backend epsilon, so clipped losses match the paper's framework


@dataclass(frozen=True)
class LossDef:
    """A loss: its factory and the target features and final activations it fits."""

    name: str
    display_name: str
    description: str
    factory: Callable[[], nn.Module]
    feature_types: frozenset[str]
    activations: frozenset[str] | None = None
    activation_advice: str = ""

    def build(self) -> nn.Module:
        """A fresh loss module: `loss(prediction, target) -> scalar`."""
        return self.factory()

    def fits_feature(self, feature_type: str) -> bool:
        """Whether the loss makes sense for a target feature of this type."""
        return feature_type in self.feature_types

    def fits_activation(self, activation: str) -> bool:
        """Whether the final activation suits the loss (always true when unconstrained)."""
        return self.activations is None or activation in self.activations


LOSSES: Registry[LossDef] = Registry("loss")

NUMERIC = frozenset({"float", "integer", "array"})
POSITIVE = frozenset({"relu", "softplus", "exp", "sigmoid", "softmax"})


class MeanSquaredLogarithmicError(nn.Module):
    """`mean((log(1 + clip(p)) - log(1 + clip(y)))^2)`, clipped at epsilon as Keras does."""

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        a = torch.log1p(pred.clamp_min(EPSILON))
        b = torch.log1p(target.clamp_min(EPSILON))
        return F.mse_loss(a, b)


class PoissonLoss(nn.Module):
    """`mean(p - y * log(p + eps))` on a predicted rate `p` (Keras's `poisson`)."""

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        return (pred - target * torch.log(pred + EPSILON)).mean()


class CategoricalCrossentropy(nn.Module):
    """Crossentropy on predicted class probabilities.

    The target is either one-hot/probabilities shaped like the prediction `(N, k)` or class
    indices `(N,)`.
    """

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        logp = torch.log(pred.clamp(EPSILON, 1.0 - EPSILON))
        if target.dim() == pred.dim() - 1:
            return F.nll_loss(logp, target.long())
        return -(target * logp).sum(dim=-1).mean()


class BinaryCrossentropy(nn.Module):
    """Binary crossentropy on probabilities, clipped to `[eps, 1 - eps]`."""

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(pred.clamp(EPSILON, 1.0 - EPSILON), target.to(pred.dtype))


class SquaredHinge(nn.Module):
    """`mean(max(1 - y * p, 0)^2)`; 0/1 labels are mapped to -1/1 as Keras does."""

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        y = target.to(pred.dtype)
        if bool(((y == 0) | (y == 1)).all()):
            y = 2.0 * y - 1.0
        return torch.clamp(1.0 - y * pred, min=0.0).pow(2).mean()


for _loss in (
    LossDef("mse", "Mean squared error", "Regression on continuous values.", nn.MSELoss, NUMERIC),
    LossDef("mae", "Mean absolute error", "Regression robust to outliers.", nn.L1Loss, NUMERIC),
    LossDef(
        "msle",
        "Mean squared logarithmic error",
        "Regression on non-negative values spanning orders of magnitude.",
        MeanSquaredLogarithmicError,
        NUMERIC,
        POSITIVE,
        "use a non-negative last activation (ReLU, Softplus, Exp)",
    ),
    LossDef("huber", "Huber", "Regression: squared near zero, absolute far out.", nn.HuberLoss, NUMERIC),
    LossDef(
        "poisson",
        "Poisson",
        "Regression on counts.",
        PoissonLoss,
        NUMERIC,
        POSITIVE,
        "the prediction is a rate and must be positive: use Exp or Softplus",
    ),
    LossDef(
        "categorical_crossentropy",
        "Categorical crossentropy",
        "Single-label classification.",
        CategoricalCrossentropy,
        frozenset({"categorical"}),
        frozenset({"softmax"}),
        "the prediction must be class probabilities: use Softmax",
    ),
    LossDef(
        "binary_crossentropy",
        "Binary crossentropy",
        "Multi-label or binary classification.",
        BinaryCrossentropy,
        frozenset({"multilabel", "categorical", "float", "integer"}),
        frozenset({"sigmoid"}),
        "each output must be a probability: use Sigmoid",
    ),
    LossDef(
        "squared_hinge",
        "Squared hinge",
        "Multi-label classification with margins (labels -1/1 or 0/1).",
        SquaredHinge,
        frozenset({"multilabel", "categorical", "integer"}),
        frozenset({"tanh", "linear"}),
        "the prediction is a margin: use Tanh or Linear",
    ),
):
    LOSSES.register(_loss.name, _loss)


def get_loss(name: str) -> LossDef:
    """The loss registered under `name`; `InvalidConfig` lists the valid names."""
    return LOSSES.get(name)
