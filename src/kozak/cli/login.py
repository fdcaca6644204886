"""`kozak login URL`: get an API token from a server and remember it for the CLI and client."""

from __future__ import annotations

from typing import Annotated

import typer

from kozak.cli.common import console
from kozak.client import Client, save_credentials


def login_command(
    url: Annotated[str, typer.Argument(help="Server, e.g. http://127.0.0.1:8000.")],
    user: Annotated[str, typer.Option("--user", "-u", prompt=True, help="User name.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, help="Password.")],
) -> None:
    """Log in once; later `--server` commands and `kozak.client.Client()` use the saved token."""
    with Client(url, "none") as client:
        token = client.login(user, password, token_name="kozak login")
    path = save_credentials(url.rstrip("/"), token)
    console.print(f"logged in to {url} as [bold]{user}[/]; token saved in {path}")
