"""Predictions of a trained model on rows of a dataset version, in the targets' own units.

They run in the precision the model was trained with (its run settings' `precision`), resolved
on the device they run on.
"""

from __future__ import annotations

import numpy as np
import torch

from kozak.data.feature_spec import FeatureType
from kozak.data.prepare import VersionContent
from kozak.graph.compile import GraphModule
from kozak.training.data import batch_slices, denormalize, row_set, target_specs
from kozak.training.precision import resolve_precision

PREDICT_BATCH = 1024  # no gradients: large batches are cheapest per row


@torch.no_grad()
def predict(
    model: GraphModule,
    content: VersionContent,
    rows: np.ndarray,
    device: str | torch.device = "cpu",
    precision: str = "fp32",
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(true, predicted) per target for `rows`: regression de-normalised, classes as probabilities.

    Args:
        model: The trained model (moved to `device`, put in eval mode).
        content: The dataset version's content.
        rows: Row indices to predict.
        device: Where to run.
        precision: A `RunSettings.precision` value (normally the run's own).

    Returns:
        Target name → (true values (N,) or (N, K), predictions (N,) or (N, K)).
    """
    device = torch.device(device)
    choice = resolve_precision(precision, device)
    model = model.to(device).eval()
    targets = list(model.output_shapes)
    rows_on_device = row_set(content, list(model.input_shapes), targets, rows, device, choice.dtype)
    specs = target_specs(content, targets)
    preds: dict[str, list[np.ndarray]] = {t: [] for t in targets}
    trues: dict[str, list[np.ndarray]] = {t: [] for t in targets}
    index = torch.arange(len(rows), device=device)
    for _, chunk in batch_slices(len(rows), PREDICT_BATCH):
        inputs, expected = rows_on_device.batch(index[chunk])
        with choice.autocast():
            outputs = model(inputs)
        for name in targets:
            preds[name].append(outputs[name].float().cpu().numpy())
            trues[name].append(expected[name].float().cpu().numpy())
    result = {}
    for name in targets:
        pred, true = np.concatenate(preds[name]), np.concatenate(trues[name])
        if specs[name].type in (FeatureType.INTEGER, FeatureType.FLOAT):
            pred = np.asarray(denormalize(pred.astype(np.float64), specs[name])).reshape(-1)
            true = np.asarray(denormalize(true.astype(np.float64), specs[name])).reshape(-1)
        result[name] = (true, pred)
    return result
