"""Run settings: how a model is trained (epochs, batch size, optimizer, schedule, stopping, device).

`RunSettings` is user-facing configuration (pydantic, `extra="forbid"`, frozen); it is stored with
each run and embedded in every checkpoint. Optimizers and learning-rate schedules are registries of
name -> factory, so adding one is one `register` call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Literal, Protocol

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from torch import nn

from kozak.errors import InvalidConfig, invalid_config
from kozak.registry import Registry
from kozak.training.precision import Precision, PrecisionChoice, resolve_precision

OptimizerName = Literal[
    "adam", "adamw", "adamax", "amsgrad", "nadam", "adadelta", "adagrad", "rmsprop", "sgd"
]
ScheduleKind = Literal["constant", "step", "exponential", "cosine", "plateau"]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptimizerSettings(_Settings):
    """Which optimizer updates the weights, and its hyper-parameters."""

    name: OptimizerName = Field(
        "adam", description="Optimizer; Adam is what Cuperus et al. (Keras 1.2.2 defaults) used."
    )
    lr: float = Field(1e-3, gt=0, description="Initial learning rate.")
    betas: tuple[float, float] = Field(
        (0.9, 0.999), description="Adam-family coefficients for the running averages."
    )
    eps: float = Field(
        1e-8, gt=0, description="Term added to denominators for numerical stability (Keras: 1e-8)."
    )
    momentum: float = Field(0.0, ge=0, description="Momentum (SGD, RMSprop).")
    nesterov: bool = Field(False, description="Nesterov momentum (SGD; needs momentum > 0).")
    weight_decay: float = Field(0.0, ge=0, description="L2 penalty (decoupled for AdamW).")


class ScheduleSettings(_Settings):
    """How the learning rate changes from epoch to epoch."""

    kind: ScheduleKind = Field(
        "constant",
        description="constant; step (times gamma every step_size epochs); exponential (times "
        "gamma each epoch); cosine (to min_lr over the run, after warmup_epochs of linear "
        "warm-up); plateau (times factor when val_loss stops improving for patience epochs).",
    )
    step_size: int = Field(10, ge=1, description="Epochs between decays (step).")
    gamma: float = Field(0.1, gt=0, le=1, description="Decay factor (step, exponential).")
    warmup_epochs: int = Field(0, ge=0, description="Linear warm-up epochs (cosine).")
    min_lr: float = Field(0.0, ge=0, description="Lowest learning rate (cosine, plateau).")
    factor: float = Field(0.1, gt=0, lt=1, description="Decay factor on a plateau.")
    patience: int = Field(2, ge=0, description="Epochs without improvement before decaying (plateau).")


class EarlyStoppingSettings(_Settings):
    """Stop when a validation metric stops improving."""

    enabled: bool = Field(False, description="Whether to stop early.")
    monitor: str = Field(
        "val_loss", description="Epoch metric watched, e.g. val_loss, val_mse, val_pearson_r2."
    )
    mode: Literal["min", "max"] = Field(
        "min", description="Whether lower (losses, errors) or higher (r², accuracy) is better."
    )
    patience: int = Field(
        0,
        ge=0,
        description="Epochs without improvement tolerated (0: stop at the first, as the paper's "
        "Keras 1.2.2 EarlyStopping did).",
    )
    min_delta: float = Field(0.0, ge=0, description="Smallest change that counts as improvement.")


class RunSettings(_Settings):
    """Everything about how one training run proceeds; stored with the run and its checkpoints."""

    batch_size: int = Field(32, ge=1, description="Examples per gradient step (the paper: 32).")
    epochs: int = Field(10, ge=1, description="Passes over the training subset.")
    optimizer: OptimizerSettings = Field(
        default_factory=OptimizerSettings, description="Optimizer and its hyper-parameters."
    )
    schedule: ScheduleSettings = Field(
        default_factory=ScheduleSettings, description="Learning-rate schedule, stepped per epoch."
    )
    early_stopping: EarlyStoppingSettings = Field(
        default_factory=EarlyStoppingSettings, description="Early stopping on a validation metric."
    )
    gradient_clip: float | None = Field(
        None, gt=0, description="Clip the global gradient norm to this value; none when empty."
    )
    seed: int = Field(0, ge=0, description="Seed for weights, shuffling, dropout and augmentation.")
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="Where to train; auto picks CUDA when available."
    )
    precision: Precision = Field(
        "auto",
        description="Numeric precision of the forward pass (weights, losses and optimizer stay "
        "float32): auto is bfloat16 on CPUs with AMX or AVX-512-BF16 and on GPUs that have it, "
        "float16 with loss scaling on other GPUs, float32 elsewhere; fp32, bf16 and fp16 force "
        "one. Evaluation, predictions and deployments use the same setting.",
    )
    rc_augmentation: bool = Field(
        False,
        description="During training, replace each DNA/RNA input sequence by its reverse "
        "complement with probability 1/2, drawn anew for every batch.",
    )
    training_subset: str = Field("training", description="Subset the model learns from.")
    validation_subset: str | None = Field(
        "validation", description="Subset evaluated after each epoch; none to skip validation."
    )

    @model_validator(mode="before")
    @classmethod
    def _legacy_mixed_precision(cls, data: Any) -> Any:
        # Settings stored before `precision` existed say `mixed_precision`: false ran fp32 (so
        # a re-run or an evaluation stays fp32), true ran float16 autocast on CUDA. A `precision`
        # merged into such settings (an edit) wins.
        if isinstance(data, dict) and "mixed_precision" in data:
            data = dict(data)
            legacy = "fp16" if data.pop("mixed_precision") else "fp32"
            data.setdefault("precision", legacy)
        return data

    @classmethod
    def from_data(cls, data: Any) -> RunSettings:
        """Validate parsed JSON/YAML data.

        Raises:
            InvalidConfig: Listing every refused field in `details["problems"]`.
        """
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise invalid_config(exc, "run settings") from None


def run_settings_schema() -> dict[str, Any]:
    """JSON Schema of `RunSettings` (drives the UI's settings form)."""
    return RunSettings.model_json_schema()


def resolve_device(name: str) -> torch.device:
    """The torch device for a `RunSettings.device` value.

    Raises:
        InvalidConfig: If CUDA is asked for and not available.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InvalidConfig("device 'cuda' was asked for, but no CUDA device is available")
    return torch.device(name)


def auto_precision_choices() -> dict[str, PrecisionChoice]:
    """What `precision: auto` runs in for each `device` setting this machine can honour."""
    devices = ["auto", "cpu", *(["cuda"] if torch.cuda.is_available() else [])]
    return {name: resolve_precision("auto", resolve_device(name)) for name in devices}


# ---- optimizers ----------------------------------------------------------------------------

Params = Iterable[nn.Parameter]
OptimizerFactory = Callable[[Params, OptimizerSettings], torch.optim.Optimizer]
OPTIMIZERS: Registry[OptimizerFactory] = Registry("optimizer")


def _adam_family(cls: Callable[..., torch.optim.Optimizer], **fixed: Any) -> OptimizerFactory:
    def build(params: Params, s: OptimizerSettings) -> torch.optim.Optimizer:
        return cls(params, lr=s.lr, betas=s.betas, eps=s.eps, weight_decay=s.weight_decay, **fixed)

    return build


OPTIMIZERS.register("adam", _adam_family(torch.optim.Adam))
OPTIMIZERS.register("amsgrad", _adam_family(torch.optim.Adam, amsgrad=True))
OPTIMIZERS.register("adamw", _adam_family(torch.optim.AdamW))
OPTIMIZERS.register("adamax", _adam_family(torch.optim.Adamax))
OPTIMIZERS.register("nadam", _adam_family(torch.optim.NAdam))
OPTIMIZERS.register(
    "adadelta",
    lambda p, s: torch.optim.Adadelta(p, lr=s.lr, eps=s.eps, weight_decay=s.weight_decay),
)
OPTIMIZERS.register(
    "adagrad",
    lambda p, s: torch.optim.Adagrad(p, lr=s.lr, eps=s.eps, weight_decay=s.weight_decay),
)
OPTIMIZERS.register(
    "rmsprop",
    lambda p, s: torch.optim.RMSprop(
        p, lr=s.lr, eps=s.eps, momentum=s.momentum, weight_decay=s.weight_decay
    ),
)


def _sgd(params: Params, s: OptimizerSettings) -> torch.optim.Optimizer:
    if s.nesterov and s.momentum <= 0:
        raise InvalidConfig("SGD with nesterov needs momentum > 0", optimizer="sgd")
    return torch.optim.SGD(
        params, lr=s.lr, momentum=s.momentum, nesterov=s.nesterov, weight_decay=s.weight_decay
    )


OPTIMIZERS.register("sgd", _sgd)


def build_optimizer(model: nn.Module, settings: OptimizerSettings) -> torch.optim.Optimizer:
    """The optimizer named in `settings`, over the model's trainable parameters."""
    params = [p for p in model.parameters() if p.requires_grad]
    return OPTIMIZERS.get(settings.name)(params, settings)


# ---- learning-rate schedules ---------------------------------------------------------------


class Schedule(Protocol):
    """A per-epoch learning-rate schedule (torch's schedulers fit, plateau needs the metric)."""

    def step(self, metric: float | None) -> None:
        """Advance one epoch; `metric` is the epoch's val_loss (or loss without validation)."""

    def state_dict(self) -> dict[str, Any]:
        """Serializable state."""

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict()`."""


class _EpochSchedule:
    """A torch LR scheduler stepped once per epoch, ignoring the metric."""

    def __init__(self, scheduler: torch.optim.lr_scheduler.LRScheduler) -> None:
        self.scheduler = scheduler

    def step(self, metric: float | None) -> None:
        self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.scheduler.state_dict().items() if k != "lr_lambdas"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scheduler.load_state_dict({**self.scheduler.state_dict(), **state})


class _PlateauSchedule:
    def __init__(self, optimizer: torch.optim.Optimizer, s: ScheduleSettings) -> None:
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=s.factor, patience=s.patience, min_lr=s.min_lr
        )

    def step(self, metric: float | None) -> None:
        if metric is not None:
            self.scheduler.step(metric)

    def state_dict(self) -> dict[str, Any]:
        return self.scheduler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scheduler.load_state_dict(state)


def _cosine(optimizer: torch.optim.Optimizer, s: ScheduleSettings, epochs: int) -> Schedule:
    base = optimizer.param_groups[0]["lr"]
    floor = min(s.min_lr / base, 1.0)
    decay = max(epochs - s.warmup_epochs, 1)

    def factor(epoch: int) -> float:
        if epoch < s.warmup_epochs:
            return (epoch + 1) / (s.warmup_epochs + 1)
        progress = min((epoch - s.warmup_epochs) / decay, 1.0)
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return _EpochSchedule(torch.optim.lr_scheduler.LambdaLR(optimizer, factor))


ScheduleFactory = Callable[[torch.optim.Optimizer, ScheduleSettings, int], Schedule]
SCHEDULES: Registry[ScheduleFactory] = Registry("learning-rate schedule")
SCHEDULES.register(
    "constant",
    lambda o, s, e: _EpochSchedule(torch.optim.lr_scheduler.LambdaLR(o, lambda epoch: 1.0)),
)
SCHEDULES.register(
    "step",
    lambda o, s, e: _EpochSchedule(
        torch.optim.lr_scheduler.StepLR(o, step_size=s.step_size, gamma=s.gamma)
    ),
)
SCHEDULES.register(
    "exponential",
    lambda o, s, e: _EpochSchedule(torch.optim.lr_scheduler.ExponentialLR(o, gamma=s.gamma)),
)
SCHEDULES.register("cosine", _cosine)
SCHEDULES.register("plateau", lambda o, s, e: _PlateauSchedule(o, s))


def build_schedule(optimizer: torch.optim.Optimizer, settings: RunSettings) -> Schedule:
    """The learning-rate schedule named in `settings`, for a run of `settings.epochs` epochs."""
    return SCHEDULES.get(settings.schedule.kind)(optimizer, settings.schedule, settings.epochs)
