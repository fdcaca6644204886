"""Users, sessions, API tokens, projects and members on the wire."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kozak.server.schemas import MAX_PASSWORD, Input, Schema
from kozak.store.entities import MAX_REFERENCE_LINES, ApiToken, Member, Project, ReferenceLine, User


class UserPublic(Schema):
    id: str
    name: str
    is_admin: bool
    disabled: bool = Field(description="Cannot log in; every session and token was ended.")
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,
            name=user.name,
            is_admin=user.is_admin,
            disabled=user.disabled,
            created_at=user.created_at,
        )


class UserCreate(Input):
    name: str = Field(max_length=200, description="Log-in name: letters, digits, '.', '_' or '-'.")
    password: str = Field(max_length=MAX_PASSWORD, description="At least 8 characters.")
    is_admin: bool = Field(default=False, description="May manage users.")


class PasswordChange(Input):
    password: str = Field(
        max_length=MAX_PASSWORD, description="The new password, at least 8 characters."
    )
    current_password: str = Field(
        default="",
        max_length=MAX_PASSWORD,
        description="Your current password (not needed when an admin resets another's).",
    )


class Login(Input):
    name: str = Field(max_length=200)
    password: str = Field(max_length=MAX_PASSWORD)


class SessionPublic(Schema):
    user: UserPublic
    csrf_token: str = Field(description="Send it back as `X-CSRF-Token` on every change.")
    expires_at: datetime


class TokenCreate(Input):
    name: str = Field(description="What the token is for, e.g. 'laptop CLI'.")


class TokenPublic(Schema):
    id: str
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenPublic:
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class TokenCreated(TokenPublic):
    token: str = Field(description="The secret; shown this once, never again.")


class ProjectCreate(Input):
    name: str
    description: str = ""


class ProjectPublic(Schema):
    id: str
    name: str
    description: str
    created_by: str
    created_at: datetime
    reference_lines: list[ReferenceLine] = Field(
        description="Values drawn as lines on the project's evaluation plots."
    )
    role: str = Field(description="Your role in the project: owner, editor or viewer.")

    @classmethod
    def of(cls, project: Project, role: str) -> ProjectPublic:
        return cls(role=role, **project.model_dump())


class ReferenceLinesSet(Input):
    lines: list[ReferenceLine] = Field(
        max_length=MAX_REFERENCE_LINES,
        description="Every reference line of the project, in the order the plots list them.",
    )


class MemberSet(Input):
    user: str = Field(description="User name (or id) to add.")
    role: str = Field(description="owner, editor or viewer.")


class MemberPublic(Schema):
    user_id: str
    user: str
    role: str

    @classmethod
    def of(cls, member: Member, user: User) -> MemberPublic:
        return cls(user_id=user.id, user=user.name, role=member.role)
