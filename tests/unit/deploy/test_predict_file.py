"""`kozak predict`: CSV and FASTA files through an experiment or a deployment URL, to a CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from factories import float32_approx
from kozak.cli import app
from kozak.deploy import ServingModel
from kozak.deploy.predict_file import LocalPredictor, predict_file
from kozak.deployment_client import Deployment
from kozak.errors import DataError
from kozak.experiments.checkpoints import local_checkpoint
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

Live = tuple[str, str, str]
CSV = """name,seq,count,expression
a,ACGTACGTAC,3,0.5
b,ttgacaATG,0.5,
c,GGGGCCCCAAAATTTT,12,1.5
d,A,-1,
e,ACGUACGU,7,2
"""


def _serving(workspace: Workspace, experiment: Experiment) -> ServingModel:
    path = local_checkpoint(workspace, experiment, "best")
    assert path is not None
    return ServingModel.load(path, "cpu")


def _expected(model: ServingModel, table: pd.DataFrame) -> list[float]:
    rows = [{"seq": s, "count": float(c)} for s, c in zip(table["seq"], table["count"], strict=True)]
    return [p["expression"] for p in model.predict(rows)]


@pytest.fixture
def home(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's workspace is the tests' one."""
    monkeypatch.setenv("KOZAK_HOME", str(settings.home))
    return settings.home


def test_predict_a_csv_with_an_experiment(
    workspace: Workspace, trained: Experiment, home: Path, tmp_path: Path
) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out" / "predictions.csv"
    source.write_text(CSV)
    arguments = ["predict", trained.name, "-p", "P", "-i", str(source), "-o", str(target)]
    result = CliRunner().invoke(app, [*arguments, "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(target, keep_default_na=False)
    # Input columns pass through as they were; the measured `expression` is not overwritten.
    assert list(written.columns) == ["name", "seq", "count", "expression", "expression_pred"]
    assert written["seq"].tolist() == pd.read_csv(source)["seq"].tolist()
    assert written["expression"].tolist() == ["0.5", "", "1.5", "", "2"]
    expected = _expected(_serving(workspace, trained), written)
    assert written["expression_pred"].tolist() == float32_approx(list(expected))


def test_predict_a_fasta_with_a_classifier(
    workspace: Workspace, classifier: Experiment, tmp_path: Path
) -> None:
    source, target = tmp_path / "utrs.fa", tmp_path / "out.csv"
    source.write_text(">u1 first\nACGTATGCAA\nACCCGG\n>u2\nCCCCCCCCGGGGGGGG\n\n>u3\natgatgatg\n")
    model = _serving(workspace, classifier)
    done: list[int] = []
    written = predict_file(LocalPredictor(model), source, target, batch_size=2, on_progress=done.append)
    assert written == 3
    assert done == [2, 3]
    table = pd.read_csv(target)
    categories = list(model.targets["label"].categories or ())
    assert list(table.columns) == ["id", "seq", *(f"label_prob:{c}" for c in categories)]
    assert table["id"].tolist() == ["u1", "u2", "u3"]
    assert table["seq"].tolist() == ["ACGTATGCAAACCCGG", "CCCCCCCCGGGGGGGG", "atgatgatg"]
    expected = model.predict([{"seq": s} for s in table["seq"]])
    for category in categories:
        probabilities = [p["label"][category] for p in expected]
        assert table[f"label_prob:{category}"].tolist() == float32_approx(probabilities)


def test_bad_inputs_say_where(workspace: Workspace, trained: Experiment, tmp_path: Path) -> None:
    predictor = LocalPredictor(_serving(workspace, trained))
    bad = tmp_path / "bad.tsv"
    bad.write_text("seq\tcount\nACGT\t1\nACGT\t2\nACGT\tmany\n")
    with pytest.raises(DataError, match=r"^bad.tsv: row 3, feature 'count': 'many' is not a number"):
        predict_file(predictor, bad, tmp_path / "out.csv", batch_size=2)
    assert not list(tmp_path.glob("out.csv*"))  # no half-written output
    letters = tmp_path / "letters.csv"
    letters.write_text("seq,count\nACGT,1\nACGT,2\nACGTXA,3\n")
    with pytest.raises(DataError, match=r"row 3, feature 'seq': unexpected character 'X'"):
        predict_file(predictor, letters, tmp_path / "out.csv", batch_size=2)
    no_count = tmp_path / "seqs.csv"
    no_count.write_text("seq\nACGT\n")
    with pytest.raises(DataError, match="no column 'count', which the model reads"):
        predict_file(predictor, no_count, tmp_path / "out.csv")
    fasta = tmp_path / "seqs.fasta"
    fasta.write_text(">a\nACGT\n")
    with pytest.raises(DataError, match="reads seq, count; write a CSV"):
        predict_file(predictor, fasta, tmp_path / "out.csv")


def test_predict_through_a_deployment(
    workspace: Workspace, trained: Experiment, live_deployment: Live, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    root, deployment_id, token = live_deployment
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(CSV)
    monkeypatch.setenv("KOZAK_DEPLOYMENT_TOKEN", token)
    url = f"{root}/deployment/{deployment_id}/forward"
    result = CliRunner().invoke(
        app, ["predict", url, "-i", str(source), "-o", str(target), "--batch-size", "2"]
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(target)
    expected = _expected(_serving(workspace, trained), written)
    assert written["expression_pred"].tolist() == float32_approx(list(expected))
    # A bad row in the third batch is named by its place in the file, not in the batch.
    bad = tmp_path / "bad.csv"
    bad.write_text("seq,count\n" + "ACGT,1\n" * 5 + "ACGTXA,3\n")
    with (
        Deployment(f"{root}/deployment/{deployment_id}", token) as deployment,
        pytest.raises(DataError, match=r"^bad.csv: row 6, feature 'seq'") as caught,
    ):
        predict_file(deployment, bad, tmp_path / "out2.csv", batch_size=2)
    assert caught.value.details["row"] == 6 and caught.value.details["file"] == "bad.csv"
    wrong = CliRunner().invoke(
        app, ["predict", url, "-i", str(source), "-o", str(target), "--token", "kzd_nope"]
    )
    assert wrong.exit_code != 0 and "token" in str(wrong.exception)
