"""`kozak users` on a workspace, and `kozak up` refusing to expose an unauthenticated server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kozak import accounts
from kozak.cli import app
from kozak.cli.server import is_loopback
from kozak.settings import Settings
from kozak.workspace import Workspace


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KOZAK_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_users_create_list_password_and_tokens(home: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["users", "create", "ada", "--password", "long enough", "--admin"])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["users", "list"])
    assert "ada" in listed.output and "yes" in listed.output
    changed = runner.invoke(app, ["users", "set-password", "ada", "--password", "even longer"])
    assert changed.exit_code == 0
    workspace = Workspace.open(Settings(home=home))
    assert accounts.authenticate(workspace, "ada", "even longer").is_admin
    token = runner.invoke(app, ["users", "tokens", "create", "ada", "--name", "laptop"])
    secret = token.output.strip().splitlines()[-1]
    assert accounts.token_user(workspace, secret).name == "ada"
    token_id = accounts.list_tokens(workspace, accounts.get_user(workspace, "ada"))[0].id
    assert runner.invoke(app, ["users", "tokens", "revoke", "ada", token_id]).exit_code == 0
    assert "laptop" in runner.invoke(app, ["users", "tokens", "list", "ada"]).output
    short = runner.invoke(app, ["users", "create", "bob", "--password", "short"])
    assert short.exit_code == 1


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")


def test_up_refuses_a_public_address_without_authentication(home: Path) -> None:
    result = CliRunner().invoke(app, ["up", "--host", "0.0.0.0", "--no-auth", "--no-example"])
    assert result.exit_code == 1
    assert "refusing to serve 0.0.0.0 without authentication" in str(result.exception)


def test_up_logs_requests_only_when_asked(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log line per request costs a quarter of a one-row forward's CPU: off by default."""
    started: list[dict[str, object]] = []
    monkeypatch.setattr("kozak.cli.server.uvicorn.run", lambda _app, **options: started.append(options))
    monkeypatch.setenv("KOZAK_API_PROCESSES", "2")  # the API processes' settings go by environment
    environment = dict(os.environ)
    runner = CliRunner()
    assert runner.invoke(app, ["up", "--no-example"]).exit_code == 0
    assert (
        runner.invoke(app, ["up", "--no-example", "--access-log", "--log-level", "WARNING"]).exit_code
        == 0
    )
    assert [(o["log_level"], o["access_log"]) for o in started] == [("info", False), ("warning", True)]
    assert [o["workers"] for o in started] == [2, 2]
    assert dict(os.environ) == environment  # as it was: later tests' settings must not see them
    refused = runner.invoke(app, ["up", "--no-example", "--log-level", "chatty"])
    assert refused.exit_code == 1 and "--log-level must be one of debug, info, warning, error" in str(
        refused.exception
    )
