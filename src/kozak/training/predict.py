"""Predictions of a trained model on rows of a dataset version, in the targets' own units."""

from __future__ import annotations

import numpy as np
import torch

from kozak.data.feature_spec import FeatureType
from kozak.data.prepare import VersionContent
from kozak.graph.compile import GraphModule
from kozak.training.data import batch_slices, denormalize, row_set, target_specs

PREDICT_BATCH = 1024  # no gradients: large batches are cheapest per row


@torch.no_grad()
def predict(
    model: GraphModule, content: VersionContent, rows: np.ndarray, device: str | torch.device = "cpu"
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(true, predicted) per target for `rows`: regression de-normalised, classes as probabilities.

    Returns:
        Target name → (true values (N,) or (N, K), predictions (N,) or (N, K)).
    """
    device = torch.device(device)
    model = model.to(device).eval()
    targets = list(model.output_shapes)
    rows_on_device = row_set(content, list(model.input_shapes), targets, rows, device)
    specs = target_specs(content, targets)
    preds: dict[str, list[np.ndarray]] = {t: [] for t in targets}
    trues: dict[str, list[np.ndarray]] = {t: [] for t in targets}
    index = torch.arange(len(rows), device=device)
    for _, chunk in batch_slices(len(rows), PREDICT_BATCH):
        inputs, expected = rows_on_device.batch(index[chunk])
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
