"""`kozak models`: list, show (presets and files), export and schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from kozak.cli import app
from kozak.graph import GraphSpec, preset

runner = CliRunner()


def test_show_tutorial_prints_the_shapes_where_the_tutorial_shows_them() -> None:
    result = runner.invoke(app, ["models", "show", "cuperus2017-tutorial"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    rows = {
        line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") >= 5
    }
    assert "1 x 58 x 128" in rows["conv1"]
    assert "1 x 46 x 128" in rows["conv2"]
    assert "1 x 34 x 128" in rows["conv3"]
    assert re.search(r"│\s+4352\s+│", rows["flatten"])
    assert "6,784" in rows["conv1"]
    assert "711,681" in rows["total"]


def test_show_cuperus2017_totals_and_input_length() -> None:
    result = runner.invoke(app, ["models", "show", "cuperus2017"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "1,451,137" in result.output and "6912" in result.output
    shorter = runner.invoke(
        app, ["models", "show", "cuperus2017", "--input-length", "50"], env={"COLUMNS": "160"}
    )
    assert "1 x 34 x 128" in shorter.output and "4352" in shorter.output


def test_show_reads_a_graph_file_and_reports_its_issues(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    bad = preset("cuperus2017-tutorial").to_dict()
    bad["nodes"][1]["params"]["width"] = 80
    path.write_text(GraphSpec.from_data(bad).to_yaml())
    result = runner.invoke(app, ["models", "show", str(path)], env={"COLUMNS": "160"})
    assert result.exit_code == 1
    assert "shape.mismatch" in result.output and "conv1" in result.output


def test_show_json_and_unknown_source() -> None:
    result = runner.invoke(app, ["models", "show", "deepbind", "--json"])
    data = json.loads(result.output)
    assert data["info"]["total_params"] == sum(n["params"] for n in data["info"]["nodes"])
    missing = runner.invoke(app, ["models", "show", "no-such-model"])
    assert missing.exit_code != 0
    assert "neither a preset nor a graph file" in str(missing.exception)


def test_list_export_and_schema(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["models", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    for name in ("cuperus2017-tutorial", "deepsea", "conv2d", "transformer"):
        assert name in listed.output
    out = tmp_path / "basset.yaml"
    assert runner.invoke(app, ["models", "export", "basset", "-o", str(out)]).exit_code == 0
    assert GraphSpec.load(out) == preset("basset")
    schema = json.loads(runner.invoke(app, ["models", "schema", "dense"]).output)
    assert schema["properties"]["units"]["display_name"] == "Nodes"
