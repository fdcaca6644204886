"""Training: run settings, the device-side data path, the loop, callbacks and checkpoints.

model = build_model(graph_spec, content, seed=0)
result = train(model, content, graph_spec, RunSettings(epochs=3), [ModelCheckpoint("ckpt")])
model = load_checkpoint("ckpt/best.pt").build_model()
"""

from kozak.training.callbacks import (
    Callback,
    EarlyStopping,
    MetricsHistory,
    ModelCheckpoint,
    RichProgress,
    RunControl,
)
from kozak.training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from kozak.training.data import denormalize, normalize
from kozak.training.loop import TrainResult, build_model, train
from kozak.training.settings import (
    OPTIMIZERS,
    SCHEDULES,
    EarlyStoppingSettings,
    OptimizerSettings,
    RunSettings,
    ScheduleSettings,
    run_settings_schema,
)

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "EarlyStoppingSettings",
    "MetricsHistory",
    "ModelCheckpoint",
    "OptimizerSettings",
    "RichProgress",
    "RunControl",
    "RunSettings",
    "ScheduleSettings",
    "TrainResult",
    "build_model",
    "denormalize",
    "load_checkpoint",
    "normalize",
    "run_settings_schema",
    "save_checkpoint",
    "train",
]
