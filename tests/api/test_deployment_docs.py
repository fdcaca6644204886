"""The curl and Python snippets of docs/deployment.md, run as written against a real server.

The Yeast project gets a trained `cuperus2017-tutorial` experiment (tiny data, so the test is
quick); then the documented deploy call, forward call and Python client snippet are executed
with the environment variables the page tells the user to set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import float32_approx, tiny_version
from kozak.client import Client
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import preset
from kozak.settings import Settings
from kozak.training import RunSettings
from kozak.workspace import Workspace
from live_server import LiveServer

DOC = Path(__file__).parents[2] / "docs" / "deployment.md"


def snippets() -> dict[str, str]:
    """The code blocks marked `<!-- tested: NAME -->` in the page, by name."""
    found = re.findall(r"<!-- tested: (\w+) -->\n```\w+\n(.*?)```", DOC.read_text(), re.S)
    return dict(found)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    running = LiveServer(tmp_path / "home").start()
    yield running
    running.stop()


def test_the_documented_snippets_deploy_and_call_the_yeast_experiment(
    server: LiveServer, tiny_dna: Path
) -> None:
    token = Client(server.url, "none").login("admin", server.password)
    Client(server.url, token).create_project("Yeast")
    workspace = Workspace.open(Settings(home=server.home))
    version = tiny_version(workspace, "Yeast", tiny_dna)
    settings = RunSettings.from_data({"epochs": 1, "batch_size": 8})
    run_experiment(
        workspace,
        create_experiment(
            workspace, "Yeast", "cuperus2017-tutorial", version, preset("cuperus2017-tutorial"), settings
        ),
    )
    code = snippets()
    assert set(code) == {"deploy", "forward", "python"}
    env = {**os.environ, "KOZAK_URL": server.url, "KOZAK_TOKEN": token}

    deployed = json.loads(_run(["bash", "-c", code["deploy"]], env))
    env |= {"DEPLOYMENT_ID": deployed["id"], "DEPLOYMENT_TOKEN": deployed["token"]}
    rows = json.loads(_run(["bash", "-c", code["forward"]], env))["rows"]
    assert len(rows) == 2 and all(isinstance(r["growth_rate"], float) for r in rows)
    printed = _run([sys.executable, "-c", code["python"]], env)
    assert float(printed) == float32_approx(rows[0]["growth_rate"])


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout
