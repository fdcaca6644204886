"""Arrays in requests: tensor JSON, NPY data URLs and nested lists, also for one-hot sequences."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest

from factories import tiny_experiment, tiny_onehot_files
from kozak.data.versions import load_version
from kozak.deploy import RowError, ServingModel
from kozak.deploy.arrays import ArrayFormatError, array_value
from kozak.experiments import run_experiment
from kozak.experiments.checkpoints import local_checkpoint
from kozak.experiments.lifecycle import version_of
from kozak.store.entities import Experiment
from kozak.training.checkpoint import load_checkpoint
from kozak.training.predict import predict
from kozak.workspace import Workspace


def npy_url(array: np.ndarray) -> str:
    """An array as sidekick's NumpyEncoder sends it."""
    buffer = io.BytesIO()
    np.save(buffer, array.astype(np.float32))
    return "data:application/x.peltarion.npy;base64," + base64.b64encode(buffer.getvalue()).decode()


def tensor_json(array: np.ndarray) -> dict:
    """An array as sidekick's FloatTensorEncoder sends it."""
    return {"shape": list(array.shape), "data": array.astype(np.float32).flatten().tolist()}


def test_the_three_array_forms_read_the_same() -> None:
    array = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for form in (array.tolist(), tensor_json(array), npy_url(array)):
        np.testing.assert_array_equal(array_value(form), array)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"shape": [2, 2], "data": [1, 2, 3]}, "prod(shape)"),
        ({"shape": [2], "values": [1, 2]}, '{"shape"'),
        ("data:image/png;base64,AAAA", "x.peltarion.npy"),
        ("data:application/x.peltarion.npy;base64,not base64!", "base64 NPY"),
        ([[1, 2], [3]], "rectangular"),
        (3.5, "not an array"),
    ],
)
def test_broken_arrays_say_what_is_wrong(value: object, words: str) -> None:
    with pytest.raises(ArrayFormatError, match=words.replace("(", r"\(").replace(")", r"\)")):
        array_value(value)


@pytest.fixture
def onehot_model(workspace: Workspace, tiny_dna: Path, tmp_path: Path) -> Experiment:
    """A model trained on the tiny library imported as one-hot (4, W, 1) arrays."""
    files = tiny_onehot_files(tmp_path / "onehot", tiny_dna)
    return run_experiment(workspace, tiny_experiment(workspace, "P", tiny_dna, "oh", files=files))


def test_a_one_hot_sequence_model_answers_arrays_and_strings(
    workspace: Workspace, onehot_model: Experiment, tiny_dna: Path, tmp_path: Path
) -> None:
    path = local_checkpoint(workspace, onehot_model, "best")
    assert path is not None
    model = ServingModel.load(path, "cpu")
    seq = model.inputs["seq"]
    assert seq.spec.type == "sequence" and seq.array_shape == (4, 22, 1)
    arrays = np.load(tiny_onehot_files(tmp_path / "again", tiny_dna)[0])
    content = load_version(workspace, version_of(workspace, onehot_model))
    rows = np.arange(content.n_rows)
    _, expected = predict(load_checkpoint(path).build_model(), content, rows)["expression"]
    strings = content.feature("seq").values.decode()  # type: ignore[union-attr]
    for form in (np.ndarray.tolist, tensor_json, npy_url):
        served = model.predict([{"seq": form(a)} for a in arrays])
        assert [r["expression"] for r in served] == pytest.approx(expected.tolist(), abs=1e-6)
    mixed = model.predict([{"seq": strings[0]}, {"seq": npy_url(arrays[1])}, {"seq": strings[2]}])
    assert [r["expression"] for r in mixed] == pytest.approx(expected[:3].tolist(), abs=1e-6)


def test_a_string_model_takes_its_one_hot_tensor_too(workspace: Workspace, trained: Experiment) -> None:
    path = local_checkpoint(workspace, trained, "best")
    assert path is not None
    model = ServingModel.load(path, "cpu")
    hot = np.zeros((4, 12), dtype=np.float32)
    hot["ACGT".index("G"), 0] = hot["ACGT".index("A"), 1] = 1.0
    by_array = model.predict([{"seq": tensor_json(hot), "count": 3.0}])
    assert by_array == model.predict([{"seq": "GA", "count": 3.0}])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (np.zeros((4, 22, 1)), ["row 0", "'seq'", "4x22x1", "0/1"]),
        (np.ones((4, 5, 1)), ["row 0", "shape 4x5x1", "4x22x1"]),
        ({"shape": [1], "data": []}, ["row 0", "prod(shape)", "4x22x1"]),
    ],
)
def test_bad_one_hot_arrays_are_named(
    workspace: Workspace, onehot_model: Experiment, value: object, words: list[str]
) -> None:
    path = local_checkpoint(workspace, onehot_model, "best")
    assert path is not None
    sent = value.tolist() if isinstance(value, np.ndarray) else value
    with pytest.raises(RowError) as caught:
        ServingModel.load(path, "cpu").predict([{"seq": sent}])
    assert caught.value.details == {"row": 0, "feature": "seq"}
    assert all(word in caught.value.message for word in words), caught.value.message
