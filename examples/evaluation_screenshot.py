"""Refresh the README's screenshot, `docs/images/evaluation.png`, from a real run.

Starts a `kozak up` in a temporary workspace, uploads the first 2,000 UTRs of the authors' native
library through the Python client, trains the tutorial's model for 8 epochs on the server's
worker, and photographs the completed run's Evaluation view in Debian's chromium (1280 × 1240).

    .venv/bin/python examples/evaluation_screenshot.py docs/images/evaluation.png
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

from kozak.client import Client

NATIVE = Path(__file__).resolve().parents[2] / "shared/data/cuperus2017/Native_UTRs.csv.gz"
PASSWORD = "screenshot-password"
ROWS = 2000


def native_csv(folder: Path) -> Path:
    """The first `ROWS` native UTRs with their growth rate."""
    with gzip.open(NATIVE, "rt") as native:
        lines = native.read().splitlines()
    header = lines[0].split(",")
    columns = [header.index("UTR"), header.index("growth_rate")]
    path = folder / "native.csv"
    rows = [",".join(line.split(",")[i] for i in columns) for line in lines[1 : ROWS + 1]]
    path.write_text("\n".join(["UTR,growth_rate", *rows]) + "\n")
    return path


def trained_project(url: str, csv: Path) -> str:
    """The Yeast project with a completed `tutorial` experiment; its id."""
    client = Client(url, "none")
    client.login("admin", PASSWORD)
    project = client.create_project("Yeast", "Cuperus et al. 2017, the tutorial's model")
    encoding = {"seq": {"alignment": "right", "length": 50, "padding": 10}}
    project.create_dataset("Yeast", [csv], rename={"UTR": "seq"}, encoding=encoding)
    paper = {"name": "Paper (Cuperus 2017, test)", "metric": "pearson_r2", "value": 0.62}
    client.request("PUT", f"{project.path}/reference-lines", json={"lines": [paper]})
    settings = {"epochs": 8, "batch_size": 32}
    project.create_experiment(
        "tutorial", dataset="Yeast", preset="cuperus2017-tutorial", settings=settings, run=True
    )
    while (status := client.get(f"{project.path}/experiments/tutorial")["status"]) not in (
        "completed",
        "failed",
    ):
        time.sleep(1)
    if status != "completed":
        raise SystemExit("the run failed; see the server's log")
    return project.id


def photograph(url: str, project_id: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--disable-gpu"])
        page = browser.new_context(base_url=url, viewport={"width": 1280, "height": 1240}).new_page()
        page.goto("/")
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Projects")).to_be_visible(timeout=30_000)
        page.goto(f"/projects/{project_id}/evaluation")
        page.locator('tr[data-experiment="tutorial"]').click()
        expect(page.get_by_test_id("prediction-scatter")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)  # the charts' entry animation
        page.screenshot(path=str(out))
        browser.close()


def main(out: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="kozak-screenshot-"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "KOZAK_HOME": str(folder / "home"), "KOZAK_ADMIN_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "kozak", "up", "--port", str(port), "--no-example"]
    with (folder / "server.log").open("wb") as log:
        server = subprocess.Popen(command, env={**env, "KOZAK_WORKERS": "1"}, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        photograph(url, trained_project(url, native_csv(folder)), out)
    finally:
        server.terminate()
        server.wait(30)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images/evaluation.png"))
