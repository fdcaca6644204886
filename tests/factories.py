"""Test factories: experiment files over the native library, sized for quick training."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import yaml


def native_experiment_file(
    folder: Path,
    native: Path,
    name: str = "tutorial",
    *,
    project: str = "Yeast",
    training_percent: float = 10,
    validation_percent: float = 5,
    **settings: object,
) -> Path:
    """Write an experiment YAML: the tutorial model on a random slice of the native library.

    Args:
        folder: Where the YAML goes (as `<name>.yaml`).
        native: The native 5'UTR library.
        name: Experiment name.
        project: Project name.
        training_percent: Share of rows in `training` (10 % ≈ 1,200 rows).
        validation_percent: Share of rows in `validation`, drawn right after training's.
        **settings: Run settings overriding 1 epoch at batch size 64.
    """
    end = training_percent + validation_percent
    spec = {
        "name": name,
        "project": project,
        "dataset": {
            "name": "Native",
            "files": [str(native)],
            "rename": {"UTR": "seq"},
            "encoding": {"seq": {"alignment": "right", "length": 50, "padding": 10}},
            "subsets": [
                {"name": "training", "kind": "random", "end": training_percent, "seed": 3},
                {
                    "name": "validation",
                    "kind": "random",
                    "start": training_percent,
                    "end": end,
                    "seed": 3,
                },
            ],
        },
        "model": {"preset": "cuperus2017-tutorial"},
        "settings": {"epochs": 1, "batch_size": 64, **settings},
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


ADMIN_PASSWORD = "admin-password"


class UserClient:
    """A test client that sends one user's API token with every request."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self.request("DELETE", url, **kwargs)


def tiny_onehot_files(folder: Path, tiny_dna: Path, padding: int = 4) -> list[Path]:
    """`tiny_dna.csv` as the Peltarion tutorial shipped its data: the sequences as one-hot
    (4, W, 1) float32 arrays in `seq.npy` (left-aligned, `padding` empty positions on each side
    of the longest) and the other columns in `table.csv`."""
    import numpy as np
    import pandas as pd
    import torch

    from kozak.sequences import DNA, encode_strings, one_hot

    frame = pd.read_csv(tiny_dna)
    encoded = encode_strings(frame["seq"].tolist(), DNA)
    arrays = one_hot(
        torch.from_numpy(encoded.codes), torch.from_numpy(encoded.lengths),
        alphabet=DNA, length=encoded.max_length, alignment="left", padding=padding,
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "seq.npy", arrays[..., None].numpy().astype(np.float32))
    frame.drop(columns=["seq"]).to_csv(folder / "table.csv", index=False)
    return [folder / "seq.npy", folder / "table.csv"]


def tiny_experiment(
    workspace: Any,
    project: str,
    tiny_dna: Path,
    name: str = "tiny",
    *,
    files: list[Path] | None = None,
) -> Any:
    """A version of `tiny_dna.csv` (40 rows, training/validation subsets) in `project` and an
    experiment of a one-dense-layer model on it, created but not run; returns the experiment.
    With `files` (e.g. `tiny_onehot_files`), those are imported instead, encoded as detected."""
    from kozak.data import import_files
    from kozak.experiments import create_experiment
    from kozak.graph import chain
    from kozak.training import RunSettings

    draft = import_files(workspace, files or [tiny_dna], name=f"{name}-data", project=project)
    if files is None:
        draft.set_encoding("seq", length=12)
    for subset in list(draft.spec.subsets):
        draft.remove_subset(subset.name)
    draft.split(("training", "validation"), (75, 25), seed=0)
    version = draft.save()
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("expression", "target", {"feature": "expression"}),
    )
    settings = RunSettings.from_data({"epochs": 2, "batch_size": 8})
    return create_experiment(workspace, project, name, version, graph, settings)


def tiny_version(workspace: Any, project: str, tiny_dna: Path) -> Any:
    """The 40-row CSV as the tutorial sees it: `seq` (70-wide one-hot window), `growth_rate`."""
    from kozak.data import import_files

    draft = import_files(workspace, [tiny_dna], name="Tiny", project=project)
    draft.rename("expression", "growth_rate").set_encoding(
        "seq", alignment="right", length=50, padding=10
    )
    return draft.save()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def uatg_csv(path: Path, rows: int, length: int) -> Path:
    """A CSV of random sequences (`seq`) labelled `uatg` when they hold an ATG, else `none`."""
    import numpy as np

    rng = np.random.default_rng(0)
    lines = ["seq,label"]
    for _ in range(rows):
        seq = "".join(rng.choice(list("ACGT"), length))
        lines.append(f"{seq},{'uatg' if 'ATG' in seq else 'none'}")
    path.write_text("\n".join(lines) + "\n")
    return path


# A sequence classifier that needs one 3-wide filter to detect an upstream ATG.
# A model of a sequence (`seq`) and a number (`count`), as `tiny_dna.csv` holds them.
TWO_INPUTS = """
name: seq-and-count
nodes:
  - {id: seq, type: input, params: {feature: seq}}
  - {id: flat, type: flatten, params: {}}
  - {id: count, type: input, params: {feature: count}}
  - {id: join, type: concatenate, params: {axis: -1}}
  - {id: out, type: dense, params: {units: 1, activation: linear}}
  - {id: expression, type: target, params: {feature: expression}}
edges: [[seq, flat], [flat, join], [count, join], [join, out], [out, expression]]
"""


UATG_CLASSIFIER = """
name: uatg-classifier
nodes:
  - {id: seq, type: input, params: {feature: seq}}
  - {id: conv, type: conv1d, params: {filters: 8, kernel_size: 3}}
  - {id: pool, type: global_pool1d, params: {mode: max}}
  - {id: dense, type: dense, params: {units: 2, activation: softmax}}
  - {id: label, type: target, params: {feature: label, loss: categorical_crossentropy}}
edges: [[seq, conv], [conv, pool], [pool, dense], [dense, label]]
"""


def tutorial_onehot_npy(utrs: list[str], path: Path) -> Path:
    """An NPY of one-hot sequences as the tutorial ships them: (N, 4, 70) float32, the last
    50 nt right-aligned with 10 zero positions on each side."""
    import numpy as np
    import torch

    from kozak.sequences import DNA, encode_strings, one_hot

    encoded = encode_strings([u[-50:] for u in utrs], DNA)
    arrays = one_hot(
        torch.from_numpy(encoded.codes), torch.from_numpy(encoded.lengths),
        alphabet=DNA, length=50, alignment="right", padding=10,
    )  # fmt: skip
    np.save(path, arrays.numpy().astype(np.float32))
    return path


def float32_approx(expected: Any) -> Any:
    """`pytest.approx` for one model's float32 outputs computed again in another process, thread
    count or batch: equal up to rounding, which depends on the CPU's kernels, so never bit for bit.
    A wrong encoding or normalisation moves outputs by far more (≥ 1e-3)."""
    return pytest.approx(expected, rel=1e-5, abs=1e-5)


def many_experiments(
    store: Any,
    project_id: str,
    version_id: str,
    count: int,
    *,
    prefix: str = "exp",
    trained_every: int = 0,
) -> list[str]:
    """`count` experiments inserted straight into the metadata store (one statement), for
    list-size tests; every `trained_every`-th is completed with a best epoch and its metrics.
    Returns their ids in creation order."""
    from datetime import timedelta

    from sqlalchemy import insert

    from kozak.store.entities import EpochMetrics, Experiment, utcnow
    from kozak.store.tables import EpochMetricsRow, ExperimentRow

    start = utcnow()
    graph = {"name": "g", "nodes": [], "edges": []}
    settings = {"epochs": 4, "early_stopping": {"monitor": "val_loss", "mode": "min"}}
    rows, epochs = [], []
    for i in range(count):
        trained = bool(trained_every) and i % trained_every == 0
        loss = round(1.0 / (i + 1), 6)
        experiment = Experiment(
            project_id=project_id,
            name=f"{prefix}-{i:05d}",
            dataset_version_id=version_id,
            graph=graph,
            settings=settings,
            status="completed" if trained else "created",
            epochs_done=4 if trained else 0,
            best_epoch=2 if trained else None,
            epochs_planned=4,
            best_metric="val_loss" if trained else None,
            best_value=loss if trained else None,
            best_score=loss if trained else None,
            param_count=1000 + i,
            created_at=start + timedelta(microseconds=i),
            updated_at=start + timedelta(microseconds=i),
        )
        rows.append({**experiment.model_dump(), "artifact_path": f"experiments/{experiment.id}"})
        if trained:
            epochs.append(
                EpochMetrics(
                    experiment_id=experiment.id, epoch=2, metrics={"val_loss": loss}
                ).model_dump()
            )
    with store.engine.begin() as conn:
        conn.execute(insert(ExperimentRow), rows)
        if epochs:
            conn.execute(insert(EpochMetricsRow), epochs)
    return [row["id"] for row in rows]
