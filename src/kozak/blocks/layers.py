"""Small `torch.nn` modules the block builders compose: activations, padding, layout moves.

All take batched tensors `(N, *shape)`; none has state beyond its weights.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class Exp(nn.Module):
    """`exp(x)`: a positive output, e.g. for a Poisson rate."""

    def forward(self, x: Tensor) -> Tensor:
        return torch.exp(x)


def _softmax(dim: int) -> nn.Module:
    return nn.Softmax(dim=dim)


# name -> factory(dim); `dim` (batched) matters only for softmax.
ACTIVATIONS: dict[str, Callable[[int], nn.Module]] = {
    "relu": lambda dim: nn.ReLU(),
    "gelu": lambda dim: nn.GELU(),
    "elu": lambda dim: nn.ELU(),
    "sigmoid": lambda dim: nn.Sigmoid(),
    "softmax": _softmax,
    "tanh": lambda dim: nn.Tanh(),
    "linear": lambda dim: nn.Identity(),
    "exp": lambda dim: Exp(),
    "softplus": lambda dim: nn.Softplus(),
}


def activation(name: str, dim: int = 1) -> nn.Module:
    """The module for an activation name; softmax normalises over batched axis `dim`."""
    return ACTIVATIONS[name](dim)


def activation_flops(name: str, elements: int) -> int:
    """FLOPs of an activation over `elements` values (0 for linear, ~3 per value for softmax)."""
    if name == "linear":
        return 0
    return 3 * elements if name == "softmax" else elements


class Dropout(nn.Dropout):
    """`nn.Dropout` whose kept values are scaled by exactly `1 / (1 - p)` in every precision.

    Torch's CPU dropout rounds the scale to the input's dtype before applying it: in bfloat16,
    p = 0.15 scales by 1.1797 instead of 1.1765, so training sees activations 0.28 % larger than
    evaluation does, per layer. A bf16-trained model then predicts with an offset that raises
    MSE while leaving correlation intact. Here the mask stays 0/1 (exact) and the scale is a
    float scalar, applied at float precision before each value is rounded once.
    """

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0 or x.dtype in (torch.float32, torch.float64):
            return super().forward(x)
        keep = torch.empty_like(x).bernoulli_(1.0 - self.p)
        return x * keep * (1.0 / (1.0 - self.p))


class Pad(nn.Module):
    """Zero padding on the trailing spatial axes: `pads` as `F.pad` takes them."""

    def __init__(self, pads: tuple[int, ...]) -> None:
        super().__init__()
        self.pads = pads

    def forward(self, x: Tensor) -> Tensor:
        return F.pad(x, self.pads)


class ChannelsLast(nn.Module):
    """Runs a channels-first module on a channels-last tensor: `(N, H, W, C)` in and out."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: Tensor) -> Tensor:
        y = self.inner(x.movedim(-1, 1))  # (N, C, H, W)
        return y.movedim(1, -1)


class Reshape(nn.Module):
    """Reshape each example to `shape` (batch dimension kept)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], *self.shape)


class Permute(nn.Module):
    """Permute the non-batch axes by `dims` (0-based, excluding batch)."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = (0, *(d + 1 for d in dims))

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(self.dims)


def glorot_(module: nn.Module) -> nn.Module:
    """Keras's default initialisation (Glorot-uniform weights, zero biases), as the paper used."""
    for name, param in module.named_parameters():
        if name.endswith("bias"):
            nn.init.zeros_(param)
        elif param.dim() >= 2:
            nn.init.xavier_uniform_(param)
    return module
