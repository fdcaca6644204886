"""`kozak users`: create and list users, reset passwords, manage API tokens (on the workspace)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kozak import accounts
from kozak.cli.common import console, open_workspace

app = typer.Typer(help="Users, passwords and API tokens.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for the CLI and the Python client.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")

PasswordOption = Annotated[
    str,
    typer.Option(prompt=True, confirmation_prompt=True, hide_input=True, help="At least 8 characters."),
]


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Log-in name.")],
    password: PasswordOption,
    admin: Annotated[bool, typer.Option("--admin", help="May manage users.")] = False,
) -> None:
    """Create a user."""
    user = accounts.create_user(open_workspace(), name, password, is_admin=admin)
    console.print(f"created user [bold]{user.name}[/] ({user.id})")


@app.command("list")
def list_users() -> None:
    """Every user."""
    table = Table("name", "id", "admin", "created")
    for user in accounts.list_users(open_workspace()):
        table.add_row(user.name, user.id, "yes" if user.is_admin else "", f"{user.created_at:%Y-%m-%d}")
    console.print(table)


@app.command("set-password")
def set_password(
    name: Annotated[str, typer.Argument(help="User name.")], password: PasswordOption
) -> None:
    """Replace a user's password."""
    user = accounts.reset_password(open_workspace(), name, password)
    console.print(f"password of [bold]{user.name}[/] changed")


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Log-in name.")]) -> None:
    """Disable a user: no more log-ins, and every session and token of theirs ends."""
    user = accounts.set_disabled(open_workspace(), name, True)
    console.print(f"disabled {user.name}")


@app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="Log-in name.")]) -> None:
    """Let a disabled user log in again."""
    user = accounts.set_disabled(open_workspace(), name, False)
    console.print(f"enabled {user.name}")


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="What it is for.")] = "cli",
) -> None:
    """Create an API token and print its secret (shown this once)."""
    workspace = open_workspace()
    token, secret = accounts.create_token(workspace, accounts.get_user(workspace, user), name)
    console.print(f"token [bold]{token.name}[/] ({token.id}); store it now, it is not shown again:")
    print(secret)


@tokens_app.command("list")
def list_tokens(user: Annotated[str, typer.Argument(help="Whose tokens.")]) -> None:
    """A user's tokens (without secrets)."""
    workspace = open_workspace()
    table = Table("id", "name", "prefix", "created", "last used", "revoked")
    for token in accounts.list_tokens(workspace, accounts.get_user(workspace, user)):
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else ""
        revoked = f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else ""
        table.add_row(token.id, token.name, token.prefix, f"{token.created_at:%Y-%m-%d}", used, revoked)
    console.print(table)


@tokens_app.command("revoke")
def revoke_token(
    user: Annotated[str, typer.Argument(help="Whose token.")],
    token_id: Annotated[str, typer.Argument(help="Token id (see `tokens list`).")],
) -> None:
    """Revoke a token; it stops working at once."""
    workspace = open_workspace()
    accounts.revoke_token(workspace, accounts.get_user(workspace, user), token_id)
    console.print(f"revoked {token_id}")
