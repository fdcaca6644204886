"""`kozak motifs filters|effects` on the grammar model: tables, MEME file, logos and plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kozak.cli import app
from kozak.interpret.meme import parse_meme


@pytest.fixture
def home(grammar: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("KOZAK_HOME", str(grammar.workspace.settings.home))
    return grammar


def test_filters_write_meme_logos_and_matches(home: Any, tmp_path: Path) -> None:
    database = tmp_path / "db.meme"
    database.write_text(
        "MEME version 4\n\nALPHABET= ACGT\n\n"
        + "".join(
            f"MOTIF m{i}\nletter-probability matrix: alength= 4 w= 3\n"
            + "\n".join(" ".join("0.7" if i % 4 == j else "0.1" for j in range(4)) for _ in range(3))
            + "\n\n"
            for i in range(8)
        )
    )
    meme, logos = tmp_path / "f.meme", tmp_path / "logos.svg"
    answer = CliRunner().invoke(
        app,
        [
            "motifs",
            "filters",
            "grammar",
            "-p",
            "P",
            "--sequences",
            "300",
            "--meme",
            str(meme),
            "--compare",
            str(database),
            "--plot",
            str(logos),
            "--top",
            "4",
        ],
    )
    assert answer.exit_code == 0, answer.output
    assert "influence" in answer.output and "best match" in answer.output
    assert parse_meme(meme.read_text())
    assert logos.read_text().lstrip().startswith("<?xml") and "<svg" in logos.read_text()


def test_effects_print_frames_and_plot(home: Any, tmp_path: Path) -> None:
    plot = tmp_path / "atg.png"
    answer = CliRunner().invoke(
        app, ["motifs", "effects", "grammar", "-p", "P", "--sequences", "50", "--plot", str(plot)]
    )
    assert answer.exit_code == 0, answer.output
    assert "(in frame)" in answer.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    answer = CliRunner().invoke(
        app, ["motifs", "effects", "grammar", "-p", "P", "--sequences", "20", "--motif", "TAA", "--json"]
    )
    assert json.loads(answer.output)["motif"] == "TAA"
