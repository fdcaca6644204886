"""API tokens of the current user: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from fastapi import APIRouter

from kozak import accounts
from kozak.server.deps import CurrentUser, WorkspaceDep
from kozak.server.schemas import Page
from kozak.server.schemas.accounts import TokenCreate, TokenCreated, TokenPublic

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("")
def list_tokens(workspace: WorkspaceDep, user: CurrentUser) -> Page[TokenPublic]:
    """Your tokens, newest first (secrets are never shown again)."""
    return Page.of([TokenPublic.of(t) for t in accounts.list_tokens(workspace, user)])


@router.post("", status_code=201)
def create_token(body: TokenCreate, workspace: WorkspaceDep, user: CurrentUser) -> TokenCreated:
    """A new token for the CLI or the Python client; copy the secret now."""
    token, secret = accounts.create_token(workspace, user, body.name)
    return TokenCreated(token=secret, **TokenPublic.of(token).model_dump())


@router.delete("/{token_id}")
def revoke_token(token_id: str, workspace: WorkspaceDep, user: CurrentUser) -> TokenPublic:
    """Revoke one of your tokens; it stops working at once."""
    return TokenPublic.of(accounts.revoke_token(workspace, user, token_id))
