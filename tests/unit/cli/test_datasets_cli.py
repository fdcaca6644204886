"""`kozak datasets` end to end through the Typer app, against a temporary workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kozak.cli import app
from kozak.errors import InvalidConfig

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KOZAK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "home"


def test_import_list_show_diff(tiny_dna: Path) -> None:
    result = runner.invoke(
        app,
        [
            "datasets",
            "import",
            str(tiny_dna),
            "--name",
            "Tiny",
            "-p",
            "Lab",
            "--rename",
            "expression=growth_rate",
            "--split",
            "70,30",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "version v1" in result.output and "sequence" in result.output and "growth_rate" in result.output
    )
    result = runner.invoke(
        app,
        [
            "datasets",
            "import",
            str(tiny_dna),
            "--name",
            "Tiny",
            "-p",
            "Lab",
            "--align",
            "seq=right",
            "--rank",
            "top:top:10:count",
        ],
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["datasets", "list", "-p", "Lab"])
    assert "Tiny" in listed.output and " 2 " in listed.output
    shown = runner.invoke(app, ["datasets", "show", "Tiny@v2", "-p", "Lab"])
    assert "right" in shown.output and "top" in shown.output
    diff = runner.invoke(app, ["datasets", "diff", "Tiny@v1", "Tiny@v2", "-p", "Lab"])
    assert '"added"' in diff.output and '"top"' in diff.output


def test_native_library_in_one_command(native_utrs: Path) -> None:
    result = runner.invoke(
        app,
        [
            "datasets",
            "import",
            str(native_utrs),
            "--name",
            "Native",
            "--rank",
            "test:top:5:t0",
            "--rank",
            "training:bottom:95:t0",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "11856 rows" in result.output
    for line in ("│ UTR ", "│ t0 ", "│ growth_rate "):
        row = next(r for r in result.output.splitlines() if line in r)
        assert {"│ UTR ": "sequence", "│ t0 ": "integer", "│ growth_rate ": "float"}[line] in row
    assert "593" in result.output and "11263" in result.output


def test_errors_are_one_line_with_details(tmp_path: Path, home: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("seq,y\n" + "ACGTACGTAA,1\n" * 30 + "ACGTACGXAA,2\n")
    result = subprocess.run(
        [sys.executable, "-m", "kozak", "datasets", "import", str(bad), "--name", "Bad"],
        capture_output=True,
        text=True,
        env={**os.environ, "KOZAK_HOME": str(home)},
        check=False,
    )
    assert result.returncode == 1
    assert "unexpected character 'X' at position 8" in result.stderr
    assert "row: 31" in result.stderr and "Traceback" not in result.stderr  # the 31st data row


@pytest.mark.parametrize(
    "choice,rows,message",
    [
        ("drop", 30, "dropped 1 row that seq cannot read"),
        ("as_n", 31, "read 1 unknown letter in 1 row of seq as N"),
    ],
)
def test_rows_a_feature_cannot_read_are_dropped_or_read_as_n(
    tmp_path: Path, choice: str, rows: int, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("seq,y\n" + "ACGTACGTAA,1\n" * 30 + "ACGTACGXAA,2\n")
    result = runner.invoke(
        app, ["datasets", "import", str(bad), "--name", "B", "--invalid", f"seq={choice}"]
    )
    assert result.exit_code == 0, result.output
    assert f"{rows} rows" in result.output and message in result.output


@pytest.mark.parametrize(
    "option",
    [
        ["--rank", "test:top:five:t0"],
        ["--split", "80,x"],
        ["--align", "seq=middle"],
        ["--type", "count=decimal"],
    ],
)
def test_bad_options_are_clean_errors(tiny_dna: Path, option: list[str]) -> None:
    result = runner.invoke(app, ["datasets", "import", str(tiny_dna), "--name", "T", *option])
    assert isinstance(result.exception, InvalidConfig), result.exception


def test_list_on_a_fresh_workspace_is_empty() -> None:
    result = runner.invoke(app, ["datasets", "list"])
    assert result.exit_code == 0 and "dataset" in result.output
