"""The first administrator's random password reaches no log: shown once on a watching terminal,
otherwise never (the admin sets one with the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kozak.accounts import users
from kozak.server.app import create_app
from kozak.settings import Settings

SEEN = "only-for-the-terminal"


def test_a_random_admin_password_is_never_logged(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(users.secrets, "token_urlsafe", lambda _: SEEN)
    settings = Settings(home=tmp_path / "home", workers=0)  # no KOZAK_ADMIN_PASSWORD
    with TestClient(create_app(settings, start_runner=False)) as client:
        assert client.get("/api/health").status_code == 200
    captured = capsys.readouterr()  # not a terminal here, as under a service manager
    assert SEEN not in caplog.text and SEEN not in captured.out + captured.err
    assert "kozak users set-password admin" in caplog.text
